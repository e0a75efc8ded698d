// A link to an account's detail page (#/accounts/<id>), through the route store.
import { routeHash, useRouteStore } from '../../stores/route-store';

export function AccountLink({ id, label }: { id: string; label: string }) {
  const navigate = useRouteStore((s) => s.navigate);
  return (
    <a
      className="account-link"
      href={routeHash({ page: 'account', id })}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate({ page: 'account', id });
      }}
    >
      {label}
    </a>
  );
}
