// What a user can do to one account, shared by the row menu and the account page: sync it now,
// probe an API key, clear its locks, reactivate it, switch it on or off. Each action says what
// it is doing and what came of it in one note per account (kept while the row scrolls away),
// applies the service's answer to the stores at once, and never throws.
import { create } from 'zustand';
import type { ContractClient } from '../../../../shared/contract';
import { ContractError } from '../../../../shared/contract-wire';
import type { AccountView, QuotaView } from '../../../../shared/types';
import { useAccountsStore } from '../../stores/accounts-store';
import { useQuotaStore } from '../../stores/quota-store';
import { needsSignIn } from '../sign-in/sign-in-again';
import { isOAuth, isProbeOnly } from './provider-fields';

export type NoteTone = 'busy' | 'ok' | 'bad';
export interface ActionNote {
  tone: NoteTone;
  text: string;
  /** What to do next, when something went wrong. */
  hint?: string;
}

interface ActionNotesState {
  notes: Record<string, ActionNote>;
  set(id: string, note: ActionNote | null): void;
  reset(): void;
}

export const useActionNotes = create<ActionNotesState>()((set) => ({
  notes: {},
  set: (id, note) =>
    set((s) => {
      const notes = { ...s.notes };
      if (note) notes[id] = note;
      else delete notes[id];
      return { notes };
    }),
  reset: () => set({ notes: {} }),
}));

export type ActionKey = 'sync' | 'probe' | 'clearLocks' | 'reactivate' | 'signIn' | 'edit' | 'remove' | 'toggle';

/** The actions that make sense for this account now, in menu order. */
export function actionsFor(account: AccountView, quotas: readonly QuotaView[]): ActionKey[] {
  const out: ActionKey[] = [];
  const refused = account.status === 'suspended' || account.status === 'invalid_credentials';
  // A refused account is not synced (it would be refused again): Reactivate retries it.
  if (isProbeOnly(account.provider)) out.push('probe');
  else if (!refused) out.push('sync');
  if (quotas.some((q) => q.lock)) out.push('clearLocks');
  if (account.status === 'suspended' || account.status === 'invalid_credentials') out.push('reactivate');
  if (needsSignIn(account)) out.push('signIn');
  out.push('edit', 'toggle', 'remove');
  return out;
}

export const ACTION_LABEL: Record<Exclude<ActionKey, 'toggle'>, string> = {
  sync: 'Sync now',
  probe: 'Probe key',
  clearLocks: 'Clear locks',
  reactivate: 'Reactivate',
  signIn: 'Sign in again…',
  edit: 'Edit…',
  remove: 'Remove…',
};

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A method the service may not offer yet (added by a newer core): called by name. */
function invokeByName<T>(client: ContractClient, method: string, request: unknown): Promise<T> {
  return (client.invoke as (m: string, r: unknown) => Promise<T>)(method, request);
}

function applyReadings(accountId: string, quotas: QuotaView[]): void {
  useQuotaStore.getState().applyChanged({ accountId, quotas });
}

/** "3 windows read: lowest 42%" */
function readingsSummary(quotas: readonly QuotaView[]): string {
  if (quotas.length === 0) return 'no windows in the answer';
  const known = quotas.map((q) => q.remainingFraction).filter((f): f is number => f !== null);
  const low = known.length ? ` — lowest ${Math.round(Math.min(...known) * 100)}% left` : '';
  return `${quotas.length} ${quotas.length === 1 ? 'window' : 'windows'} read${low}`;
}

async function run(id: string, busy: string, work: () => Promise<ActionNote>): Promise<void> {
  const notes = useActionNotes.getState();
  notes.set(id, { tone: 'busy', text: busy });
  let note: ActionNote;
  try {
    note = await work();
  } catch (err) {
    note = { tone: 'bad', text: message(err) };
  }
  useActionNotes.getState().set(id, note);
}

export function syncAccount(client: ContractClient, account: AccountView): Promise<void> {
  return run(account.id, 'Syncing…', async () => {
    try {
      const quotas = await invokeByName<QuotaView[]>(client, 'monitor:syncAccount', { id: account.id });
      if (Array.isArray(quotas)) applyReadings(account.id, quotas);
      return { tone: 'ok', text: `Synced: ${readingsSummary(Array.isArray(quotas) ? quotas : [])}` };
    } catch (err) {
      if (err instanceof ContractError && err.code === 'unknown_method') {
        return { tone: 'bad', text: 'This service cannot sync one account yet.', hint: 'Use Sync now in the header to sync every account.' };
      }
      return { tone: 'bad', text: `Sync failed: ${message(err)}`, hint: hintFor(account) };
    }
  });
}

export function probeAccount(client: ContractClient, account: AccountView): Promise<void> {
  return run(account.id, 'Probing…', async () => {
    try {
      const quotas = await client.invoke('quota:probe', { accountId: account.id });
      applyReadings(account.id, quotas);
      return { tone: 'ok', text: `Probe answered: ${readingsSummary(quotas)}` };
    } catch (err) {
      return { tone: 'bad', text: message(err), hint: 'Check the key and its base URL (Edit…), then probe again.' };
    }
  });
}

export function clearLocks(client: ContractClient, account: AccountView, quotas: readonly QuotaView[]): Promise<void> {
  const locked = quotas.filter((q) => q.lock);
  return run(account.id, 'Clearing locks…', async () => {
    let cleared = 0;
    for (const q of locked) if ((await client.invoke('quota:clearLock', { accountId: account.id, model: q.model })).cleared) cleared++;
    // The readings carry the lock: fetch them again so the row shows it gone.
    applyReadings(account.id, await client.invoke('quota:list', { accountId: account.id }));
    return { tone: 'ok', text: cleared === 0 ? 'No lock was left to clear.' : `Cleared ${cleared} ${cleared === 1 ? 'lock' : 'locks'}.` };
  });
}

/** What the user can do about an account that is suspended or whose credentials failed. */
export function hintFor(account: AccountView): string | undefined {
  if (account.status === 'invalid_credentials') {
    return isOAuth(account.provider)
      ? 'The sign-in expired or was revoked: sign in again (or import a fresh credential), then Reactivate.'
      : 'The key was refused: replace it (remove and add the account again with a new key), then Reactivate.';
  }
  if (account.status === 'suspended') return 'Check the account with the provider (plan, billing, terms); when it is in order, Reactivate.';
  return undefined;
}

export function reactivateAccount(client: ContractClient, account: AccountView): Promise<void> {
  return run(account.id, 'Reactivating…', async () => {
    try {
      const answer = await invokeByName<AccountView | { account?: AccountView }>(client, 'accounts:reactivate', { id: account.id });
      const next = answer && 'id' in answer ? (answer as AccountView) : ((answer as { account?: AccountView })?.account ?? null);
      if (next) useAccountsStore.getState().applyAccount(next);
      if (next && next.status !== 'active') {
        return { tone: 'bad', text: `Still ${next.status.replace('_', ' ')}: ${next.statusReason ?? 'the provider refused it again'}`, hint: hintFor(next) };
      }
      return { tone: 'ok', text: 'Reactivated: the account is active and will be polled again.' };
    } catch (err) {
      if (err instanceof ContractError && err.code === 'unknown_method') {
        return { tone: 'bad', text: 'This service cannot reactivate accounts yet.', hint: 'Switch the account off and on again to retry it with the next sync.' };
      }
      return { tone: 'bad', text: `Reactivation failed: ${message(err)}`, hint: hintFor(account) };
    }
  });
}

export function setAccountEnabled(client: ContractClient, account: AccountView, enabled: boolean): Promise<void> {
  return run(account.id, enabled ? 'Switching on…' : 'Switching off…', async () => {
    try {
      // The answer is the updated account: shown now, ahead of the accounts:changed refetch.
      useAccountsStore.getState().applyAccount(await client.invoke('accounts:setEnabled', { id: account.id, enabled }));
      return { tone: 'ok', text: enabled ? 'Switched on: used and polled again.' : 'Switched off: not used or polled until switched on.' };
    } catch (err) {
      return { tone: 'bad', text: `Could not ${enabled ? 'enable' : 'disable'}: ${message(err)}` };
    }
  });
}
