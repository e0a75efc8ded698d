// Renderer test setup: unmount what a test rendered and reset the mirrored stores, so tests
// stay independent in any order.
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { useActionNotes } from '../../src/renderer/src/components/accounts/account-actions';
import { useAccountsStore } from '../../src/renderer/src/stores/accounts-store';
import { useQuotaStore } from '../../src/renderer/src/stores/quota-store';
import { useStatsStore } from '../../src/renderer/src/stores/stats-store';

afterEach(() => {
  cleanup();
  useAccountsStore.getState().reset();
  useQuotaStore.getState().reset();
  useStatsStore.getState().reset();
  useActionNotes.getState().reset();
  localStorage.clear();
  sessionStorage.clear();
});
