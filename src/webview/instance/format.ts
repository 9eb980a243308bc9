// Times and statuses as the instance page shows them.

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * A whole number with thousands separators, `12,345`: what `toLocaleString('en-US')` gives, without
 * its first call loading ICU's number formatting (tens of milliseconds of a fresh page).
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) {
    return n.toLocaleString('en-US');
  }
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ',');
  return n < 0 ? `-${digits}` : digits;
}

/** `2026-05-01 10:20:30.123` in local time, or UTC with a trailing Z. */
export function formatTimestamp(iso: string | null | undefined, utc: boolean): string {
  if (!iso) {
    return '';
  }
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return iso;
  }
  if (utc) {
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}Z`;
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** `10:20:30.123` (the history's time column; the date is in the tooltip). */
export function formatTimeOfDay(iso: string | null | undefined, utc: boolean): string {
  const full = formatTimestamp(iso, utc);
  return full.length > 11 ? full.slice(11) : full;
}

export const STATUS_ICONS: Record<string, string> = {
  Running: 'play-circle',
  Pending: 'clock',
  Suspended: 'debug-pause',
  Completed: 'pass',
  Failed: 'error',
  Terminated: 'circle-slash',
  Canceled: 'circle-slash',
  ContinuedAsNew: 'debug-restart',
};

/** A class-safe status name (`status-running`), `status-unknown` for anything else. */
export function statusClass(status: string): string {
  return STATUS_ICONS[status] ? `status-${status.toLowerCase()}` : 'status-unknown';
}
