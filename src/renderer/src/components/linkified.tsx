// Text from a provider or the service with its web addresses made into links (a verification
// URL in an error banner is something to click, not to copy by hand). Only http(s) addresses;
// a trailing full stop or bracket stays text. Opens outside the app (a new tab; Electron hands
// it to the system browser).
import type { ReactNode } from 'react';

const URL_RE = /https?:\/\/[^\s<>"')\]]+/g;

export function Linkified({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0];
    while (/[.,;:!?]$/.test(url)) url = url.slice(0, -1);
    const at = m.index ?? 0;
    if (at > last) parts.push(text.slice(last, at));
    parts.push(
      <a key={at} href={url} target="_blank" rel="noopener noreferrer" className="text-link">
        {url}
      </a>,
    );
    last = at + url.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return <>{parts}</>;
}
