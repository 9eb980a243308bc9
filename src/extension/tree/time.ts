// Relative times for tree descriptions ("5m ago"). Pure, for unit tests.
export function relativeTime(iso: string | null, now = Date.now()): string {
  if (!iso) {
    return '';
  }
  const t = Date.parse(iso);
  if (Number.isNaN(t)) {
    return '';
  }
  const s = Math.round((now - t) / 1000);
  const future = s < 0;
  const a = Math.abs(s);
  const text =
    a < 45 ? `${a}s` : a < 45 * 60 ? `${Math.round(a / 60)}m` : a < 36 * 3600 ? `${Math.round(a / 3600)}h` : `${Math.round(a / 86400)}d`;
  return future ? `in ${text}` : `${text} ago`;
}
