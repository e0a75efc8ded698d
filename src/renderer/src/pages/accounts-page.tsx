// Accounts: every account with its per-model quota bars.
import { AccountsTable } from '../components/accounts-table';

export function AccountsPage() {
  return <AccountsTable />;
}
