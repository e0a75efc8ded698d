// Usage: cost and tokens over a range, top accounts, accounts near a limit, the request log.
export function UsagePage() {
  return <h2 className="page-title">Usage</h2>;
}
