// The IPC binding in plain Node: fake ipcMain and webContents, a fake core.
import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, type EventMap, type EventName } from '../../../src/shared/contract';
import { forwardEvents, registerIpc, type IpcMainLike, type SenderFrameLike } from '../../../src/main/electron/ipc';

type Handler = Parameters<IpcMainLike['handle']>[1];

function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  const ipc: IpcMainLike = {
    handle: (channel, h) => void handlers.set(channel, h),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  return { ipc, handlers };
}

function fakeCore() {
  const calls: Array<[string, unknown]> = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  return {
    calls,
    listeners,
    api: {
      async call(method: string, request: unknown) {
        calls.push([method, request]);
        return { ok: true as const, result: 'done' };
      },
    },
    events: {
      on<E extends EventName>(event: E, l: (p: EventMap[E]) => void) {
        let set = listeners.get(event);
        if (!set) listeners.set(event, (set = new Set()));
        set.add(l as (p: unknown) => void);
        return () => set.delete(l as (p: unknown) => void);
      },
      onAny: () => () => {},
    },
    emit(event: string, payload: unknown) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
  };
}

const APP = 'file:///opt/quotadeck/out/renderer/index.html';
const trusted = (f: SenderFrameLike | null) => f !== null && f.url === APP;

describe('registerIpc', () => {
  it('registers one handler that forwards contract calls from the app frame', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const core = fakeCore();
    const off = registerIpc(ipc, core, trusted);
    expect([...handlers.keys()]).toEqual(['qd:invoke']);
    const h = handlers.get('qd:invoke')!;
    expect(await h({ senderFrame: { url: APP } }, 'accounts:list', undefined)).toEqual({ ok: true, result: 'done' });
    expect(core.calls).toEqual([['accounts:list', undefined]]);
    off();
    expect(handlers.size).toBe(0);
  });

  it('refuses untrusted frames and unknown methods without reaching the core', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const core = fakeCore();
    registerIpc(ipc, core, trusted);
    const h = handlers.get('qd:invoke')!;
    expect(await h({ senderFrame: { url: 'https://evil.example/' } }, 'accounts:list')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await h({ senderFrame: null }, 'accounts:list')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await h({ senderFrame: { url: APP } }, 'constructor')).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await h({ senderFrame: { url: APP } }, 42)).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(core.calls).toEqual([]);
  });
});

describe('forwardEvents', () => {
  it('sends every contract event to the current window, and stops on unsubscribe', () => {
    const core = fakeCore();
    const sent: unknown[][] = [];
    let destroyed = false;
    const wc = { send: (...a: unknown[]) => void sent.push(a), isDestroyed: () => destroyed };
    let current: typeof wc | null = null;
    const off = forwardEvents(core, () => current);
    expect([...core.listeners.keys()].sort()).toEqual([...EVENT_NAMES].sort());

    core.emit('monitor:stats', { a: 1 }); // no window yet: dropped
    current = wc;
    for (const name of EVENT_NAMES) core.emit(name, { name });
    expect(sent).toEqual(EVENT_NAMES.map((name) => ['qd:event', name, { name }]));

    destroyed = true;
    core.emit('quota:changed', {});
    expect(sent).toHaveLength(EVENT_NAMES.length);

    off();
    expect([...core.listeners.values()].every((s) => s.size === 0)).toBe(true);
  });
});
