// The worker's tracking store: DurableTask.AzureStorage `Tracking/AzureTableTrackingStore.cs`
// redone over core's storage helpers. History of the current execution (GetHistoryEventsAsync),
// the checkpoint (UpdateStateAsync + UploadHistoryBatch + CompressLargeMessageAsync), and the
// Instances-row-only paths (UpdateStatusForTerminationAsync, the completed-instance repair).
import type { TableEntity, TransactionAction } from '@azure/data-tables';
import type { TaskHub } from '../../src/core/hub';
import { escapePartitionKey } from '../../src/core/format/keys';
import { hubResourceNames } from '../../src/core/format/names';
import { and, eq, or } from '../../src/core/format/odata';
import { VARIABLE_SIZE_PROPERTIES, blobUrl, exceedsTablePropertyLimit, gzip, tablePropertyBlobName } from '../../src/core/format/payload';
import { queryRows, str } from '../../src/core/storage/rows';
import type { Row } from '../../src/core/storage/rows';
import { isNotFound } from '../../src/core/storage/errors';
import { downloadLargeMessage } from '../../src/core/values';
import { SENTINEL_ROW_KEY, historyRowKey } from '../seed/hubWriter';
import type { FieldValue } from '../seed/hubWriter';
import { EdmDateTime, JsonColumn } from '../seed/hubWriter';
import type { WorkerEvent } from './events';
import { fromRow, jsonField, strField, utcNow } from './events';

export type Entity = TableEntity<Record<string, unknown>>;

/** An orchestration's stored state as the session manager loads it before an episode. */
export interface LoadedHistory {
  /** Events of the current execution, in RowKey order (leftovers of older executions excluded). */
  events: WorkerEvent[];
  executionId: string | null;
  /** The sentinel row's ETag: the optimistic-concurrency token of the next checkpoint. */
  sentinelEtag: string | null;
  /** Blobs the current execution's rows reference (deleted once a new execution replaces them). */
  blobs: string[];
}

function edm(iso: string): { value: string; type: 'DateTime' } {
  return { value: iso, type: 'DateTime' };
}

/**
 * `GetHistoryEventsAsync(instanceId, expectedExecutionId)`: the sentinel names the current
 * execution; reading stops at the first row of another one. When an execution id is expected
 * and the sentinel names another, the history is treated as empty (a new execution is starting).
 */
export async function loadHistory(hub: TaskHub, instanceId: string, expectedExecutionId: string | null): Promise<LoadedHistory> {
  const pk = escapePartitionKey(instanceId);
  const table = hub.clients.table(hubResourceNames(hub.name).historyTable);
  const filter = expectedExecutionId
    ? and(eq('PartitionKey', pk), or(eq('RowKey', SENTINEL_ROW_KEY), eq('ExecutionId', expectedExecutionId)))
    : eq('PartitionKey', pk);
  const rows: Row[] = [];
  try {
    for await (const page of queryRows(table, filter)) {
      rows.push(...page);
    }
  } catch (e) {
    if (!isNotFound(e)) {
      throw e;
    }
  }
  const sentinel = rows.find((r) => r.rowKey === SENTINEL_ROW_KEY);
  const sentinelExecution = sentinel ? str(sentinel, 'ExecutionId') ?? null : null;
  const result: LoadedHistory = { events: [], executionId: expectedExecutionId, sentinelEtag: sentinel?.etag ?? null, blobs: [] };
  if (rows.length === 0 || (expectedExecutionId !== null && expectedExecutionId !== sentinelExecution)) {
    return result;
  }
  const executionId = sentinelExecution ?? str(rows[0], 'ExecutionId') ?? null;
  result.executionId = executionId;
  for (const row of rows) {
    if (str(row, 'ExecutionId') !== executionId) {
      break;
    }
    if (row === sentinel) {
      continue;
    }
    // DecompressLargeEntityProperties: `<Prop>BlobName` columns are read back into `<Prop>`.
    for (const prop of VARIABLE_SIZE_PROPERTIES) {
      const blobName = str(row, `${prop}BlobName`);
      if (blobName) {
        row.columns[prop] = await downloadLargeMessage(hub, blobName);
        result.blobs.push(blobName);
      }
    }
    result.events.push(fromRow(row));
  }
  return result;
}

/** A column value as `@azure/data-tables` writes it; undefined = not written (the service has no nulls). */
function cell(value: FieldValue): unknown {
  if (value instanceof JsonColumn) {
    // v2 rows: a null JSON member is the string "null" (TableEntityConverter + Utils.SerializeToJson).
    return value.value === undefined ? 'null' : JSON.stringify(value.value);
  }
  if (value instanceof EdmDateTime) {
    return edm(value.iso);
  }
  if (value instanceof Date) {
    return edm(value.toISOString().replace(/Z$/, '0000Z'));
  }
  return value === null ? undefined : value;
}

/** `TableEntityConverter.Serialize` of one event, with its RowKey and ExecutionId. */
export function historyEntity(pk: string, sequence: number, executionId: string, e: WorkerEvent): Entity {
  const row: Entity = {
    partitionKey: pk,
    rowKey: historyRowKey(sequence),
    EventType: e.eventType,
    EventId: e.eventId,
    IsPlayed: e.isPlayed,
    _Timestamp: edm(e.timestamp),
  };
  for (const [name, value] of Object.entries(e.fields)) {
    const v = cell(value);
    if (v !== undefined) {
      row[name] = v;
    }
  }
  row.ExecutionId = executionId;
  return row;
}

async function uploadGzip(hub: TaskHub, blobName: string, text: string): Promise<void> {
  const container = hub.clients.container(hubResourceNames(hub.name).largeMessagesContainer);
  await container.createIfNotExists();
  await container.getBlockBlobClient(blobName).uploadData(await gzip(Buffer.from(text, 'utf8')));
}

export function largeMessageUrl(hub: TaskHub, blobName: string): string {
  return blobUrl(hub.clients.container(hubResourceNames(hub.name).largeMessagesContainer).url, blobName);
}

/**
 * `CompressLargeMessageAsync`: each variable-size property over 60 KB (UTF-16) goes to a gzip
 * blob; the column becomes "" plus `<Prop>BlobName`, or (Instances paths) the blob URL itself.
 */
async function compressLargeProperties(hub: TaskHub, entity: Entity, addBlobPropertyName: boolean): Promise<string[]> {
  const names: string[] = [];
  for (const prop of VARIABLE_SIZE_PROPERTIES) {
    const value = entity[prop];
    if (typeof value !== 'string' || !exceedsTablePropertyLimit(value)) {
      continue;
    }
    const eventType = typeof entity.EventType === 'string' ? entity.EventType : undefined;
    const blobName = tablePropertyBlobName(entity.partitionKey, entity.rowKey, eventType, prop);
    await uploadGzip(hub, blobName, value);
    if (addBlobPropertyName) {
      entity[`${prop}BlobName`] = blobName;
      entity[prop] = '';
    } else {
      entity[prop] = largeMessageUrl(hub, blobName);
    }
    names.push(blobName);
  }
  return names;
}

export interface CheckpointInput {
  instanceId: string;
  executionId: string;
  /** Every event of the execution; the new ones are its tail. */
  allEvents: readonly WorkerEvent[];
  newEventCount: number;
  sentinelEtag: string | null;
  /** Serialized custom status, or null ("null" is stored). */
  customStatus: string | null;
  /** Blobs of a replaced execution, deleted after the commit. */
  blobsToDelete?: readonly string[];
}

export interface CheckpointResult {
  runtimeStatus: string;
  sentinelEtag: string | null;
  /** Blobs the new rows reference. */
  blobs: string[];
}

/** A 409/412 on the sentinel: another writer checkpointed this instance ("split brain"). */
export class CheckpointConflictError extends Error {}

const MAX_BATCH_EVENTS = 99;
const MAX_BATCH_BYTES = 3 * 1024 * 1024;

function estimatedBytes(entity: Entity): number {
  let bytes = 1024;
  for (const prop of VARIABLE_SIZE_PROPERTIES) {
    const v = entity[prop];
    if (typeof v === 'string' && v !== '') {
      bytes += v.length * 2;
    }
  }
  return bytes;
}

/**
 * `UpdateStateAsync`: the new events as History rows (RowKey = sequence number, X16) in
 * transactions of ≤ 99 rows + the sentinel (Add the first time, else Merge with its ETag), then
 * the Instances row (InsertOrMerge) with the columns the new events imply, then the deletion of
 * blobs a replaced execution left.
 */
export async function checkpoint(hub: TaskHub, c: CheckpointInput): Promise<CheckpointResult> {
  const names = hubResourceNames(hub.name);
  const pk = escapePartitionKey(c.instanceId);
  const historyTable = hub.clients.table(names.historyTable);
  const firstNew = c.allEvents.length - c.newEventCount;
  const newEvents = c.allEvents.slice(firstNew);
  if (newEvents.length === 0) {
    throw new Error('A checkpoint needs at least one new event.');
  }

  const instance: Entity = {
    partitionKey: pk,
    rowKey: '',
    CustomStatus: c.customStatus ?? 'null',
    ExecutionId: c.executionId,
    LastUpdatedTime: edm(newEvents[newEvents.length - 1].timestamp),
    TaskHubName: hub.name,
  };
  let runtimeStatus = 'Running';
  // The status this checkpoint reports, and the Instances column when an event changes it.
  const setStatus = (status: string): void => {
    runtimeStatus = status;
    instance.RuntimeStatus = status;
  };
  const blobs: string[] = [];
  let etag = c.sentinelEtag;
  let batch: TransactionAction[] = [];
  let bytes = 0;

  // SetInstancesTablePropertyFromHistoryProperty: the history blob's URL when offloaded.
  const fromHistory = (entity: Entity, historyProp: string, instanceProp: string, data: string | null): void => {
    const blobName = entity[`${historyProp}BlobName`];
    if (typeof blobName === 'string') {
      instance[instanceProp] = largeMessageUrl(hub, blobName);
    } else if (data !== null) {
      instance[instanceProp] = data;
    }
  };

  const flush = async (isFinal: boolean): Promise<void> => {
    const sentinel: Entity = { partitionKey: pk, rowKey: SENTINEL_ROW_KEY, ExecutionId: c.executionId, IsCheckpointComplete: isFinal };
    if (isFinal) {
      sentinel.CheckpointCompletedTimestamp = edm(utcNow());
    }
    const actions: TransactionAction[] = [...batch, etag ? ['update', sentinel, 'Merge', { etag }] : ['create', sentinel]];
    try {
      const response = await historyTable.submitTransaction(actions);
      const sub = response.subResponses.find((r) => r.rowKey === SENTINEL_ROW_KEY) ?? response.subResponses[response.subResponses.length - 1];
      etag = sub?.etag ?? null;
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 409 || status === 412) {
        throw new CheckpointConflictError(`Checkpoint of '${c.instanceId}' conflicts with another writer (HTTP ${status}).`);
      }
      throw e;
    }
    if (!etag) {
      etag = (await historyTable.getEntity(pk, SENTINEL_ROW_KEY)).etag;
    }
    batch = [];
    bytes = 0;
  };

  for (let i = 0; i < newEvents.length; i++) {
    const e = newEvents[i];
    const entity = historyEntity(pk, firstNew + i, c.executionId, e);
    blobs.push(...(await compressLargeProperties(hub, entity, true)));
    // UpsertReplace: a replayed episode after a failed commit rewrites the same rows.
    batch.push(['upsert', entity, 'Replace']);
    bytes += estimatedBytes(entity);

    switch (e.eventType) {
      case 'ExecutionStarted': {
        setStatus('Running');
        instance.Name = strField(e, 'Name');
        instance.Version = strField(e, 'Version') ?? undefined;
        instance.CreatedTime = edm(e.timestamp);
        // TagsSerializer.Serialize: JsonConvert of the dictionary, "null" when none.
        instance.Tags = JSON.stringify(jsonField(e, 'Tags') ?? null);
        const generation = e.fields.Generation;
        if (typeof generation === 'number') {
          instance.Generation = generation;
        }
        const scheduled = e.fields.ScheduledStartTime;
        if (scheduled instanceof EdmDateTime || (typeof scheduled === 'string' && scheduled)) {
          instance.ScheduledStartTime = cell(scheduled);
        }
        fromHistory(entity, 'Input', 'Input', strField(e, 'Input'));
        break;
      }
      case 'ExecutionCompleted': {
        setStatus(strField(e, 'OrchestrationStatus') ?? 'Completed');
        instance.CompletedTime = edm(utcNow());
        const failure = jsonField<{ ErrorType?: string; ErrorMessage?: string }>(e, 'FailureDetails');
        // FailureDetails?.ToString() ?? Result
        fromHistory(entity, 'Result', 'Output', failure ? `${failure.ErrorType}: ${failure.ErrorMessage}` : strField(e, 'Result'));
        break;
      }
      case 'ExecutionTerminated':
        setStatus('Terminated');
        instance.CompletedTime = edm(utcNow());
        fromHistory(entity, 'Input', 'Output', strField(e, 'Input'));
        break;
      case 'ExecutionSuspended':
        setStatus('Suspended');
        fromHistory(entity, 'Reason', 'Output', strField(e, 'Reason'));
        break;
      case 'ExecutionResumed':
        setStatus('Running');
        fromHistory(entity, 'Reason', 'Output', strField(e, 'Reason'));
        break;
      case 'ContinueAsNew':
        setStatus('ContinuedAsNew');
        fromHistory(entity, 'Result', 'Output', strField(e, 'Result'));
        break;
      default:
        break;
    }
    if (batch.length === MAX_BATCH_EVENTS || bytes > MAX_BATCH_BYTES) {
      await flush(i === newEvents.length - 1);
    }
  }
  if (batch.length > 0) {
    await flush(true);
  }

  for (const [k, v] of Object.entries(instance)) {
    if (v === undefined || v === null) {
      delete instance[k];
    }
  }
  await hub.clients.table(names.instancesTable).upsertEntity(instance, 'Merge');

  for (const blobName of c.blobsToDelete ?? []) {
    await hub.clients
      .container(names.largeMessagesContainer)
      .deleteBlob(blobName, { deleteSnapshots: 'include' })
      .catch(() => undefined);
  }
  return { runtimeStatus, sentinelEtag: etag, blobs };
}

/**
 * `UpdateStatusForTerminationAsync`: a terminate message for an instance without history
 * (Pending) changes only its Instances row: Merge (ETag *) of Terminated, the event's
 * timestamp, now as CompletedTime and the reason as Output (a blob URL when large).
 */
export async function updateStatusForTermination(hub: TaskHub, instanceId: string, terminated: WorkerEvent): Promise<void> {
  const entity: Entity = {
    partitionKey: escapePartitionKey(instanceId),
    rowKey: '',
    RuntimeStatus: 'Terminated',
    LastUpdatedTime: edm(terminated.timestamp),
    CompletedTime: edm(utcNow()),
  };
  const reason = strField(terminated, 'Input');
  if (reason !== null) {
    entity.Output = reason;
  }
  await compressLargeProperties(hub, entity, false);
  await hub.clients.table(hubResourceNames(hub.name).instancesTable).updateEntity(entity, 'Merge', { etag: '*' });
}

/** The Instances row's RuntimeStatus and ExecutionId, or undefined. */
export async function readInstanceStatus(hub: TaskHub, instanceId: string): Promise<{ status?: string; executionId?: string; generation?: number; createdTime?: string } | undefined> {
  try {
    const raw = (await hub.clients
      .table(hubResourceNames(hub.name).instancesTable)
      .getEntity(escapePartitionKey(instanceId), '', { disableTypeConversion: true, queryOptions: { select: ['RuntimeStatus', 'ExecutionId', 'Generation', 'CreatedTime'] } })) as Record<string, unknown>;
    const value = (k: string): unknown => {
      const cellValue = raw[k];
      return cellValue && typeof cellValue === 'object' && 'value' in cellValue ? (cellValue as { value: unknown }).value : cellValue;
    };
    const generation = value('Generation');
    return {
      status: value('RuntimeStatus') as string | undefined,
      executionId: value('ExecutionId') as string | undefined,
      generation: generation === undefined || generation === null ? undefined : Number(generation),
      createdTime: value('CreatedTime') as string | undefined,
    };
  } catch (e) {
    if (isNotFound(e)) {
      return undefined;
    }
    throw e;
  }
}

/**
 * `UpdateInstanceStatusForCompletedOrchestrationAsync` (the repair `IsExecutableInstanceAsync`
 * does when the Instances row disagrees with a finished history, e.g. after a rewind of an
 * instance that was not Failed): InsertOrMerge of the status the history implies.
 */
export async function repairCompletedInstance(hub: TaskHub, instanceId: string, executionId: string, history: readonly WorkerEvent[], customStatus: string | null): Promise<void> {
  const started = history.find((e) => e.eventType === 'ExecutionStarted');
  const completed = history.find((e) => e.eventType === 'ExecutionCompleted');
  if (!started || !completed) {
    return;
  }
  const failure = jsonField<{ ErrorType?: string; ErrorMessage?: string }>(completed, 'FailureDetails');
  const output = failure ? `${failure.ErrorType}: ${failure.ErrorMessage}` : strField(completed, 'Result');
  const entity: Entity = {
    partitionKey: escapePartitionKey(instanceId),
    rowKey: '',
    Name: strField(started, 'Name') ?? undefined,
    Version: strField(started, 'Version') ?? undefined,
    CreatedTime: edm(started.timestamp),
    CustomStatus: customStatus ?? 'null',
    ExecutionId: executionId,
    LastUpdatedTime: edm(history[history.length - 1].timestamp),
    RuntimeStatus: strField(completed, 'OrchestrationStatus') ?? 'Completed',
    CompletedTime: edm(completed.timestamp),
    Tags: JSON.stringify(jsonField(started, 'Tags') ?? null),
    TaskHubName: hub.name,
  };
  if (output !== null) {
    entity.Output = output;
  }
  for (const [k, v] of Object.entries(entity)) {
    if (v === undefined) {
      delete entity[k];
    }
  }
  await compressLargeProperties(hub, entity, false);
  await hub.clients.table(hubResourceNames(hub.name).instancesTable).upsertEntity(entity, 'Merge');
}

/** True when any History row of the instance was rewritten by a rewind (`Reason` = "Rewound: …"). */
export async function hasBeenRewound(hub: TaskHub, instanceId: string): Promise<boolean> {
  const table = hub.clients.table(hubResourceNames(hub.name).historyTable);
  // No `startswith` in OData: a range over the prefix.
  const filter = and(eq('PartitionKey', escapePartitionKey(instanceId)), "Reason ge 'Rewound:' and Reason lt 'Rewound;'");
  for await (const rows of queryRows(table, filter, { select: ['RowKey'], pageSize: 1 })) {
    if (rows.length > 0) {
      return true;
    }
  }
  return false;
}
