// One action over many instances: a list of ids or every instance a query matches. Each instance
// goes through the single-instance operation (same checks, same messages); this file only
// schedules them, classifies their outcomes and stops early when storage itself is the problem.
import { setMaxListeners } from 'node:events';
import type { OperationOptions } from '../model';
import type { TaskHub } from '../hub';
import type { InstanceQuery } from '../instances';
import type { PurgedInstanceReport } from './purge';
import { CancelledError, ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, UnreachableError, ValidationError } from '../errors';
import { countInstancesByStatus, instanceFilter, iterateInstanceIds } from '../instances';
import { runBounded } from '../concurrency';
import { raiseEvent, resumeInstance, suspendInstance, terminateInstance } from './control';
import { purgeInstance, purgeInstances } from './purge';
import { rewindInstance } from './rewind';
import { validateJsonText } from './start';

export type BulkActionSpec =
  | { kind: 'terminate' | 'suspend' | 'resume' | 'rewind'; reason?: string | null }
  | { kind: 'raiseEvent'; eventName: string; eventData: string | null } // eventData = JSON text or null
  | { kind: 'purge'; force?: boolean };

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

/**
 * The single-instance operation for one id. Deliberately not given the caller's signal: an
 * operation that has started is allowed to finish, so what was done is known and reported.
 */
async function actOn(hub: TaskHub, action: BulkActionSpec, eventData: string | null, instanceId: string): Promise<Done> {
  const sent = (message: string, previousStatus: string): Done => ({ item: { instanceId, outcome: 'succeeded', message, previousStatus } });
  switch (action.kind) {
    case 'terminate':
      return sent('Terminate message sent', (await terminateInstance(hub, { instanceId, reason: action.reason ?? null })).previousStatus);
    case 'suspend':
      return sent('Suspend message sent', (await suspendInstance(hub, { instanceId, reason: action.reason ?? null })).previousStatus);
    case 'resume':
      return sent('Resume message sent', (await resumeInstance(hub, { instanceId, reason: action.reason ?? null })).previousStatus);
    case 'rewind': {
      const r = await rewindInstance(hub, { instanceId, reason: action.reason ?? null });
      return sent(`Rewound: ${plural(r.rowsRewritten, 'history row')} rewritten`, r.previousStatus);
    }
    case 'raiseEvent':
      return sent(`Event '${action.eventName}' sent`, (await raiseEvent(hub, { instanceId, eventName: action.eventName, eventData })).previousStatus);
    case 'purge': {
      const r = await purgeInstance(hub, { instanceId, force: action.force });
      return { item: { instanceId, outcome: 'succeeded', message: purgedMessage(r.rowsDeleted, r.blobsDeleted) }, rows: r.rowsDeleted, blobs: r.blobsDeleted };
    }
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

  let ids: AsyncIterable<string> | Iterable<string>;
  let expected: number | undefined;
  if (o.target.kind === 'ids') {
    const unique = [...new Set(o.target.instanceIds)];
    ids = unique;
    expected = unique.length;
  } else {
    ids = iterateInstanceIds(hub, o.target.query, { signal: o.signal });
  }
  const tally = new Tally(o, expected);
  // Every error that reaches the runner stops the run (its default): only fatal storage errors
  // and errors thrown by the caller's own onItem/onProgress get there.
  const run = await runBounded(ids, { limit: concurrency, signal: o.signal }, async (instanceId) => {
    let done: Done;
    try {
      done = await actOn(hub, o.action, eventData, instanceId);
    } catch (e) {
      if (isFatal(e)) {
        throw e;
      }
      done = { item: outcomeOf(instanceId, e) };
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
