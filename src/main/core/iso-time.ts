// ISO 8601 strings for epoch milliseconds, memoized: views carry several timestamps each and
// most of them repeat (one fetch time per account, shared reset times), while
// Date.prototype.toISOString costs about a microsecond per call — 10,000 quota views took tens of
// milliseconds in it alone. The memo is bounded: cleared whole when it reaches its size.
const MEMO_MAX = 4096;
const memo = new Map<number, string>();

export function isoTime(t: number): string {
  let s = memo.get(t);
  if (s === undefined) {
    if (memo.size >= MEMO_MAX) memo.clear();
    s = new Date(t).toISOString();
    memo.set(t, s);
  }
  return s;
}

export function isoTimeOrNull(t: number | null): string | null {
  return t === null ? null : isoTime(t);
}
