// The preload with `electron` replaced by a fake at the module boundary: it must expose
// exactly { invoke, on } and nothing that reaches other channels.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { QuotaDeckBridge } from '../../../src/shared/bridge';

const exposed = new Map<string, unknown>();
const invoked: unknown[][] = [];
const ipcListeners = new Map<string, Set<(...a: unknown[]) => void>>();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: async (...a: unknown[]) => {
      invoked.push(a);
      return { ok: true, result: null };
    },
    on: (ch: string, l: (...a: unknown[]) => void) => {
      if (!ipcListeners.has(ch)) ipcListeners.set(ch, new Set());
      ipcListeners.get(ch)!.add(l);
    },
    removeListener: (ch: string, l: (...a: unknown[]) => void) => ipcListeners.get(ch)?.delete(l),
  },
}));

let bridge: QuotaDeckBridge;
beforeAll(async () => {
  await import('../../../src/preload/index');
  bridge = exposed.get('quotadeck') as QuotaDeckBridge;
});

describe('preload bridge', () => {
  it('exposes only window.quotadeck with invoke and on', () => {
    expect([...exposed.keys()]).toEqual(['quotadeck']);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on']);
  });

  it('invokes contract methods over qd:invoke and rejects other names', async () => {
    await expect(bridge.invoke('monitor:getStats')).resolves.toEqual({ ok: true, result: null });
    expect(invoked).toEqual([['qd:invoke', 'monitor:getStats', undefined]]);
    await expect(bridge.invoke('shell:exec' as never)).rejects.toThrow(/Unknown QuotaDeck method/);
    expect(invoked).toHaveLength(1);
  });

  it('delivers only the subscribed event, without the IPC event object, until unsubscribed', () => {
    const got: unknown[] = [];
    const off = bridge.on('monitor:stats', (p) => got.push(p));
    const emit = (...a: unknown[]) => ipcListeners.get('qd:event')!.forEach((l) => l({ sender: 'ipc-internals' }, ...a));
    emit('quota:changed', { x: 1 });
    emit('monitor:stats', { y: 2 });
    expect(got).toEqual([{ y: 2 }]);
    off();
    emit('monitor:stats', { y: 3 });
    expect(got).toHaveLength(1);
    expect(() => bridge.on('not:an-event' as never, () => {})).toThrow(/Unknown QuotaDeck event/);
  });
});
