// The floors: the same work done with the raw Azure SDKs and nothing else — no validation, no
// error mapping, no row normalisation — as the best a client of this storage could do. Message
// bodies and row shapes come from core's pure formatters, so both sides write the same bytes
// and only the storage traffic and its orchestration differ.
import { TableClient } from '@azure/data-tables';
import type { TableEntityResult, TransactionAction } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import type { ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import type { QueueClient } from '@azure/storage-queue';
import { randomUUID } from 'node:crypto';
import { buildMessage, encodeQueueBody, executionStartedEvent, executionTerminatedEvent } from '../../src/core/format/messages';
import { hubResourceNames } from '../../src/core/format/names';
import { controlQueueFor } from '../../src/core/format/partition';
import { escapePartitionKey, instanceIdFromPartitionKey } from '../../src/core/format/keys';
import { BLOB_NAME_COLUMNS } from '../../src/core/format/payload';

/** Raw SDK clients for one hub, built straight from the connection string. */
export class RawHub {
  readonly names;
  readonly instances: TableClient;
  readonly history: TableClient;
  readonly largeMessages: ContainerClient;
  private readonly queues: QueueServiceClient;
  private readonly queueClients = new Map<string, QueueClient>();

  constructor(
    readonly connectionString: string,
    readonly hubName: string,
    readonly partitionCount = 4,
  ) {
    this.names = hubResourceNames(hubName);
    this.instances = TableClient.fromConnectionString(connectionString, this.names.instancesTable, { allowInsecureConnection: true });
    this.history = TableClient.fromConnectionString(connectionString, this.names.historyTable, { allowInsecureConnection: true });
    this.largeMessages = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(this.names.largeMessagesContainer);
    this.queues = QueueServiceClient.fromConnectionString(connectionString);
  }

  queueFor(instanceId: string): QueueClient {
    const name = controlQueueFor(this.hubName, instanceId, this.partitionCount);
    let q = this.queueClients.get(name);
    if (!q) {
      q = this.queues.getQueueClient(name);
      this.queueClients.set(name, q);
    }
    return q;
  }
}

/** At most `limit` calls in flight over `items`. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      await fn(items[next++]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** One raw `listEntities` page; returns the number of rows. */
export async function rawFirstPage(table: TableClient, filter: string, select: string[], top: number): Promise<number> {
  const page = await table.listEntities({ queryOptions: { filter, select } }).byPage({ maxPageSize: top }).next();
  return page.done ? 0 : page.value.length;
}

/** A raw paged scan (1,000 rows a page); returns the number of rows. */
export async function rawScan(table: TableClient, select: string[], filter?: string): Promise<number> {
  let n = 0;
  for await (const page of table.listEntities({ queryOptions: { select, ...(filter ? { filter } : {}) } }).byPage({ maxPageSize: 1000 })) {
    n += page.length;
  }
  return n;
}

/** Counts per RuntimeStatus, reading only that column. */
export async function rawCountByStatus(table: TableClient): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for await (const page of table.listEntities<{ RuntimeStatus?: string }>({ queryOptions: { select: ['RuntimeStatus'] } }).byPage({ maxPageSize: 1000 })) {
    for (const row of page) {
      const s = row.RuntimeStatus ?? 'Unknown';
      counts[s] = (counts[s] ?? 0) + 1;
    }
  }
  return counts;
}

/** Every row of one history partition; returns the number of rows. */
export async function rawHistory(table: TableClient, partitionKey: string): Promise<number> {
  let n = 0;
  const filter = `PartitionKey eq '${partitionKey.replace(/'/g, "''")}'`;
  for await (const page of table.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: 1000 })) {
    n += page.length;
  }
  return n;
}

export interface RawPurgeResult {
  instances: number;
  rows: number;
  blobs: number;
}

/**
 * Purges every instance with one of `statuses`: the large-messages container is listed once and
 * its blobs grouped by instance (the `{id}/` prefix), then per instance — `concurrency` at a time —
 * its history partition is read (keys and blob-name columns only), its blobs deleted, its history
 * deleted in batch transactions of 100, then its Instances row. Pages of the instance scan are
 * pipelined: the next page is read while the current one is being purged.
 */
export async function rawPurge(hub: RawHub, o: { statuses: readonly string[]; concurrency: number }): Promise<RawPurgeResult> {
  const result: RawPurgeResult = { instances: 0, rows: 0, blobs: 0 };
  const blobsByPrefix = new Map<string, string[]>();
  for await (const blob of hub.largeMessages.listBlobsFlat()) {
    const prefix = blob.name.split('/')[0];
    let list = blobsByPrefix.get(prefix);
    if (!list) {
      blobsByPrefix.set(prefix, (list = []));
    }
    list.push(blob.name);
  }
  const filter = o.statuses.map((s) => `RuntimeStatus eq '${s}'`).join(' or ');
  const pages = hub.instances.listEntities({ queryOptions: { filter, select: ['PartitionKey'] } }).byPage({ maxPageSize: 1000 });
  let pending = pages.next();
  for (;;) {
    const page = await pending;
    if (page.done) {
      break;
    }
    pending = pages.next();
    await pool(page.value, o.concurrency, async (row) => {
      const deleted = await rawPurgeOne(hub, row.partitionKey!, blobsByPrefix, o.concurrency === 1);
      result.instances++;
      result.rows += deleted.rows;
      result.blobs += deleted.blobs;
    });
  }
  return result;
}

async function rawPurgeOne(hub: RawHub, partitionKey: string, blobsByPrefix: Map<string, string[]>, sequential: boolean): Promise<{ rows: number; blobs: number }> {
  const instanceId = instanceIdFromPartitionKey(partitionKey);
  const blobs = new Set([...(blobsByPrefix.get(partitionKey) ?? []), ...(blobsByPrefix.get(instanceId) ?? [])]);
  const rowKeys: string[] = [];
  const filter = `PartitionKey eq '${partitionKey.replace(/'/g, "''")}'`;
  for await (const page of hub.history.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['RowKey', ...BLOB_NAME_COLUMNS] } }).byPage({ maxPageSize: 1000 })) {
    for (const row of page as TableEntityResult<Record<string, unknown>>[]) {
      rowKeys.push(row.rowKey!);
      for (const c of BLOB_NAME_COLUMNS) {
        if (typeof row[c] === 'string' && row[c]) {
          blobs.add(row[c] as string);
        }
      }
    }
  }
  const each = async <T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> => {
    if (sequential) {
      for (const item of items) {
        await fn(item);
      }
    } else {
      await Promise.all(items.map(fn));
    }
  };
  await each([...blobs], async (name) => {
    await hub.largeMessages.deleteBlob(name).catch(() => undefined);
  });
  const batches: string[][] = [];
  for (let i = 0; i < rowKeys.length; i += 100) {
    batches.push(rowKeys.slice(i, i + 100));
  }
  await each(batches, async (batch) => {
    const actions: TransactionAction[] = batch.map((rowKey) => ['delete', { partitionKey, rowKey }]);
    await hub.history.submitTransaction(actions);
  });
  await hub.instances.deleteEntity(partitionKey, '');
  return { rows: rowKeys.length + 1, blobs: blobs.size };
}

/**
 * Starts `ids` as start-new does — the ExecutionStarted message on the control queue, then the
 * Pending Instances row — without the existence check; `concurrency` at a time.
 */
export async function rawStartNew(hub: RawHub, ids: readonly string[], name: string, concurrency: number): Promise<void> {
  await pool(ids, concurrency, async (instanceId) => {
    const executionId = randomUUID().replace(/-/g, '');
    const timestamp = new Date();
    const event = executionStartedEvent({ instance: { instanceId, executionId }, name, input: '{"n":1}', tags: null, scheduledStartTime: null, generation: 0, timestamp });
    await hub.queueFor(instanceId).sendMessage(encodeQueueBody(buildMessage({ instanceId, executionId }, event).json), { messageTimeToLive: -1 });
    await hub.instances.createEntity({
      partitionKey: escapePartitionKey(instanceId),
      rowKey: '',
      Input: '{"n":1}',
      CreatedTime: timestamp,
      Name: name,
      Version: '',
      RuntimeStatus: 'Pending',
      LastUpdatedTime: new Date(),
      TaskHubName: hub.hubName,
      ExecutionId: executionId,
      Generation: 0,
      Tags: 'null',
    });
  });
}

/** Sends a terminate message to each of `ids` (no status check); `concurrency` at a time. */
export async function rawTerminate(hub: RawHub, ids: readonly string[], reason: string, concurrency: number): Promise<void> {
  await pool(ids, concurrency, async (instanceId) => {
    const message = buildMessage({ instanceId, executionId: null }, executionTerminatedEvent(reason, new Date()));
    await hub.queueFor(instanceId).sendMessage(encodeQueueBody(message.json), { messageTimeToLive: -1 });
  });
}
