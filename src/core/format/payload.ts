// Large payloads: gzip blobs in `{h}-largemessages`, referenced from table columns either by a
// blob URL in the column itself (Instances Input/Output) or by a `<Prop>BlobName` column (§2.3, §3.4).
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';

export const gzip = promisify(gzipCb);
export const gunzip = promisify(gunzipCb);

/** A table string property is offloaded when its UTF-16 size exceeds 60 KB. */
export const MAX_TABLE_PROPERTY_UTF16_BYTES = 60 * 1024;

export function exceedsTablePropertyLimit(value: string): boolean {
  return value.length * 2 > MAX_TABLE_PROPERTY_UTF16_BYTES;
}

/** Columns DTAS may move to blobs, each then named by a `<Prop>BlobName` column. */
export const VARIABLE_SIZE_PROPERTIES = [
  'Name',
  'Input',
  'Result',
  'Output',
  'Reason',
  'Details',
  'Correlation',
  'FailureDetails',
  'Tags',
] as const;

export const BLOB_NAME_COLUMNS = VARIABLE_SIZE_PROPERTIES.map((p) => `${p}BlobName`);

/**
 * Blob name for a table property (`GetBlobName`): `{PartitionKey}/history-{RowKey}-{EventType}-{X8}-{Prop}.json.gz`.
 * Rows without EventType (the Instances row) use the property name in its place.
 */
export function tablePropertyBlobName(partitionKey: string, rowKey: string, eventType: string | undefined, property: string): string {
  const random = randomInt(0, 0x7fffffff).toString(16).toUpperCase().padStart(8, '0');
  return `${partitionKey}/history-${rowKey}-${eventType ?? property}-${random}-${property}.json.gz`;
}

/** `Uri.EscapeDataString`: everything but RFC 3986 unreserved characters is percent-encoded. */
export function escapeDataString(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `MessageManager.GetBlobUrl`: the container URL plus the blob name, each `/` segment escaped. */
export function blobUrl(containerUrl: string, blobName: string): string {
  return `${containerUrl.replace(/\/+$/, '')}/${blobName.split('/').map(escapeDataString).join('/')}`;
}

/** DTAS treats a column value as a blob reference iff it is a well-formed absolute URI. */
export function isBlobUrl(value: string): boolean {
  return /^https?:\/\/[^\s/]+\/\S+$/i.test(value);
}

/** Runtimes before 1.9.2 stored the bare message blob name instead of a URL. */
export function isLegacyMessageBlobName(value: string): boolean {
  return /^[^\s{["]+\/message-[0-9a-f]{32}-[A-Za-z]+\.json\.gz$/.test(value);
}

/**
 * The blob name inside `container` that a blob URL points at. The URL's host may differ from
 * ours (emulator, custom domain), so only the path after the container segment is used; it is
 * percent-decoded segment by segment (v2.0.x wrote it unescaped, later versions escaped).
 */
export function blobNameFromUrl(url: string, container: string): string | null {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return null;
  }
  const segments = path.split('/').filter((s) => s.length > 0);
  const index = segments.findIndex((s) => safeDecode(s).toLowerCase() === container.toLowerCase());
  if (index < 0 || index === segments.length - 1) {
    return null;
  }
  return segments.slice(index + 1).map(safeDecode).join('/');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
