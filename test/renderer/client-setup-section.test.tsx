import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ClientContext } from '../../src/renderer/src/components/client-context';
import { ClientSetupSection } from '../../src/renderer/src/components/settings/client-setup-section';
import { ContractError, type RequestOf } from '../../src/shared/contract';
import type { ClientPreview, ClientRow } from '../../src/shared/client-setup';
import { deferred, fakeClient } from './fake-client';

const row = (over: Partial<ClientRow> & Pick<ClientRow, 'id' | 'name'>): ClientRow => ({
  detected: true,
  configured: false,
  configPath: `/home/me/.${over.id}/config`,
  restorable: false,
  files: [`/home/me/.${over.id}/config`],
  ...over,
});

const DIFF = `--- /home/me/.claude/settings.json
+++ /home/me/.claude/settings.json
@@ -1,3 +1,7 @@
 {
-  "model": "opus"
+  "model": "opus",
+  "env": {
+    "ANTHROPIC_BASE_URL": "http://127.0.0.1:4821",
+    "ANTHROPIC_AUTH_TOKEN": "sk-q…AB12"
+  }
 }
`;

function setup(rows: ClientRow[], over: { configure?: (req: RequestOf<'clients:configure'>) => ClientRow | Promise<ClientRow> } = {}) {
  const previews: Array<RequestOf<'clients:preview'>> = [];
  const configures: Array<RequestOf<'clients:configure'>> = [];
  const restores: Array<RequestOf<'clients:restore'>> = [];
  const client = fakeClient({
    'clients:list': () => rows,
    'clients:preview': (req) => {
      previews.push(req!);
      const preview: ClientPreview = {
        id: req!.id,
        action: req!.action ?? 'configure',
        unchanged: false,
        proxyUrl: 'http://127.0.0.1:4821',
        changes: [{ path: '/home/me/.claude/settings.json', existsBefore: true, existsAfter: true, before: '', after: '', diff: DIFF }],
      };
      return preview;
    },
    'clients:configure': (req) => {
      configures.push(req!);
      return over.configure ? over.configure(req!) : { ...rows.find((r) => r.id === req!.id)!, configured: true, restorable: true };
    },
    'clients:restore': (req) => {
      restores.push(req!);
      return { ...rows.find((r) => r.id === req!.id)!, configured: false, restorable: false };
    },
  });
  render(
    <ClientContext.Provider value={client}>
      <ClientSetupSection />
    </ClientContext.Provider>,
  );
  return { client, previews, configures, restores };
}

const ROWS: ClientRow[] = [
  row({ id: 'claude-code', name: 'Claude Code', configPath: '/home/me/.claude/settings.json', files: ['/home/me/.claude/settings.json'] }),
  row({ id: 'codex', name: 'Codex CLI', configured: true, restorable: true }),
  row({ id: 'gemini-cli', name: 'Gemini CLI', detected: false }),
];

describe('Settings → Use QuotaDeck from your tools', () => {
  it('lists each tool with its state, its files and the actions it allows', async () => {
    setup(ROWS);
    const list = await screen.findByRole('list', { name: 'AI tools' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((i) => i.textContent)).toEqual([
      expect.stringContaining('Claude CodeNot configured/home/me/.claude/settings.json'),
      expect.stringContaining('Codex CLIUses QuotaDeck'),
      expect.stringContaining('Gemini CLINot found on this machine'),
    ]);
    expect(within(items[0]!).queryByRole('button', { name: /Restore/ })).toBeNull();
    expect(within(items[1]!).getByRole('button', { name: 'Restore Codex CLI…' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Use QuotaDeck from your tools' })).toBeTruthy();
  });

  it('shows the exact change before configuring, and applies it only on confirmation', async () => {
    const { previews, configures } = setup(ROWS);
    fireEvent.click(await screen.findByRole('button', { name: 'Configure Claude Code…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Configure Claude Code' });
    const diff = await within(dialog).findByLabelText('Change to /home/me/.claude/settings.json');
    expect(previews).toEqual([{ id: 'claude-code', action: 'configure' }]);
    expect(diff.textContent).toContain('+    "ANTHROPIC_BASE_URL": "http://127.0.0.1:4821",');
    expect(diff.querySelectorAll('.diff-add')).toHaveLength(5);
    expect(diff.querySelectorAll('.diff-del')).toHaveLength(1);
    expect(configures).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Apply the change' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(configures).toEqual([{ id: 'claude-code' }]);
    expect(screen.getByRole('status').textContent).toMatch(/Claude Code now uses QuotaDeck's proxy/);
    const item = screen.getAllByRole('listitem')[0]!;
    expect(item.textContent).toContain('Uses QuotaDeck');
    expect(within(item).getByRole('button', { name: 'Restore Claude Code…' })).toBeTruthy();
  });

  it('restores after showing what comes back', async () => {
    const { previews, restores } = setup(ROWS);
    fireEvent.click(await screen.findByRole('button', { name: 'Restore Codex CLI…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Restore Codex CLI' });
    await within(dialog).findByLabelText(/Change to/);
    expect(previews).toEqual([{ id: 'codex', action: 'restore' }]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Restore the original' }));
    await waitFor(() => expect(restores).toEqual([{ id: 'codex' }]));
    expect(screen.getByRole('status').textContent).toMatch(/back, exactly as it was/);
    expect(within(screen.getAllByRole('listitem')[1]!).queryByRole('button', { name: /Restore/ })).toBeNull();
  });

  it('keeps the dialog open with the reason when the service refuses (a file that does not parse)', async () => {
    const gate = deferred<void>();
    setup(ROWS, {
      configure: async () => {
        await gate.promise;
        throw new ContractError({ code: 'bad_request', message: '/home/me/.claude/settings.json does not parse (Unexpected token). QuotaDeck left it untouched: fix the file (or remove it) and try again.' });
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Configure Claude Code…' }));
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByLabelText(/Change to/);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Apply the change' }));
    expect((within(dialog).getByRole('button', { name: 'Configuring…' }) as HTMLButtonElement).disabled).toBe(true);
    gate.resolve();
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('does not parse');
    expect(alert.textContent).toContain('left it untouched');
    expect((within(dialog).getByRole('button', { name: 'Apply the change' }) as HTMLButtonElement).disabled).toBe(false);
  });
});
