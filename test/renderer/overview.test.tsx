import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Overview } from '../../src/renderer/src/components/overview';
import { useStatsStore } from '../../src/renderer/src/stores/stats-store';
import { useAccountsStore } from '../../src/renderer/src/stores/accounts-store';
import { useQuotaStore } from '../../src/renderer/src/stores/quota-store';
import { account, quota, report, stats } from './fixtures';

describe('Overview', () => {
  it('shows MonitorStats as cards', () => {
    useStatsStore.getState().applyStats(stats({ totalAccounts: 12, activeAccounts: 10, lowQuotas: 0, exhaustedQuotas: 0, lastSyncDurationMs: 2345, lastSyncErrors: 0, paused: true }));
    // Low and exhausted are counted from the readings the lists show, not the last cycle's stats.
    useAccountsStore.getState().setAccounts([account({ id: 'a' }), account({ id: 'b' })]);
    const q = (accountId: string, model: string, kind: 'low' | 'exhausted', f: number) => quota({ accountId, model, remainingFraction: f, decision: { kind, remainingFraction: f, resetAt: null, reason: null } });
    useQuotaStore.getState().loadAll([q('a', 'm1', 'low', 0.05), q('b', 'm1', 'low', 0.04), q('b', 'm2', 'exhausted', 0)], 0);
    render(<Overview />);
    const card = (label: string) => screen.getByText(label, { selector: 'dt' }).parentElement!;
    expect(card('Accounts').textContent).toContain('12');
    expect(card('Accounts').textContent).toContain('10 active');
    expect(card('Low').textContent).toContain('2');
    expect(card('Exhausted').className).toContain('card-bad');
    expect(card('Last sync').textContent).toContain('2.3 s');
    expect(card('Next sync').textContent).toContain('paused');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('raises a banner naming the failing accounts when the last cycle had errors', () => {
    useStatsStore.getState().applyStats(stats());
    useStatsStore.getState().applyReport(
      report({
        accounts: 3,
        successes: 2,
        errors: 1,
        results: [{ accountId: 'x', label: 'work', provider: 'antigravity', outcome: 'error', errorKind: 'auth', errorCode: 'invalid_grant', message: 'refresh token revoked', durationMs: 5, models: 0 }],
      }),
    );
    render(<Overview />);
    const banner = screen.getByRole('alert');
    expect(banner.textContent).toContain('The last sync had 1 error');
    expect(banner.textContent).toContain('2 of 3 polled accounts succeeded');
    expect(banner.textContent).toContain('work (Antigravity): refresh token revoked');
  });
});
