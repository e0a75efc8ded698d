// How a panel says that its query failed, with a retry.
export function QueryError({ what, error, retry }: { what: string; error: Error; retry?: () => void }) {
  return (
    <div className="banner banner-error query-error" role="alert">
      Could not load {what}: {error.message}{' '}
      {retry && (
        <button type="button" className="btn btn-small" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}
