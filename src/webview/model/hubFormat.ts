// Text helpers of the task hub page: durations, ages, counts, and making untrusted text (instance
// ids, names, custom status) harmless for layout. Pure, so the unit tests run them in Node.

export { hasInvisible, visibleText } from '../../shared/text';
import { visibleText } from '../../shared/text';

/** A one-line preview: line breaks and tabs become spaces, other invisibles are escaped, long text is cut. */
export function oneLine(text: string, max = 300): string {
  const flat = visibleText(text.replace(/\r\n|[\r\n\t]/g, ' '));
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 instance", "1,234 instances". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}

/** "350 ms", "1.2 s", "42 s", "3 min 4 s", "5 h 12 min", "2 d 3 h" (zero remainders dropped). */
export function formatHubDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    return '';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 10_000) {
    return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  }
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) {
    return `${seconds} s`;
  }
  const two = (big: number, bigUnit: string, small: number, smallUnit: string): string => (small > 0 ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`);
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return two(minutes, 'min', seconds % 60, 's');
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return two(hours, 'h', minutes % 60, 'min');
  }
  return two(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "4 d ago"; a time in the future says "in the future". */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) {
    return '';
  }
  if (ms < -60_000) {
    return 'in the future';
  }
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 5) {
    return 'just now';
  }
  if (seconds < 60) {
    return `${seconds} s ago`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min ago`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    return `${hours} h ago`;
  }
  return `${Math.floor(hours / 24)} d ago`;
}

/** `samplehub-control-03` → `control-03`, `samplehub-workitems` → `workitems` (the hub is in the header). */
export function shortQueueName(queue: string): string {
  return /-(control-\d+|workitems)$/.exec(queue)?.[1] ?? queue;
}
