// Storage snapshots for "nothing was written" and "only these were touched" assertions: every row,
// blob and queue message, one sorted line each, read with the plain SDKs (never through core, so a
// bug in core can't hide itself). Compare two snapshots with assert.deepEqual.
import { createHash } from 'node:crypto';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { escapePartitionKey, hubResourceNames } from '../../src/core';

function rowLine(table: string, entity: Record<string, unknown>): string {
  // Timestamp and etag change on any write, but a write that changed nothing else is still a write:
  // keep the etag (an unchanged row keeps its etag), drop only the SDK's parsed timestamp.
  const { timestamp: _timestamp, ...rest } = entity;
  return `table|${table}|${JSON.stringify(rest)}`;
}

async function tableLines(connectionString: string, table: string): Promise<string[]> {
  const out: string[] = [];
  const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
  try {
    for await (const entity of client.listEntities()) {
      out.push(rowLine(table, entity as Record<string, unknown>));
    }
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) {
      throw e;
    }
  }
  return out;
}

async function containerLines(connectionString: string, container: string): Promise<string[]> {
  const out: string[] = [];
  const client = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
  try {
    for await (const blob of client.listBlobsFlat()) {
      const bytes = await client.getBlobClient(blob.name).downloadToBuffer();
      out.push(`blob|${container}|${blob.name}|${createHash('sha256').update(bytes).digest('hex')}`);
    }
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) {
      throw e;
    }
  }
  return out;
}

async function queueLines(connectionString: string, queue: string): Promise<string[]> {
  const client = QueueServiceClient.fromConnectionString(connectionString).getQueueClient(queue);
  try {
    const count = (await client.getProperties()).approximateMessagesCount ?? 0;
    // Peek shows at most 32: the count covers the rest (a message added or removed changes it).
    const peeked = await client.peekMessages({ numberOfMessages: 32 });
    return [`queue|${queue}|count=${count}`, ...peeked.peekedMessageItems.map((m) => `queue|${queue}|${m.messageId}|${m.messageText}`)];
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) {
      throw e;
    }
    return [];
  }
}

/** Every table row, blob (with a hash of its content) and queue message of the account. */
export async function accountSnapshot(connectionString: string): Promise<string[]> {
  const out: string[] = [];
  const tables = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  for await (const t of tables.listTables()) {
    out.push(`table|${t.name}`, ...(await tableLines(connectionString, t.name ?? '')));
  }
  for await (const c of BlobServiceClient.fromConnectionString(connectionString).listContainers()) {
    out.push(`container|${c.name}`, ...(await containerLines(connectionString, c.name)));
  }
  for await (const q of QueueServiceClient.fromConnectionString(connectionString).listQueues()) {
    out.push(`queue|${q.name}`, ...(await queueLines(connectionString, q.name)));
  }
  return out.sort();
}

/** The rows of a hub's Instances and History tables and its large-message blobs. */
export async function hubSnapshot(connectionString: string, hubName: string): Promise<string[]> {
  const names = hubResourceNames(hubName);
  return [
    ...(await tableLines(connectionString, names.instancesTable)),
    ...(await tableLines(connectionString, names.historyTable)),
    ...(await containerLines(connectionString, names.largeMessagesContainer)),
  ].sort();
}

/** True for snapshot lines (rows or blobs) that belong to the instance. */
export function belongsTo(line: string, instanceId: string): boolean {
  const pk = escapePartitionKey(instanceId);
  return line.includes(`"partitionKey":${JSON.stringify(pk)}`) || /^blob\|[^|]+\|/.test(line) && line.split('|')[2].startsWith(`${pk}/`);
}
