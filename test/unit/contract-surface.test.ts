// Pins the contract's public surface: the headless control API is scripted against these names,
// so adding one is a deliberate edit here and removing or renaming one fails loudly.
import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, METHOD_NAMES } from '../../src/shared/contract';

describe('the shared contract', () => {
  it('has exactly these methods', () => {
    expect([...METHOD_NAMES].sort()).toEqual(
      [
        'app:info',
        'accounts:list',
        'accounts:add',
        'accounts:update',
        'accounts:setEnabled',
        'accounts:setModelPref',
        'accounts:remove',
        'accounts:reactivate',
        'accounts:import',
        'accounts:discover',
        'accounts:importDiscovered',
        'accounts:export',
        'accounts:signIn',
        'accounts:signInComplete',
        'accounts:signInStatus',
        'accounts:signInCancel',
        'monitor:getStats',
        'monitor:syncNow',
        'monitor:pause',
        'monitor:resume',
        'monitor:lastReport',
        'monitor:syncAccount',
        'quota:list',
        'quota:getDecisions',
        'quota:check',
        'quota:listLocks',
        'quota:report',
        'quota:clearLock',
        'quota:history',
        'quota:probe',
        'selector:select',
        'proxy:getInfo',
        'proxy:regenerateKey',
        'settings:get',
        'settings:update',
        'usage:summary',
        'usage:daily',
        'usage:topAccounts',
        'usage:nearLimits',
        'usage:log',
        'limits:get',
        'limits:set',
        'pricing:list',
        'pricing:set',
        'pricing:remove',
        'clients:list',
        'clients:preview',
        'clients:configure',
        'clients:restore',
        'models:list',
      ].sort(),
    );
  });

  it('has exactly these events', () => {
    expect([...EVENT_NAMES].sort()).toEqual(
      ['monitor:stats', 'monitor:syncFinished', 'monitor:syncProgress', 'quota:changed', 'quota:threshold', 'accounts:changed', 'accounts:signInFinished', 'settings:changed', 'usage:limitWarning'].sort(),
    );
  });
});
