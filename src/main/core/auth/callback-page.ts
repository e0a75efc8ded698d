// The small page the browser shows when it comes back to QuotaDeck's loopback listener.
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function callbackPage(ok: boolean, title: string, detail: string): string {
  const colour = ok ? '#1a7f37' : '#cf222e';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>QuotaDeck — ${escape(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem;color:${colour}}p{color:#59636e}@media(prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}p{color:#9198a1}}</style>
</head><body><h1 data-testid="sign-in-result">${escape(title)}</h1><p>${escape(detail)}</p></body></html>`;
}
