// OData `$filter` building for Azure Tables. Values are always quoted here, never by callers.
import { escapePartitionKey } from './keys';

/** A string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * A DateTime literal: `datetime'2024-01-01T00:00:00.000Z'`. Stored times have 100-ns digits that a
 * JS Date lacks, so an upper bound can be stretched to the end of its millisecond
 * (`.1239999Z`) to include a row whose time was printed to the user and passed back.
 */
export function odataDateTime(value: Date, o: { endOfMillisecond?: boolean } = {}): string {
  const iso = value.toISOString();
  return `datetime'${o.endOfMillisecond ? `${iso.slice(0, -1)}9999Z` : iso}'`;
}

export function eq(column: string, value: string): string {
  return `${column} eq ${odataString(value)}`;
}

export function partitionKeyEquals(instanceId: string): string {
  return eq('PartitionKey', escapePartitionKey(instanceId));
}

/** `(a) and (b) …`, skipping empty parts; '' when nothing is left. */
export function and(...conditions: (string | undefined | false)[]): string {
  const parts = conditions.filter((c): c is string => typeof c === 'string' && c.length > 0);
  if (parts.length <= 1) {
    return parts[0] ?? '';
  }
  return parts.map((c) => `(${c})`).join(' and ');
}

export function or(...conditions: string[]): string {
  const parts = conditions.filter((c) => c.length > 0);
  if (parts.length <= 1) {
    return parts[0] ?? '';
  }
  return parts.map((c) => `(${c})`).join(' or ');
}

/**
 * Range filter for PartitionKeys starting with the escaped prefix: Azure Tables has no
 * `startswith`, so it is `ge prefix and lt prefix-with-last-char+1`.
 */
export function partitionKeyPrefix(instanceIdPrefix: string): string {
  const escaped = escapePartitionKey(instanceIdPrefix);
  if (escaped.length === 0) {
    return '';
  }
  const last = escaped.charCodeAt(escaped.length - 1);
  const upper = escaped.slice(0, -1) + String.fromCharCode(last + 1);
  return `PartitionKey ge ${odataString(escaped)} and PartitionKey lt ${odataString(upper)}`;
}
