// Seeds matching accounts into a fake Google upstream and the product (via accounts:import).
import type { CoreApp } from '../../src/main/core/app';
import type { ImportReport } from '../../src/shared/types';
import type { FakeAccountSpec, FakeGoogle, FakeAccountHandle } from './fake-google';
import { call } from './harness';

export interface Seeded {
  handle: FakeAccountHandle;
  id: string;
  email: string;
}

export async function seedGoogleAccounts(
  app: CoreApp,
  fake: FakeGoogle,
  n: number,
  spec: (i: number) => Partial<FakeAccountSpec> = () => ({}),
  opts: { withAccessToken?: boolean; prefix?: string } = {},
): Promise<Seeded[]> {
  const prefix = opts.prefix ?? 'user';
  const handles = Array.from({ length: n }, (_, i) =>
    fake.addAccount({ refreshToken: `1//refresh-${prefix}-${i}-${Math.random().toString(36).slice(2)}`, ...spec(i) }),
  );
  const doc = {
    accounts: handles.map((h, i) => ({
      provider: 'antigravity',
      email: `${prefix}${i}@example.com`,
      refreshToken: h.spec.refreshToken,
      ...(opts.withAccessToken === false ? {} : { accessToken: h.accessToken(), expiresAt: '2099-01-01T00:00:00Z' }),
    })),
  };
  const report = await call<ImportReport>(app, 'accounts:import', doc);
  return handles.map((handle, i) => ({ handle, id: report.accounts[i]!.id, email: `${prefix}${i}@example.com` }));
}
