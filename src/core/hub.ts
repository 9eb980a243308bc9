// Task hubs: discovery, opening (existence + partition count), the handle every operation takes.
import type { OperationOptions, TaskHubInfo } from './model';
import type { StorageClients } from './storage/clients';
import { NotFoundError, ValidationError, throwIfAborted } from './errors';
import { MAX_PARTITIONS, hubResourceNames, validateHubName } from './format/names';
import { isNotFound, toDurableError } from './storage/errors';

/** An opened task hub: the handle passed to every instance operation. */
export interface TaskHub {
  readonly clients: StorageClients;
  readonly name: string;
  /** Partition count used to route messages to `{h}-control-NN`. */
  readonly partitionCount: number;
  readonly partitionCountSource: PartitionCountSource;
}

export type PartitionCountSource = 'partitions-table' | 'taskhub.json' | 'host.json' | 'default';

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
    const stored = await readStoredPartitionCount(clients, name, hasPartitionsTable, opts.signal);
    infos.push({
      name,
      partitionCount: stored?.count ?? null,
      layout: stored?.source === 'partitions-table' ? 'table' : stored?.source === 'taskhub.json' ? 'blob' : 'unknown',
    });
    opts.onProgress?.({ message: `Read ${name}`, done: infos.length, total: hubs.length });
  }
  return infos;
}

async function readStoredPartitionCount(
  clients: StorageClients,
  hubName: string,
  hasPartitionsTable: boolean | undefined,
  signal?: AbortSignal,
): Promise<{ count: number; source: PartitionCountSource } | undefined> {
  const names = hubResourceNames(hubName);
  if (hasPartitionsTable !== false) {
    try {
      let count = 0;
      const rows = clients.table(names.partitionsTable).listEntities({
        queryOptions: { select: ['RowKey'] },
        abortSignal: signal,
      });
      for await (const _row of rows) {
        count++;
      }
      if (count > 0) {
        return { count, source: 'partitions-table' };
      }
    } catch (e) {
      if (!isNotFound(e)) {
        throw tableError(clients, e, `table '${names.partitionsTable}'`);
      }
    }
  }
  try {
    const blob = clients.container(names.leasesContainer).getBlobClient('taskhub.json');
    const buffer = await blob.downloadToBuffer(undefined, undefined, { abortSignal: signal });
    const info = JSON.parse(buffer.toString('utf8').replace(/^\uFEFF/, '')) as { PartitionCount?: unknown };
    const count = Number(info.PartitionCount);
    if (Number.isInteger(count) && count >= 1 && count <= MAX_PARTITIONS) {
      return { count, source: 'taskhub.json' };
    }
  } catch (e) {
    if (!isNotFound(e) && !(e instanceof SyntaxError)) {
      throw blobError(clients, e, `${names.leasesContainer}/taskhub.json`);
    }
  }
  return undefined;
}

/**
 * The partition count to route messages with: `{H}Partitions` row count, else
 * `taskhub.json` PartitionCount, else host.json's, else 4 (reference §1.3).
 */
export async function resolvePartitionCount(
  clients: StorageClients,
  hubName: string,
  hostJsonPartitionCount?: number,
  opts: OperationOptions = {},
): Promise<{ count: number; source: PartitionCountSource }> {
  const stored = await readStoredPartitionCount(clients, hubName, undefined, opts.signal);
  if (stored) {
    return stored;
  }
  if (hostJsonPartitionCount !== undefined) {
    if (!Number.isInteger(hostJsonPartitionCount) || hostJsonPartitionCount < 1 || hostJsonPartitionCount > MAX_PARTITIONS) {
      throw new ValidationError('partitionCount', `host.json partitionCount must be an integer from 1 to ${MAX_PARTITIONS}.`);
    }
    return { count: hostJsonPartitionCount, source: 'host.json' };
  }
  return { count: DEFAULT_PARTITION_COUNT, source: 'default' };
}

export interface OpenTaskHubOptions extends OperationOptions {
  clients: StorageClients;
  name: string;
  /** host.json `storageProvider.partitionCount`, used only when storage has no record of it. */
  hostJsonPartitionCount?: number;
}

/** Checks the hub exists (listing the hubs that do when it doesn't) and finds its partition count. */
export async function openTaskHub(o: OpenTaskHubOptions): Promise<TaskHub> {
  validateHubName(o.name);
  const names = hubResourceNames(o.name);
  try {
    await o.clients.table(names.instancesTable).listEntities({ queryOptions: { select: ['PartitionKey'] }, abortSignal: o.signal }).byPage({ maxPageSize: 1 }).next();
  } catch (e) {
    if (isNotFound(e)) {
      const hubs = await discoverHubNames(o.clients, o);
      throw new NotFoundError(
        `Task hub '${o.name}' was not found in storage account '${o.clients.accountName}'. ` +
          (hubs.length > 0 ? `Task hubs found: ${hubs.join(', ')}.` : 'The account has no task hubs.'),
      );
    }
    throw tableError(o.clients, e, `table '${names.instancesTable}'`);
  }
  const partitions = await resolvePartitionCount(o.clients, o.name, o.hostJsonPartitionCount, o);
  return { clients: o.clients, name: o.name, partitionCount: partitions.count, partitionCountSource: partitions.source };
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
    throw new NotFoundError(`Storage account '${clients.accountName}' has no task hubs. Pass --task-hub-name to name one.`);
  }
  throw new ValidationError(
    'task-hub-name',
    `Storage account '${clients.accountName}' has ${hubs.length} task hubs; pick one with --task-hub-name: ${hubs.join(', ')}.`,
  );
}
