// Purge (reference §8): one instance, or every finished instance matching a filter. Per
// instance, blobs and History rows go first and the Instances row last, so an interrupted
// purge leaves each instance findable and re-running the same purge finishes the job.
import { setMaxListeners } from 'node:events';
import type { OperationOptions, RuntimeStatus } from '../model';
import type { TaskHub } from '../hub';
import { assertSasAllowsDelete } from '../storage/sas';
import type { QueryPage, Row } from '../storage/rows';
import { TERMINAL_STATUSES, isTerminalStatus } from '../model';
import { CancelledError, ConflictError, ForbiddenError, UnauthorizedError, UnreachableError, ValidationError, throwIfAborted } from '../errors';
import { escapePartitionKey, instanceIdFromPartitionKey } from '../format/keys';
import { hubResourceNames } from '../format/names';
import { eq } from '../format/odata';
import { BLOB_NAME_COLUMNS } from '../format/payload';
import { instanceFilter, instanceNotFound, readInstanceRow } from '../instances';
import { queryPage, queryRows, str } from '../storage/rows';
import { isNotFound, toDurableError } from '../storage/errors';
import { referencedBlobName } from '../values';
import { mapWithConcurrency, runBounded } from '../concurrency';
import type { BlobSnapshot } from './purgeBlobs';
import { deleteInstanceBlobs, snapshotBlobs } from './purgeBlobs';

export interface PurgeResult {
  instancesDeleted: number;
  rowsDeleted: number;
  blobsDeleted: number;
  failures: { instanceId: string; error: string }[];
}

const INSTANCE_PURGE_COLUMNS = ['PartitionKey', 'RuntimeStatus', 'Input', 'Output', 'InputBlobName', 'TagsBlobName'];
const BATCH_SIZE = 100;
/** Instances a purge by filter deletes at once (each one's requests run one after another). */
export const DEFAULT_PURGE_CONCURRENCY = 32;

function emptyResult(): PurgeResult {
  return { instancesDeleted: 0, rowsDeleted: 0, blobsDeleted: 0, failures: [] };
}

export interface PurgeInstanceOptions extends OperationOptions {
  instanceId: string;
  /** Purge even if the instance is still Running, Pending or Suspended (a stuck instance). */
  force?: boolean;
}

export async function purgeInstance(hub: TaskHub, o: PurgeInstanceOptions): Promise<PurgeResult> {
  if (!o.instanceId) {
    throw new ValidationError('id', 'The instance id is required.');
  }
  assertSasAllowsDelete(hub.clients, 'purge');
  const row = await readInstanceRow(hub, o.instanceId, INSTANCE_PURGE_COLUMNS, o.signal);
  if (!row) {
    throw instanceNotFound(o.instanceId);
  }
  const status = str(row, 'RuntimeStatus');
  if (!o.force && !isTerminalStatus(status)) {
    throw new ConflictError(
      `Instance '${o.instanceId}' is ${status ?? 'in an unknown state'}; only Completed, Failed, Canceled or Terminated instances are purged.`,
      { cliHint: 'Pass --force to purge it anyway (its queued messages are then dropped by the runtime).' },
    );
  }
  const result = emptyResult();
  const deleted = await deleteInstanceData(hub, o.instanceId, row, o.signal);
  result.instancesDeleted = 1;
  result.rowsDeleted = deleted.rows;
  result.blobsDeleted = deleted.blobs;
  o.onProgress?.({ message: `Purged '${o.instanceId}'`, done: 1, total: 1 });
  return result;
}

/** One instance of a purge by filter, reported as soon as it is deleted or has failed. */
export interface PurgedInstanceReport {
  instanceId: string;
  ok: boolean;
  rows: number;
  blobs: number;
  /** The failure's message when not ok. */
  error?: string;
  /** The error itself, for callers that act on its type (e.g. stop when storage is unreachable). */
  cause?: unknown;
}

export interface PurgeByFilterOptions extends OperationOptions {
  createdAfter?: Date;
  createdBefore?: Date;
  /** Terminal statuses only; default all four. Active statuses are refused. */
  statuses?: readonly RuntimeStatus[];
  instanceIdPrefix?: string;
  /** Orchestrator (or entity) name, exact. */
  name?: string;
  /** Durable entities are included unless this is false. */
  includeEntities?: boolean;
  /** Called per instance once it is purged or has failed (not for one cut short by the signal). */
  onInstance?: (report: PurgedInstanceReport) => void;
  /** Count what would be purged; delete nothing. */
  dryRun?: boolean;
  /** Instances purged at once (default 32, 1..64). */
  concurrency?: number;
}

export interface PurgeByFilterResult extends PurgeResult {
  matched: number;
  dryRun: boolean;
}

/**
 * The statuses a purge by filter deletes: the ones asked for (default: every finished status).
 * Only finished instances are ever purged by filter, whichever transport carries it.
 */
export function purgeFilterStatuses(requested: readonly RuntimeStatus[] | undefined): RuntimeStatus[] {
  const statuses = requested && requested.length > 0 ? [...new Set(requested)] : [...TERMINAL_STATUSES];
  const active = statuses.filter((s) => !TERMINAL_STATUSES.includes(s));
  if (active.length > 0) {
    throw new ValidationError(
      'runtime-status',
      `Purging by filter only deletes finished instances (${TERMINAL_STATUSES.join(', ')}); refused: ${active.join(', ')}.`,
      { cliHint: 'To remove one stuck instance, purge it by id with --force.' },
    );
  }
  return statuses;
}

export async function purgeInstances(hub: TaskHub, o: PurgeByFilterOptions): Promise<PurgeByFilterResult> {
  const statuses = purgeFilterStatuses(o.statuses);
  const concurrency = o.concurrency ?? DEFAULT_PURGE_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new ValidationError('concurrency', 'Concurrency must be a whole number from 1 to 64.');
  }
  const names = hubResourceNames(hub.name);
  const table = hub.clients.table(names.instancesTable);
  const filter = instanceFilter({
    createdAfter: o.createdAfter,
    createdBefore: o.createdBefore,
    statuses,
    instanceIdPrefix: o.instanceIdPrefix,
    name: o.name,
    includeEntities: o.includeEntities,
  });
  if (!o.dryRun) {
    assertSasAllowsDelete(hub.clients, 'purge');
  }
  const result: PurgeByFilterResult = { ...emptyResult(), matched: 0, dryRun: Boolean(o.dryRun) };
  const select = o.dryRun ? ['PartitionKey'] : INSTANCE_PURGE_COLUMNS;
  // Storage unreachable or refusing access fails every instance alike: stop at the first such
  // failure instead of spending retries on each remaining one, and throw it.
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  // Every concurrent storage request of the purge listens to this one signal.
  setMaxListeners(0, signal);
  let fatal: UnreachableError | UnauthorizedError | ForbiddenError | undefined;
  const cancelled = (): CancelledError =>
    new CancelledError(`Purge cancelled after deleting ${result.instancesDeleted} instances; run it again to finish.`, result);
  const pageError = (e: unknown): Error =>
    toDurableError(e, { endpoint: hub.clients.endpoints.table, what: `table '${names.instancesTable}'`, secrets: hub.clients.secrets });

  // Pages are pipelined: the next one is requested as soon as the current one arrives, so the
  // workers never wait for a page read (a continuation token is a key position: deleting the
  // rows of the current page does not move it).
  const fetchPage = (token: string | null): Promise<QueryPage> => {
    const p = queryPage(table, filter, { select, pageSize: 1000, continuationToken: token, signal });
    p.catch(() => undefined); // observed when awaited; a prefetch left behind by a stop is not an unhandled rejection
    return p;
  };
  const firstPage = fetchPage(null);
  async function* matchingRows(): AsyncGenerator<Row> {
    let next: Promise<QueryPage> | undefined = firstPage;
    while (next) {
      let page: QueryPage;
      try {
        page = await next;
      } catch (e) {
        throw o.signal?.aborted ? cancelled() : pageError(e);
      }
      next = page.continuationToken ? fetchPage(page.continuationToken) : undefined;
      result.matched += page.rows.length;
      if (o.dryRun) {
        o.onProgress?.({ message: `Matched ${result.matched} instances`, done: result.matched });
        continue;
      }
      yield* page.rows;
    }
  }

  // The large-messages container is listed once (while the first page is read) rather than once
  // per instance; a container too big to hold in memory falls back to listing per instance.
  let blobs: BlobSnapshot | undefined;
  if (!o.dryRun) {
    try {
      blobs = await snapshotBlobs(hub, signal);
    } catch (e) {
      if (o.signal?.aborted) {
        throw cancelled();
      }
      throw e;
    }
  }

  try {
    await runBounded(matchingRows(), { limit: concurrency, signal }, async (row) => {
      const instanceId = instanceIdFromPartitionKey(row.partitionKey);
      let report: PurgedInstanceReport;
      try {
        const deleted = await deleteInstanceData(hub, instanceId, row, signal, blobs);
        result.instancesDeleted++;
        result.rowsDeleted += deleted.rows;
        result.blobsDeleted += deleted.blobs;
        report = { instanceId, ok: true, rows: deleted.rows, blobs: deleted.blobs };
      } catch (e) {
        if (signal.aborted) {
          return;
        }
        result.failures.push({ instanceId, error: (e as Error).message });
        report = { instanceId, ok: false, rows: 0, blobs: 0, error: (e as Error).message, cause: e };
        if (isFatal(e)) {
          fatal ??= e;
          stop.abort();
        }
      }
      o.onInstance?.(report);
      o.onProgress?.({ message: `Purged ${result.instancesDeleted} instances`, done: result.instancesDeleted });
    });
  } catch (e) {
    if (fatal) {
      throw stoppedBy(fatal, result.instancesDeleted);
    }
    if (o.signal?.aborted) {
      throw cancelled();
    }
    throw isFatal(e) && result.instancesDeleted > 0 ? stoppedBy(e, result.instancesDeleted) : e;
  }
  if (fatal) {
    throw stoppedBy(fatal, result.instancesDeleted);
  }
  if (o.signal?.aborted) {
    throw cancelled();
  }
  return result;
}

function isFatal(e: unknown): e is UnreachableError | UnauthorizedError | ForbiddenError {
  return e instanceof UnreachableError || e instanceof UnauthorizedError || e instanceof ForbiddenError;
}

/** The fatal error, same type, saying how far the purge got. */
function stoppedBy(e: UnreachableError | UnauthorizedError | ForbiddenError, deleted: number): Error {
  const message = `${e.message.replace(/\.?$/, '.')} Purge stopped after deleting ${deleted} instances`;
  if (e instanceof UnreachableError) {
    return new UnreachableError(e.endpoint, `${message}; run it again to finish.`, { cause: e });
  }
  return e instanceof UnauthorizedError ? new UnauthorizedError(`${message}.`, { cause: e }) : new ForbiddenError(`${message}.`, { cause: e });
}

/** Deletes one instance's blobs, History rows (every execution, sentinel included) and Instances row. */
export async function deleteInstanceData(
  hub: TaskHub,
  instanceId: string,
  instanceRow: Row,
  signal?: AbortSignal,
  snapshot?: BlobSnapshot,
): Promise<{ rows: number; blobs: number }> {
  const names = hubResourceNames(hub.name);
  const partitionKey = instanceRow.partitionKey || escapePartitionKey(instanceId);
  const history = hub.clients.table(names.historyTable);
  const tableError = (e: unknown, what: string): Error =>
    toDurableError(e, { endpoint: hub.clients.endpoints.table, what, secrets: hub.clients.secrets });

  // History rows, and the blobs their `<Prop>BlobName` columns name (exact names: old runtimes
  // lower-cased them, so a prefix alone would miss them).
  const rowKeys: string[] = [];
  const blobNames = new Set<string>();
  try {
    for await (const rows of queryRows(history, eq('PartitionKey', partitionKey), { select: ['PartitionKey', 'RowKey', ...BLOB_NAME_COLUMNS], signal })) {
      for (const row of rows) {
        rowKeys.push(row.rowKey);
        for (const column of BLOB_NAME_COLUMNS) {
          const blob = str(row, column);
          if (blob) {
            blobNames.add(blob);
          }
        }
      }
    }
  } catch (e) {
    if (!isNotFound(e)) {
      throw tableError(e, `table '${names.historyTable}'`);
    }
  }
  for (const column of ['Input', 'Output']) {
    const blob = referencedBlobName(hub, str(instanceRow, column));
    if (blob) {
      blobNames.add(blob);
    }
  }
  for (const column of ['InputBlobName', 'TagsBlobName']) {
    const blob = str(instanceRow, column);
    if (blob) {
      blobNames.add(blob);
    }
  }

  const blobs = await deleteInstanceBlobs(hub, instanceId, blobNames, signal, snapshot);
  const rows = await deleteHistoryRows(hub, partitionKey, rowKeys, signal);
  throwIfAborted(signal);
  try {
    await hub.clients.table(names.instancesTable).deleteEntity(partitionKey, '', { etag: '*', abortSignal: signal });
  } catch (e) {
    if (!isNotFound(e)) {
      throw tableError(e, `table '${names.instancesTable}'`);
    }
  }
  return { rows, blobs };
}

async function deleteHistoryRows(hub: TaskHub, partitionKey: string, rowKeys: string[], signal?: AbortSignal): Promise<number> {
  const table = hub.clients.table(hubResourceNames(hub.name).historyTable);
  let deleted = 0;
  const batches: string[][] = [];
  for (let i = 0; i < rowKeys.length; i += BATCH_SIZE) {
    batches.push(rowKeys.slice(i, i + BATCH_SIZE));
  }
  await mapWithConcurrency(batches, 4, async (batch) => {
    throwIfAborted(signal);
    try {
      await table.submitTransaction(batch.map((rowKey) => ['delete', { partitionKey, rowKey }, { etag: '*' }] as const) as never, { abortSignal: signal });
      deleted += batch.length;
    } catch (e) {
      if (!isNotFound(e)) {
        throw toDurableError(e, { endpoint: hub.clients.endpoints.table, what: 'deleting history rows', secrets: hub.clients.secrets });
      }
      // A row already gone fails the whole batch: delete one by one, skipping the missing.
      for (const rowKey of batch) {
        try {
          await table.deleteEntity(partitionKey, rowKey, { etag: '*', abortSignal: signal });
          deleted++;
        } catch (inner) {
          if (!isNotFound(inner)) {
            throw toDurableError(inner, { endpoint: hub.clients.endpoints.table, what: 'deleting history rows', secrets: hub.clients.secrets });
          }
        }
      }
    }
  });
  return deleted;
}
