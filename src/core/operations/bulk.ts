// One action over many instances: a list of ids or every instance a query matches. Each instance
// goes through the single-instance operation (same checks, same messages); this file only
// schedules them, classifies their outcomes and stops early when storage itself is the problem.
import { setMaxListeners } from 'node:events';
import type { OperationOptions } from '../model';
import type { TaskHub } from '../hub';
import type { InstanceQuery } from '../instances';
import type { PurgedInstanceReport } from './purge';
import type { QueryPage, Row } from '../storage/rows';
import type { ControlAction } from './control';
import { CancelledError, ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, UnreachableError, ValidationError } from '../errors';
import { countInstancesByStatus, instanceFilter, iterateInstanceIds } from '../instances';
import { runBounded } from '../concurrency';
import { escapePartitionKey, instanceIdFromPartitionKey } from '../format/keys';
import { hubResourceNames } from '../format/names';
import { and, odataString } from '../format/odata';
import { queryPage, str } from '../storage/rows';
import { toDurableError } from '../storage/errors';
import { sendControlAction } from './control';
import { assertSasAllowsDelete } from '../storage/sas';
import { purgeInstance, purgeInstances } from './purge';
import { rewindInstance } from './rewind';
import { START_CHECK_COLUMNS, startNew, startOver, validateJsonText, validateStart } from './start';

export type BulkActionSpec =
  | { kind: 'terminate' | 'suspend' | 'resume' | 'rewind'; reason?: string | null }
  | { kind: 'raiseEvent'; eventName: string; eventData: string | null } // eventData = JSON text or null
  | { kind: 'purge'; force?: boolean }
  /** Start-new of `name` for each id (ids only): an id whose instance is still active is skipped. */
  | { kind: 'start'; name: string; input: string | null }; // input = JSON text or null

export type BulkTargetSpec = { kind: 'ids'; instanceIds: readonly string[] } | { kind: 'query'; query: InstanceQuery };

export type BulkOutcome = 'succeeded' | 'failed' | 'skipped';

export interface BulkItemResult {
  instanceId: string;
  outcome: BulkOutcome;
  message: string;
  previousStatus?: string;
}

export interface BulkActionOptions extends OperationOptions {
  action: BulkActionSpec;
  target: BulkTargetSpec;
  /** Instances acted on at once: default 16, 1..64 (ValidationError otherwise). */
  concurrency?: number;
  /** Called once per instance as soon as it is finished. */
  onItem?: (item: BulkItemResult) => void;
}

export interface BulkActionResult {
  /** Instances finished: succeeded + failed + skipped. */
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  /** The signal fired: nothing new was started; what was in flight finished and is counted. */
  cancelled: boolean;
  /** Purge only, else 0. */
  rowsDeleted: number;
  /** Purge only, else 0. */
  blobsDeleted: number;
}

export const DEFAULT_BULK_CONCURRENCY = 16;
const MAX_BULK_CONCURRENCY = 64;

/**
 * Errors that would repeat for every instance (storage down, credentials refused, read-only
 * access): the run stops and throws once instead of reporting the same failure thousands of times.
 */
function isFatal(e: unknown): boolean {
  return e instanceof UnreachableError || e instanceof UnauthorizedError || e instanceof ForbiddenError;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function purgedMessage(rows: number, blobs: number): string {
  return `Purged: ${plural(rows, 'row')}, ${plural(blobs, 'blob')}`;
}

/** How each action is named in messages ("Terminate: 50 instances — …"). */
export const BULK_ACTION_LABELS: Record<BulkActionSpec['kind'], string> = {
  terminate: 'Terminate',
  suspend: 'Suspend',
  resume: 'Resume',
  rewind: 'Rewind',
  raiseEvent: 'Raise event',
  purge: 'Purge',
  start: 'Start',
};

/** Everything that can be checked without storage, so bad input fails before anything is sent. */
function validate(o: BulkActionOptions): { concurrency: number; eventData: string | null } {
  const concurrency = o.concurrency ?? DEFAULT_BULK_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_BULK_CONCURRENCY) {
    throw new ValidationError('concurrency', `Concurrency must be a whole number from 1 to ${MAX_BULK_CONCURRENCY}.`);
  }
  const action = o.action as { kind?: unknown };
  if (!Object.hasOwn(BULK_ACTION_LABELS, String(action?.kind))) {
    throw new ValidationError('action', `Unknown bulk action '${String(action?.kind)}'.`);
  }
  let eventData: string | null = null;
  if (o.action.kind === 'raiseEvent') {
    if (!o.action.eventName) {
      throw new ValidationError('event-name', 'The event name is required.');
    }
    eventData = validateJsonText(o.action.eventData, 'event-data');
  }
  if (o.action.kind === 'start') {
    if (o.target.kind !== 'ids') {
      throw new ValidationError('target', 'Start needs a list of instance ids.');
    }
    for (const instanceId of o.target.instanceIds) {
      validateStart({ name: o.action.name, instanceId, input: o.action.input });
    }
    eventData = validateJsonText(o.action.input, 'input');
  }
  if (o.target.kind === 'ids') {
    if (o.target.instanceIds.some((id) => typeof id !== 'string' || id.length === 0)) {
      throw new ValidationError('id', 'Instance ids must not be empty.');
    }
  } else if (o.target.kind === 'query') {
    instanceFilter(o.target.query); // throws on an inconsistent query (e.g. created-after > created-before)
  } else {
    throw new ValidationError('target', 'The target must be a list of instance ids or a query.');
  }
  return { concurrency, eventData };
}

interface Done {
  item: BulkItemResult;
  rows?: number;
  blobs?: number;
}

/** An instance to act on, with its RuntimeStatus when a listing or a batched read already has it. */
interface Target {
  instanceId: string;
  status?: string;
  /** Start: the batched read settled whether the instance exists; `row` is its row if it does. */
  checked?: boolean;
  row?: Row;
}

/**
 * The single-instance operation for one id. Deliberately not given the caller's signal: an
 * operation that has started is allowed to finish, so what was done is known and reported.
 */
async function actOn(hub: TaskHub, action: BulkActionSpec, eventData: string | null, target: Target): Promise<Done> {
  const { instanceId } = target;
  const sent = (message: string, previousStatus: string): Done => ({ item: { instanceId, outcome: 'succeeded', message, previousStatus } });
  switch (action.kind) {
    case 'terminate':
    case 'suspend':
    case 'resume': {
      const r = await sendControlAction(hub, instanceId, { kind: action.kind, reason: action.reason ?? null }, target.status);
      return sent(`${BULK_ACTION_LABELS[action.kind]} message sent`, r.previousStatus);
    }
    case 'rewind': {
      const r = await rewindInstance(hub, { instanceId, reason: action.reason ?? null });
      return sent(`Rewound: ${plural(r.rowsRewritten, 'history row')} rewritten`, r.previousStatus);
    }
    case 'raiseEvent': {
      const r = await sendControlAction(hub, instanceId, { kind: 'raiseEvent', eventName: action.eventName, eventData }, target.status);
      return sent(`Event '${action.eventName}' sent`, r.previousStatus);
    }
    case 'purge': {
      const r = await purgeInstance(hub, { instanceId, force: action.force });
      return { item: { instanceId, outcome: 'succeeded', message: purgedMessage(r.rowsDeleted, r.blobsDeleted) }, rows: r.rowsDeleted, blobs: r.blobsDeleted };
    }
    case 'start': {
      const start = { name: action.name, instanceId, input: eventData };
      const r = target.checked ? await startOver(hub, start, target.row) : await startNew(hub, start);
      const previousStatus = target.row ? str(target.row, 'RuntimeStatus') : undefined;
      return { item: { instanceId, outcome: 'succeeded', message: `Started (execution ${r.executionId})`, ...(previousStatus ? { previousStatus } : {}) } };
    }
  }
}

/** Actions whose check is the instance's RuntimeStatus alone, so a listing's status can stand in for a point read. */
function checksStatusOnly(action: BulkActionSpec): action is BulkActionSpec & ControlAction {
  return action.kind === 'terminate' || action.kind === 'suspend' || action.kind === 'resume' || action.kind === 'raiseEvent';
}

const TARGET_COLUMNS = ['PartitionKey', 'RuntimeStatus'];

/** Reads a query page, mapping storage errors; the promise is marked handled so a prefetch left behind is not an unhandled rejection. */
function readPage(hub: TaskHub, filter: string, pageSize: number, token: string | null, signal?: AbortSignal, select = TARGET_COLUMNS): Promise<QueryPage> {
  const names = hubResourceNames(hub.name);
  const p = queryPage(hub.clients.table(names.instancesTable), filter, { select, pageSize, continuationToken: token, signal }).catch((e: unknown) => {
    throw toDurableError(e, { endpoint: hub.clients.endpoints.table, what: `table '${names.instancesTable}'`, secrets: hub.clients.secrets });
  });
  p.catch(() => undefined);
  return p;
}

/** Every instance a query matches with its RuntimeStatus, a page at a time, the next page read while this one is worked on. */
async function* queryTargets(hub: TaskHub, query: InstanceQuery, signal?: AbortSignal): AsyncGenerator<Target> {
  const filter = instanceFilter(query);
  let next: Promise<QueryPage> | undefined = readPage(hub, filter, 1000, null, signal);
  while (next) {
    const page: QueryPage = await next;
    next = page.continuationToken ? readPage(hub, filter, 1000, page.continuationToken, signal) : undefined;
    for (const row of page.rows) {
      yield { instanceId: instanceIdFromPartitionKey(row.partitionKey), status: str(row, 'RuntimeStatus') ?? 'Unknown' };
    }
  }
}

/** Ids whose statuses are read together. */
const STATUS_BATCH = 100;

/**
 * The ids of an explicit list with their Instances rows, read a batch at a time: the batch's ids
 * in key order, one key-range query (`PartitionKey ge first and le last`, at most twice the batch
 * in rows) instead of a point read per id. A range query is served from the key index (Azure
 * Tables runs an OR of keys as a table scan, so no OR here); only rows the query returns with
 * the id's own key are trusted. When the query returned the whole range (no continuation), an id
 * without a row there has none (`settled`) — unless its escaped key differs from the id, when a
 * pre-1.8.4 row may sit under the raw id. An id the batch does not settle is read on its own by
 * the operation. The next batch is read while this one is worked on.
 */
async function* idRows(hub: TaskHub, instanceIds: readonly string[], select: string[], signal?: AbortSignal): AsyncGenerator<{ instanceId: string; row?: Row; settled: boolean }> {
  const sorted = instanceIds.map((instanceId) => ({ instanceId, key: escapePartitionKey(instanceId) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const batches: (typeof sorted)[] = [];
  for (let i = 0; i < sorted.length; i += STATUS_BATCH) {
    batches.push(sorted.slice(i, i + STATUS_BATCH));
  }
  const read = (batch: typeof sorted): Promise<QueryPage> | undefined => {
    if (batch.length < 2) {
      return undefined; // a point read is as cheap
    }
    const filter = and(`PartitionKey ge ${odataString(batch[0].key)}`, `PartitionKey le ${odataString(batch[batch.length - 1].key)}`, "RowKey eq ''");
    return readPage(hub, filter, Math.min(1000, batch.length * 2), null, signal, select);
  };
  let next = batches.length > 0 ? read(batches[0]) : undefined;
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b];
    const pending = next;
    next = b + 1 < batches.length ? read(batches[b + 1]) : undefined;
    const rows = new Map<string, Row>();
    let complete = false;
    if (pending) {
      try {
        const page = await pending;
        for (const row of page.rows) {
          rows.set(row.partitionKey, row);
        }
        complete = page.continuationToken === null;
      } catch (e) {
        if (isFatal(e)) {
          throw e;
        }
        // Anything else: fall back to reading each id on its own, which reports per id.
      }
    }
    for (const { instanceId, key } of batch) {
      const row = rows.get(key);
      yield { instanceId, row, settled: row !== undefined || (complete && key === instanceId) };
    }
  }
}

/** `idRows` as targets with their RuntimeStatus, for the actions that check the status alone. */
async function* idTargets(hub: TaskHub, instanceIds: readonly string[], signal?: AbortSignal): AsyncGenerator<Target> {
  for await (const { instanceId, row } of idRows(hub, instanceIds, TARGET_COLUMNS, signal)) {
    yield { instanceId, status: row ? (str(row, 'RuntimeStatus') ?? 'Unknown') : undefined };
  }
}

/** `idRows` as start targets: the row of an existing instance, or settled that there is none. */
async function* startTargets(hub: TaskHub, instanceIds: readonly string[], signal?: AbortSignal): AsyncGenerator<Target> {
  for await (const { instanceId, row, settled } of idRows(hub, instanceIds, START_CHECK_COLUMNS, signal)) {
    yield { instanceId, checked: settled, row };
  }
}

/** The outcome of a non-fatal error: the status does not allow it or the instance is gone → skipped. */
function outcomeOf(instanceId: string, e: unknown): BulkItemResult {
  const message = e instanceof Error ? e.message : String(e);
  const skipped = e instanceof ConflictError || e instanceof NotFoundError;
  return { instanceId, outcome: skipped ? 'skipped' : 'failed', message };
}

class Tally {
  readonly result: BulkActionResult = { total: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: false, rowsDeleted: 0, blobsDeleted: 0 };

  constructor(
    private readonly o: BulkActionOptions,
    private readonly expected: number | undefined,
  ) {}

  add(item: BulkItemResult, rows = 0, blobs = 0): void {
    const r = this.result;
    r.total++;
    r[item.outcome]++;
    r.rowsDeleted += rows;
    r.blobsDeleted += blobs;
    this.o.onItem?.(item);
    const of = this.expected === undefined ? '' : ` of ${this.expected}`;
    this.o.onProgress?.({
      message: `${BULK_ACTION_LABELS[this.o.action.kind]}: ${r.total}${of} done (${r.succeeded} succeeded, ${r.skipped} skipped, ${r.failed} failed)`,
      done: r.total,
      total: this.expected,
    });
  }
}

export async function runBulkAction(hub: TaskHub, o: BulkActionOptions): Promise<BulkActionResult> {
  const { concurrency, eventData } = validate(o);
  if (o.action.kind === 'purge' && o.target.kind === 'query') {
    return purgeByQuery(hub, o, o.target.query, concurrency);
  }

  if (o.action.kind === 'purge') {
    assertSasAllowsDelete(hub.clients, 'purge');
  }

  let targets: AsyncIterable<Target> | Iterable<Target>;
  let expected: number | undefined;
  const statusOnly = checksStatusOnly(o.action);
  if (o.target.kind === 'ids') {
    const unique = [...new Set(o.target.instanceIds)];
    targets = o.action.kind === 'start' ? startTargets(hub, unique, o.signal) : statusOnly ? idTargets(hub, unique, o.signal) : unique.map((instanceId) => ({ instanceId }));
    expected = unique.length;
  } else if (statusOnly) {
    targets = queryTargets(hub, o.target.query, o.signal);
  } else {
    targets = (async function* () {
      for await (const instanceId of iterateInstanceIds(hub, (o.target as { query: InstanceQuery }).query, { signal: o.signal })) {
        yield { instanceId };
      }
    })();
  }
  const tally = new Tally(o, expected);
  // Every error that reaches the runner stops the run (its default): only fatal storage errors
  // and errors thrown by the caller's own onItem/onProgress get there.
  const run = await runBounded(targets, { limit: concurrency, signal: o.signal }, async (target) => {
    let done: Done;
    try {
      done = await actOn(hub, o.action, eventData, target);
    } catch (e) {
      if (isFatal(e)) {
        throw e;
      }
      done = { item: outcomeOf(target.instanceId, e) };
    }
    tally.add(done.item, done.rows, done.blobs);
  });
  tally.result.cancelled = run.cancelled;
  return tally.result;
}

/**
 * Purge by query is core's `purgeInstances` (terminal statuses only, blobs and history before the
 * Instances row, resumable by running it again), with its per-instance reports mapped to items.
 */
async function purgeByQuery(hub: TaskHub, o: BulkActionOptions, query: InstanceQuery, concurrency: number): Promise<BulkActionResult> {
  const tally = new Tally(o, undefined);
  // Our own controller, so that a fatal error can stop the purge as the caller's signal would.
  const inner = new AbortController();
  // Every concurrent storage request of the purge listens to this one signal.
  setMaxListeners(0, inner.signal);
  const forward = (): void => inner.abort();
  if (o.signal?.aborted) {
    inner.abort();
  }
  o.signal?.addEventListener('abort', forward, { once: true });
  let fatal: { error: unknown } | undefined;
  try {
    await purgeInstances(hub, {
      ...query,
      concurrency,
      signal: inner.signal,
      onInstance: (r: PurgedInstanceReport) => {
        if (!r.ok && isFatal(r.cause)) {
          fatal ??= { error: r.cause };
          inner.abort();
          return;
        }
        if (r.ok) {
          tally.add({ instanceId: r.instanceId, outcome: 'succeeded', message: purgedMessage(r.rows, r.blobs) }, r.rows, r.blobs);
        } else {
          tally.add(outcomeOf(r.instanceId, r.cause ?? new Error(r.error)));
        }
      },
    });
  } catch (e) {
    if (fatal) {
      throw fatal.error;
    }
    if (!(e instanceof CancelledError && o.signal?.aborted)) {
      throw e;
    }
    tally.result.cancelled = true;
  } finally {
    o.signal?.removeEventListener('abort', forward);
  }
  if (fatal) {
    throw fatal.error;
  }
  return tally.result;
}

/** How many instances a query matches (a `$select=RuntimeStatus` scan via countInstancesByStatus). */
export async function countMatchingInstances(hub: TaskHub, query: InstanceQuery, opts: OperationOptions = {}): Promise<number> {
  const counts = await countInstancesByStatus(hub, query, opts);
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}
