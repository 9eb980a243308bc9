// Reading stored payloads: inline JSON text, blob URLs, legacy blob names and `<Prop>BlobName`
// columns all become the value the user wrote.
import type { JsonValue } from './model';
import type { TaskHub } from './hub';
import { hubResourceNames } from './format/names';
import { blobNameFromUrl, gunzip, isBlobUrl, isLegacyMessageBlobName } from './format/payload';
import { isNotFound, toDurableError } from './storage/errors';

/** Stored text → value: JSON when it parses, else the raw string; absent or "null" → null. */
export function parseStoredValue(text: string | undefined | null): JsonValue {
  if (text === undefined || text === null || text === 'null') {
    return null;
  }
  const trimmed = text.trim();
  if (trimmed.length === 0) {
    return text;
  }
  try {
    return JSON.parse(trimmed) as JsonValue;
  } catch {
    return text;
  }
}

/**
 * A stored payload that exists but cannot be read: not gzip, not UTF-8, or not the message it
 * should be. Not a storage failure, so display paths show it in place of the value (see
 * `unreadableValue`) and keep going; operations that would copy the value (restart) refuse.
 */
export class CorruptValueError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CorruptValueError';
  }
}

/** What is shown in place of a value that cannot be read: one line saying why. */
export function unreadableValue(e: CorruptValueError | string): string {
  return `[unreadable: ${typeof e === 'string' ? e : e.message}]`;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Downloads, gunzips and decodes one blob of `{h}-largemessages`; CorruptValueError when the bytes are bad. */
export async function downloadLargeMessage(hub: TaskHub, blobName: string, signal?: AbortSignal): Promise<string> {
  const container = hubResourceNames(hub.name).largeMessagesContainer;
  const where = `blob '${container}/${blobName}'`;
  let buffer: Buffer;
  try {
    buffer = await hub.clients.container(container).getBlobClient(blobName).downloadToBuffer(undefined, undefined, { abortSignal: signal });
  } catch (e) {
    throw toDurableError(e, { endpoint: hub.clients.endpoints.blob, what: where, secrets: hub.clients.secrets });
  }
  let bytes: Buffer;
  try {
    bytes = await gunzip(buffer);
  } catch (e) {
    throw new CorruptValueError(`${where} is not gzip data (${(e as Error).message})`, { cause: e });
  }
  try {
    return STRICT_UTF8.decode(bytes);
  } catch (e) {
    throw new CorruptValueError(`${where} is not valid UTF-8 text`, { cause: e });
  }
}

/**
 * A `<Prop>BlobName` column's value for display: the blob's text, or the unreadable marker when the
 * blob is corrupt or gone (a missing blob is data loss to show, not a reason to fail the listing).
 */
export async function readBlobValueForDisplay(hub: TaskHub, blobName: string, signal?: AbortSignal): Promise<string> {
  try {
    return await downloadLargeMessage(hub, blobName, signal);
  } catch (e) {
    if (e instanceof CorruptValueError) {
      return unreadableValue(e);
    }
    if (isNotFound(e)) {
      return unreadableValue(`blob '${hubResourceNames(hub.name).largeMessagesContainer}/${blobName}' does not exist`);
    }
    throw e;
  }
}

/** The blob an Instances `Input`/`Output` value refers to, or undefined for an inline value. */
export function referencedBlobName(hub: TaskHub, value: string | undefined): string | undefined {
  if (!value) {
    return undefined;
  }
  if (isBlobUrl(value)) {
    return blobNameFromUrl(value, hubResourceNames(hub.name).largeMessagesContainer) ?? undefined;
  }
  return isLegacyMessageBlobName(value) ? value : undefined;
}

/**
 * Resolves an Instances-table `Input`/`Output` value. A blob that holds a whole start message
 * (`…ExecutionStarted.json.gz`) yields its event's Input. With `mode: 'display'` (the default) a
 * missing blob leaves the reference as is and a corrupt one gives the unreadable marker; with
 * `'strict'` (callers that would copy the value) both throw CorruptValueError.
 */
export async function resolveInstanceValue(
  hub: TaskHub,
  value: string | undefined,
  signal?: AbortSignal,
  mode: 'display' | 'strict' = 'display',
): Promise<string | undefined> {
  const blobName = referencedBlobName(hub, value);
  if (!blobName) {
    return value;
  }
  try {
    const content = await downloadLargeMessage(hub, blobName, signal);
    if (!blobName.endsWith('ExecutionStarted.json.gz')) {
      return content;
    }
    let message: { TaskMessage?: { Event?: { Input?: unknown } } };
    try {
      message = JSON.parse(content) as typeof message;
    } catch (e) {
      throw new CorruptValueError(`blob '${hubResourceNames(hub.name).largeMessagesContainer}/${blobName}' is not a start message (not JSON)`, { cause: e });
    }
    const input = message?.TaskMessage?.Event?.Input;
    return input === undefined || input === null ? undefined : typeof input === 'string' ? input : JSON.stringify(input);
  } catch (e) {
    if (isNotFound(e)) {
      if (mode === 'strict') {
        throw new CorruptValueError(`blob '${hubResourceNames(hub.name).largeMessagesContainer}/${blobName}' does not exist`, { cause: e });
      }
      return value;
    }
    if (e instanceof CorruptValueError && mode === 'display') {
      return unreadableValue(e);
    }
    throw e;
  }
}
