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

/** Downloads and gunzips one blob of `{h}-largemessages`. */
export async function downloadLargeMessage(hub: TaskHub, blobName: string, signal?: AbortSignal): Promise<string> {
  const container = hubResourceNames(hub.name).largeMessagesContainer;
  try {
    const buffer = await hub.clients.container(container).getBlobClient(blobName).downloadToBuffer(undefined, undefined, { abortSignal: signal });
    return (await gunzip(buffer)).toString('utf8');
  } catch (e) {
    throw toDurableError(e, { endpoint: hub.clients.endpoints.blob, what: `blob '${container}/${blobName}'`, secrets: hub.clients.secrets });
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
 * (`…ExecutionStarted.json.gz`) yields its event's Input. A missing blob leaves the reference as is.
 */
export async function resolveInstanceValue(hub: TaskHub, value: string | undefined, signal?: AbortSignal): Promise<string | undefined> {
  const blobName = referencedBlobName(hub, value);
  if (!blobName) {
    return value;
  }
  let content: string;
  try {
    content = await downloadLargeMessage(hub, blobName, signal);
  } catch (e) {
    if (isNotFound(e)) {
      return value;
    }
    throw e;
  }
  if (blobName.endsWith('ExecutionStarted.json.gz')) {
    const message = JSON.parse(content) as { TaskMessage?: { Event?: { Input?: string | null } } };
    return message.TaskMessage?.Event?.Input ?? undefined;
  }
  return content;
}
