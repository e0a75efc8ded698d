// The sidebar: one link per page, the current one marked for assistive technology too.
import { routeHash, useRouteStore, type PageName } from '../stores/route-store';

const PAGES: Array<{ page: Exclude<PageName, 'account'>; label: string }> = [
  { page: 'overview', label: 'Overview' },
  { page: 'accounts', label: 'Accounts' },
  { page: 'usage', label: 'Usage' },
  { page: 'settings', label: 'Settings' },
];

export function Nav() {
  const current = useRouteStore((s) => s.route.page);
  const navigate = useRouteStore((s) => s.navigate);
  const active = current === 'account' ? 'accounts' : current;
  return (
    <nav className="side-nav" aria-label="Pages">
      <ul>
        {PAGES.map(({ page, label }) => (
          <li key={page}>
            <a
              href={routeHash({ page } as never)}
              aria-current={active === page ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate({ page } as never);
              }}
            >
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
