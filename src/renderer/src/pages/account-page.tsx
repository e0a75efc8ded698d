// Account detail: one account's quota history per model, recent requests and usage.
export function AccountPage({ id }: { id: string }) {
  return (
    <>
      <h2 className="page-title">Account</h2>
      <p className="muted">{id}</p>
    </>
  );
}
