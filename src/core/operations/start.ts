// start-new and restart (reference §5.3): enqueue ExecutionStarted first, then write the
// Instances row as Pending with the same ExecutionId, CreatedTime = event Timestamp and the
// next Generation, so the worker's start-message dedupe accepts it.
import { randomUUID } from 'node:crypto';
import type { OperationOptions } from '../model';
import type { TaskHub } from '../hub';
import { ACTIVE_STATUSES } from '../model';
import { ConflictError, ValidationError, throwIfAborted } from '../errors';
import { escapePartitionKey } from '../format/keys';
import { executionStartedEvent } from '../format/messages';
import { hubResourceNames } from '../format/names';
import { exceedsTablePropertyLimit, gzip, tablePropertyBlobName } from '../format/payload';
import { readInstanceRow } from '../instances';
import type { Row } from '../storage/rows';
import { int, str } from '../storage/rows';
import { isConflict, toDurableError } from '../storage/errors';
import { sendControlMessage } from './send';

export interface StartNewOptions extends OperationOptions {
  /** Orchestrator function name. */
  name: string;
  /** Default: a new GUID without dashes, as the runtime does. */
  instanceId?: string;
  /** The input as serialized JSON text, or null for no input. */
  input?: string | null;
  scheduledStartTime?: Date;
  tags?: Record<string, string>;
  /** Overwrite an instance that is still Running, Pending, Suspended or ContinuedAsNew. */
  force?: boolean;
}

export interface StartNewResult {
  instanceId: string;
  executionId: string;
  createdTime: string;
  queue: string;
}

const FORBIDDEN_ID_CHAR = /[/\\#?\u0000-\u001f\u007f-\u009f]/u;

/** The checks the Functions extension makes on orchestration instance ids (reference §2.1). */
export function validateInstanceId(instanceId: string, field = 'id'): string {
  if (instanceId.length === 0) {
    throw new ValidationError(field, 'Invalid instance id: it must not be empty.');
  }
  if (instanceId.length > 256) {
    throw new ValidationError(field, `Invalid instance id: it is ${instanceId.length} characters long; the maximum is 256.`);
  }
  const chars = [...instanceId];
  const at = chars.findIndex((c) => FORBIDDEN_ID_CHAR.test(c));
  if (at >= 0) {
    const c = chars[at];
    const shown = /[\u0000-\u001f\u007f-\u009f]/.test(c) ? `the control character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : `'${c}'`;
    throw new ValidationError(
      field,
      `Invalid instance id: it contains ${shown} at character ${at + 1}; instance ids must not contain '/', '\\', '#', '?' or control characters.`,
    );
  }
  if (instanceId.startsWith('@')) {
    throw new ValidationError(field, "Invalid instance id: it must not start with '@', which is reserved for durable entities (@name@key).");
  }
  return instanceId;
}

export function validateJsonText(text: string | null | undefined, field: string): string | null {
  if (text === undefined || text === null) {
    return null;
  }
  try {
    JSON.parse(text);
  } catch (e) {
    throw new ValidationError(field, `The ${field} is not valid JSON: ${(e as Error).message}`);
  }
  return text;
}

/** The Instances columns start-new needs of an existing row (its status, generation and ETag). */
export const START_CHECK_COLUMNS = ['PartitionKey', 'RuntimeStatus', 'Generation'];

export async function startNew(hub: TaskHub, o: StartNewOptions): Promise<StartNewResult> {
  const generatedId = o.instanceId === undefined;
  const instanceId = validateStart(o);
  // A new random GUID names no existing instance: only a caller's id needs the existence check.
  const existing = generatedId ? undefined : await readInstanceRow(hub, instanceId, START_CHECK_COLUMNS, o.signal);
  return startOver(hub, { ...o, instanceId }, existing);
}

/** Checks what start-new can check without storage; returns the instance id (a new GUID when none was given). */
export function validateStart(o: StartNewOptions): string {
  if (!o.name || !o.name.trim()) {
    throw new ValidationError('function-name', 'The orchestrator function name is required.');
  }
  const instanceId = validateInstanceId(o.instanceId ?? randomUUID().replace(/-/g, ''));
  validateJsonText(o.input, 'input');
  if (o.scheduledStartTime && Number.isNaN(o.scheduledStartTime.getTime())) {
    throw new ValidationError('scheduled-start-time', 'The scheduled start time is not a valid date.');
  }
  return instanceId;
}

/**
 * Start-new once the existing Instances row is known (`START_CHECK_COLUMNS`, or undefined when
 * there is none): refuses an active instance unless forced, then the message and the row.
 */
export async function startOver(hub: TaskHub, o: StartNewOptions & { instanceId: string }, existing: Row | undefined): Promise<StartNewResult> {
  const instanceId = o.instanceId;
  const input = validateJsonText(o.input, 'input');
  throwIfAborted(o.signal);
  const names = hubResourceNames(hub.name);
  const table = hub.clients.table(names.instancesTable);
  const existingStatus = existing ? str(existing, 'RuntimeStatus') : undefined;
  if (existing && !o.force && ACTIVE_STATUSES.includes(existingStatus as never)) {
    throw new ConflictError(
      `An instance with id '${instanceId}' already exists and is ${existingStatus}; terminate it first.`,
      { cliHint: 'Pass --force to overwrite it.' },
    );
  }
  const generation = existing ? (int(existing, 'Generation') ?? 0) + 1 : 0;
  const executionId = randomUUID().replace(/-/g, '');
  const timestamp = new Date();
  const event = executionStartedEvent({
    instance: { instanceId, executionId },
    name: o.name,
    input,
    tags: o.tags ?? null,
    scheduledStartTime: o.scheduledStartTime ?? null,
    generation,
    timestamp,
  });

  // Delayed starts are hidden on the queue until their time, as TaskHubQueue.GetVisibilityDelay does.
  const delaySeconds = o.scheduledStartTime ? Math.max(0, Math.ceil((o.scheduledStartTime.getTime() - Date.now()) / 1000)) : 0;
  const sent = await sendControlMessage(hub, { instanceId, executionId }, event, {
    signal: o.signal,
    visibilityTimeoutSeconds: delaySeconds > 0 ? Math.min(delaySeconds, 7 * 24 * 3600) : undefined,
  });

  const partitionKey = escapePartitionKey(instanceId);
  const row: Record<string, unknown> = {
    partitionKey,
    rowKey: '',
    // Input of an offloaded start message is the URL of the message blob (§2.3).
    Input: sent.blobUrl ?? input ?? undefined,
    CreatedTime: timestamp,
    Name: o.name,
    Version: '',
    RuntimeStatus: 'Pending',
    LastUpdatedTime: new Date(),
    TaskHubName: hub.name,
    ExecutionId: executionId,
    Generation: generation,
    Tags: JSON.stringify(o.tags && Object.keys(o.tags).length > 0 ? o.tags : null),
  };
  if (o.scheduledStartTime) {
    row.ScheduledStartTime = o.scheduledStartTime;
  }
  if (row.Input === undefined) {
    delete row.Input;
  }
  // A message small enough for the queue can still exceed the 60 KB table property limit.
  for (const prop of ['Input', 'Tags'] as const) {
    const value = row[prop];
    if (typeof value === 'string' && exceedsTablePropertyLimit(value)) {
      const blobName = tablePropertyBlobName(partitionKey, '', undefined, prop);
      const container = hub.clients.container(names.largeMessagesContainer);
      await container.createIfNotExists({ abortSignal: o.signal });
      await container.getBlockBlobClient(blobName).uploadData(await gzip(Buffer.from(value, 'utf8')), { abortSignal: o.signal });
      row[`${prop}BlobName`] = blobName;
      row[prop] = '';
    }
  }

  try {
    if (existing && existing.partitionKey === partitionKey) {
      await table.updateEntity(row as never, 'Replace', { etag: existing.etag, abortSignal: o.signal });
    } else {
      await table.createEntity(row as never, { abortSignal: o.signal });
    }
  } catch (e) {
    // DTAS ignores 409/412 here: someone else (the worker, another client) won the race.
    if (!isConflict(e)) {
      throw toDurableError(e, { endpoint: hub.clients.endpoints.table, what: `table '${names.instancesTable}'`, secrets: hub.clients.secrets });
    }
  }
  o.onProgress?.({ message: `Started '${o.name}' as '${instanceId}'` });
  return { instanceId, executionId, createdTime: timestamp.toISOString(), queue: sent.queue };
}
