// Task hubs: discovery, opening (existence + partition count), the handle every operation takes.
import type { OperationOptions, TaskHubInfo } from './model';
import type { StorageClients } from './storage/clients';
import { NotFoundError, ValidationError, throwIfAborted } from './errors';
import { MAX_PARTITIONS, controlQueueName, hubResourceNames, isControlQueueOf, validateHubName } from './format/names';
import { isNotFound, toDurableError } from './storage/errors';

/** An opened task hub: the handle passed to every instance operation. */
export interface TaskHub {
  readonly clients: StorageClients;
  readonly name: string;
  /** Partition count used to route messages to `{h}-control-NN`. */
  readonly partitionCount: number;
  readonly partitionCountSource: PartitionCountSource;
  /**
   * Set when the hub's partition metadata is missing or unusable ({H}Partitions empty or not
   * naming the control queues, taskhub.json unreadable) and the count came from a fallback: says
   * what is wrong and which count is used. Callers show it, so a fallback is never silent.
   */
  readonly partitionWarning?: string;
}

export type PartitionCountSource = 'partitions-table' | 'taskhub.json' | 'host.json' | 'control-queues' | 'default';

export const DEFAULT_PARTITION_COUNT = 4;

function tableError(clients: StorageClients, e: unknown, what?: string): Error {
  return toDurableError(e, { endpoint: clients.endpoints.table, what, secrets: clients.secrets });
}

function blobError(clients: StorageClients, e: unknown, what?: string): Error {
  return toDurableError(e, { endpoint: clients.endpoints.blob, what, secrets: clients.secrets });
}

async function listTableNames(clients: StorageClients, signal?: AbortSignal): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const t of clients.tableService().listTables({ abortSignal: signal })) {
      if (t.name) {
        names.push(t.name);
      }
    }
  } catch (e) {
    throw tableError(clients, e, 'listing tables');
  }
  return names;
}

/** Every `X` with both an `XInstances` and an `XHistory` table (table names are case-insensitive). */
export function hubNamesFromTables(tables: readonly string[]): string[] {
  const lower = new Set(tables.map((n) => n.toLowerCase()));
  return tables
    .filter((n) => n.endsWith('Instances'))
    .map((n) => n.slice(0, -'Instances'.length))
    .filter((hub) => hub.length > 0 && lower.has(`${hub}History`.toLowerCase()))
    .sort((a, b) => a.localeCompare(b));
}

/** Hub names in the account. */
export async function discoverHubNames(clients: StorageClients, opts: OperationOptions = {}): Promise<string[]> {
  return hubNamesFromTables(await listTableNames(clients, opts.signal));
}

/** Every hub in the account with its partition count and storage layout. */
export async function listTaskHubs(clients: StorageClients, opts: OperationOptions = {}): Promise<TaskHubInfo[]> {
  const tables = await listTableNames(clients, opts.signal);
  const lower = new Set(tables.map((n) => n.toLowerCase()));
  const hubs = hubNamesFromTables(tables);
  const infos: TaskHubInfo[] = [];
  for (const name of hubs) {
    throwIfAborted(opts.signal);
    const hasPartitionsTable = lower.has(`${name}Partitions`.toLowerCase());
    const { stored } = await readPartitionMetadata(clients, name, hasPartitionsTable, opts.signal);
    infos.push({
      name,
      partitionCount: stored?.count ?? null,
      layout: stored?.source === 'partitions-table' ? 'table' : stored?.source === 'taskhub.json' ? 'blob' : 'unknown',
    });
    opts.onProgress?.({ message: `Read ${name}`, done: infos.length, total: hubs.length });
  }
  return infos;
}

interface StoredPartitionCount {
  count: number;
  source: PartitionCountSource;
}

/** What storage records about the partition count, and what was there but unusable. */
interface PartitionMetadata {
  stored?: StoredPartitionCount;
  problems: string[];
}

/** The `NN` of `{h}-control-NN` names of this hub, or undefined when a name is not one. */
function controlQueueIndexes(hubName: string, names: readonly string[]): number[] | undefined {
  const indexes = names.map((n) => (isControlQueueOf(hubName, n.toLowerCase()) ? Number(n.slice(-2)) : NaN));
  return indexes.some(Number.isNaN) ? undefined : [...new Set(indexes)].sort((a, b) => a - b);
}

/** True for exactly 0..n-1 with 1 <= n <= 16: the queues a runtime with n partitions uses. */
function isPartitionSet(indexes: readonly number[]): boolean {
  return indexes.length >= 1 && indexes.length <= MAX_PARTITIONS && indexes.every((x, i) => x === i);
}

async function readPartitionMetadata(
  clients: StorageClients,
  hubName: string,
  hasPartitionsTable: boolean | undefined,
  signal?: AbortSignal,
): Promise<PartitionMetadata> {
  const names = hubResourceNames(hubName);
  const problems: string[] = [];
  if (hasPartitionsTable !== false) {
    try {
      const rowKeys: string[] = [];
      const rows = clients.table(names.partitionsTable).listEntities({
        queryOptions: { select: ['RowKey'] },
        abortSignal: signal,
      });
      for await (const row of rows) {
        rowKeys.push(String(row.rowKey ?? ''));
      }
      // The runtime counts the rows (reference §1.3); each row is one control queue, so rows that
      // don't name 00..N-1 mean someone edited the table, and the count can't be trusted.
      const indexes = controlQueueIndexes(hubName, rowKeys);
      if (indexes && isPartitionSet(indexes) && indexes.length === rowKeys.length) {
        return { stored: { count: rowKeys.length, source: 'partitions-table' }, problems };
      }
      problems.push(
        rowKeys.length === 0
          ? `table '${names.partitionsTable}' has no rows`
          : `table '${names.partitionsTable}' has ${rowKeys.length} rows that are not exactly ${names.controlQueuePrefix}00 to ${controlQueueName(hubName, rowKeys.length - 1)}`,
      );
    } catch (e) {
      if (!isNotFound(e)) {
        throw tableError(clients, e, `table '${names.partitionsTable}'`);
      }
    }
  }
  const where = `${names.leasesContainer}/taskhub.json`;
  let text: string | undefined;
  try {
    const blob = clients.container(names.leasesContainer).getBlobClient('taskhub.json');
    text = (await blob.downloadToBuffer(undefined, undefined, { abortSignal: signal })).toString('utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    if (!isNotFound(e)) {
      throw blobError(clients, e, where);
    }
  }
  if (text !== undefined) {
    let info: { PartitionCount?: unknown } | undefined;
    try {
      info = JSON.parse(text) as { PartitionCount?: unknown };
    } catch {
      problems.push(`blob '${where}' is not valid JSON`);
    }
    if (info) {
      const count = Number(info.PartitionCount);
      if (Number.isInteger(count) && count >= 1 && count <= MAX_PARTITIONS) {
        return { stored: { count, source: 'taskhub.json' }, problems };
      }
      problems.push(`blob '${where}' has no PartitionCount from 1 to ${MAX_PARTITIONS}`);
    }
  }
  return { problems };
}

/** The partition count the hub's existing control queues imply, or undefined when there are none. */
async function countFromControlQueues(clients: StorageClients, hubName: string, signal?: AbortSignal): Promise<{ count: number; gaps: boolean } | undefined> {
  const names = hubResourceNames(hubName);
  const found: string[] = [];
  try {
    for await (const q of clients.queueService().listQueues({ prefix: names.controlQueuePrefix, abortSignal: signal })) {
      if (isControlQueueOf(hubName, q.name)) {
        found.push(q.name);
      }
    }
  } catch (e) {
    throw toDurableError(e, { endpoint: clients.endpoints.queue, what: `queues '${names.controlQueuePrefix}NN'`, secrets: clients.secrets });
  }
  const indexes = controlQueueIndexes(hubName, found) ?? [];
  if (indexes.length === 0) {
    return undefined;
  }
  const count = Math.min(MAX_PARTITIONS, indexes[indexes.length - 1] + 1);
  return { count, gaps: !isPartitionSet(indexes) };
}

/**
 * The partition count to route messages with: `{H}Partitions` row count, else `taskhub.json`
 * PartitionCount, else host.json's (reference §1.3), else the number of control queues the hub
 * has, else 4. When the metadata is missing or unusable (emptied Partitions table, corrupt
 * taskhub.json) and a fallback is used, `warning` says so: guessing 4 in silence could send a
 * 6-partition hub's messages to the wrong control queue.
 */
export async function resolvePartitionCount(
  clients: StorageClients,
  hubName: string,
  hostJsonPartitionCount?: number,
  opts: OperationOptions = {},
): Promise<{ count: number; source: PartitionCountSource; warning?: string }> {
  const metadata = await readPartitionMetadata(clients, hubName, undefined, opts.signal);
  if (metadata.stored) {
    return metadata.stored;
  }
  const broken = metadata.problems.length > 0 ? `Task hub '${hubName}': ${metadata.problems.join(' and ')}` : undefined;
  if (hostJsonPartitionCount !== undefined) {
    if (!Number.isInteger(hostJsonPartitionCount) || hostJsonPartitionCount < 1 || hostJsonPartitionCount > MAX_PARTITIONS) {
      throw new ValidationError('partitionCount', `host.json partitionCount must be an integer from 1 to ${MAX_PARTITIONS}.`);
    }
    return {
      count: hostJsonPartitionCount,
      source: 'host.json',
      ...(broken ? { warning: `${broken}; using host.json's partitionCount, ${hostJsonPartitionCount}.` } : {}),
    };
  }
  // No usable metadata: the control queues a host created say how many partitions it used.
  const queues = await countFromControlQueues(clients, hubName, opts.signal);
  if (queues) {
    const names = hubResourceNames(hubName);
    const why = broken ?? `Task hub '${hubName}' has no partition metadata (table '${names.partitionsTable}' or blob '${names.leasesContainer}/taskhub.json')`;
    const gaps = queues.gaps ? ' (some of them are missing)' : '';
    return { count: queues.count, source: 'control-queues', warning: `${why}; using ${queues.count} partitions, from its control queues${gaps}.` };
  }
  if (broken) {
    return {
      count: DEFAULT_PARTITION_COUNT,
      source: 'default',
      warning: `${broken}, and it has no control queues; messages cannot be delivered until a function app host has started on it.`,
    };
  }
  return { count: DEFAULT_PARTITION_COUNT, source: 'default' };
}

export interface OpenTaskHubOptions extends OperationOptions {
  clients: StorageClients;
  name: string;
  /** host.json `storageProvider.partitionCount`, used only when storage has no record of it. */
  hostJsonPartitionCount?: number;
}

/** The error for a hub whose Instances table does not exist: names the hubs the account has. */
async function unknownHubError(clients: StorageClients, name: string, opts: OperationOptions): Promise<NotFoundError> {
  const hubs = await discoverHubNames(clients, opts);
  return new NotFoundError(
    `Task hub '${name}' was not found in storage account '${clients.accountName}'. ` +
      (hubs.length > 0 ? `Task hubs found: ${hubs.join(', ')}.` : 'The account has no task hubs.'),
  );
}

/** Reads one key of `{H}Instances`: resolves when the table exists, throws the unknown-hub error when not. */
async function checkHubExists(clients: StorageClients, name: string, opts: OperationOptions): Promise<void> {
  const table = hubResourceNames(name).instancesTable;
  try {
    await clients.table(table).listEntities({ queryOptions: { select: ['PartitionKey'] }, abortSignal: opts.signal }).byPage({ maxPageSize: 1 }).next();
  } catch (e) {
    if (isNotFound(e)) {
      throw await unknownHubError(clients, name, opts);
    }
    throw tableError(clients, e, `table '${table}'`);
  }
}

/** Checks the hub exists (listing the hubs that do when it doesn't) and finds its partition count. */
export async function openTaskHub(o: OpenTaskHubOptions): Promise<TaskHub> {
  validateHubName(o.name);
  await checkHubExists(o.clients, o.name, o);
  const partitions = await resolvePartitionCount(o.clients, o.name, o.hostJsonPartitionCount, o);
  return {
    clients: o.clients,
    name: o.name,
    partitionCount: partitions.count,
    partitionCountSource: partitions.source,
    ...(partitions.warning ? { partitionWarning: partitions.warning } : {}),
  };
}

/**
 * A task hub handle for reading instance rows only (listing, as `durable get-instances` does),
 * opened without a storage call: openTaskHub's existence check and partition metadata reads
 * would double the requests of a one-page listing. The hub name is validated as openTaskHub does.
 * Nothing that routes messages may use it: its partition count is unknown, and reading
 * `partitionCount` throws. Run the reads through `whileHubExists`, so a hub that does not exist
 * fails with openTaskHub's error.
 */
export function openTaskHubForReading(o: Pick<OpenTaskHubOptions, 'clients' | 'name'>): TaskHub {
  validateHubName(o.name);
  const name = o.name;
  return {
    clients: o.clients,
    name,
    get partitionCount(): number {
      throw new Error(`Task hub '${name}' was opened for reading only: its partition count was not read.`);
    },
    partitionCountSource: 'default',
  };
}

/**
 * Runs `read` (queries of `{H}Instances`); when it fails with NotFound, checks whether the hub
 * exists and, when it does not, throws the same error openTaskHub would have (naming the hubs
 * the account has) instead. Any other failure, or a NotFound while the hub exists, is thrown as is.
 */
export async function whileHubExists<T>(hub: TaskHub, read: () => Promise<T>, opts: OperationOptions = {}): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (isNotFound(e)) {
      await checkHubExists(hub.clients, hub.name, opts);
    }
    throw e;
  }
}

/**
 * Picks the hub when none was named: the configured one if given, else the only hub in the
 * account; with several, fails listing them (never a silent default, unlike `func durable`).
 */
export async function chooseTaskHubName(
  clients: StorageClients,
  configured: { explicit?: string; fromHostJson?: string },
  opts: OperationOptions = {},
): Promise<string> {
  const name = configured.explicit ?? configured.fromHostJson;
  if (name) {
    return name;
  }
  const hubs = await discoverHubNames(clients, opts);
  if (hubs.length === 1) {
    return hubs[0];
  }
  if (hubs.length === 0) {
    throw new NotFoundError(`Storage account '${clients.accountName}' has no task hubs.`, { cliHint: 'Pass --task-hub-name to name one.' });
  }
  throw new ValidationError(
    'task-hub-name',
    `Storage account '${clients.accountName}' has ${hubs.length} task hubs; pick one with --task-hub-name: ${hubs.join(', ')}.`,
  );
}
