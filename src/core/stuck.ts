// Diagnostics for a hub that is not making progress: instances that have been Running or Pending
// for too long without an update, and how many messages wait in each of the hub's queues.
import type { InstanceStatus, OperationOptions, RuntimeStatus } from './model';
import type { TaskHub } from './hub';
import { RUNTIME_STATUSES } from './model';
import { ValidationError, throwIfAborted } from './errors';
import { controlQueueName, hubResourceNames } from './format/names';
import { and, eq, odataDateTime, or } from './format/odata';
import { controlQueueFor } from './format/partition';
import { NO_ENTITIES_FILTER, instanceColumns, toInstanceStatus } from './instances';
import { queryPage } from './storage/rows';
import { isNotFound, toDurableError } from './storage/errors';

export interface StuckQuery {
  /** Instances whose LastUpdatedTime is strictly before this. */
  lastUpdatedBefore: Date;
  /** Default ['Running', 'Pending']. */
  statuses?: readonly RuntimeStatus[];
  /** Most instances returned (the oldest): default 500, 1..5000. */
  limit?: number;
  /** Durable entities too (default false: an entity is Running while it exists, idle or not). */
  includeEntities?: boolean;
}

export interface StuckInstance {
  status: InstanceStatus;
  /** The control queue the instance's messages go to. */
  controlQueue: string;
}

export interface QueueDepthInfo {
  queue: string;
  /** Null when the queue does not exist. */
  approximateMessages: number | null;
}

const DEFAULT_STUCK_STATUSES: readonly RuntimeStatus[] = ['Running', 'Pending'];
const DEFAULT_STUCK_LIMIT = 500;
const MAX_STUCK_LIMIT = 5000;

/**
 * DateTime text as the service returns it has 0..7 fractional digits; padded to 7 it sorts
 * as text in time order (a JS Date would drop the 100-ns digits).
 */
function sortableTime(text: string | null): string {
  if (!text) {
    return '';
  }
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?Z$/.exec(text);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(7, '0')}Z` : text;
}

function olderFirst(a: InstanceStatus, b: InstanceStatus): number {
  const ta = sortableTime(a.lastUpdatedTime);
  const tb = sortableTime(b.lastUpdatedTime);
  return ta < tb ? -1 : ta > tb ? 1 : a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
}

/**
 * Running/Pending (or the given statuses) instances not updated since `lastUpdatedBefore`, oldest
 * first. The filter runs on the server; only the oldest `limit` are kept while scanning, so memory
 * stays bounded however many match. `truncated` says more matched than were returned.
 */
export async function findStuckInstances(
  hub: TaskHub,
  q: StuckQuery,
  opts: OperationOptions = {},
): Promise<{ instances: StuckInstance[]; truncated: boolean }> {
  if (!(q.lastUpdatedBefore instanceof Date) || Number.isNaN(q.lastUpdatedBefore.getTime())) {
    throw new ValidationError('last-updated-before', 'last-updated-before must be a valid date.');
  }
  const limit = q.limit ?? DEFAULT_STUCK_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_STUCK_LIMIT) {
    throw new ValidationError('limit', `The limit must be a whole number from 1 to ${MAX_STUCK_LIMIT}.`);
  }
  const statuses = [...new Set(q.statuses && q.statuses.length > 0 ? q.statuses : DEFAULT_STUCK_STATUSES)];
  const unknown = statuses.filter((s) => !RUNTIME_STATUSES.includes(s));
  if (unknown.length > 0) {
    throw new ValidationError('runtime-status', `Unknown runtime status '${unknown[0]}'. Valid: ${RUNTIME_STATUSES.join(', ')}.`);
  }

  const names = hubResourceNames(hub.name);
  const table = hub.clients.table(names.instancesTable);
  const filter = and(
    or(...statuses.map((s) => eq('RuntimeStatus', s))),
    `LastUpdatedTime lt ${odataDateTime(q.lastUpdatedBefore)}`,
    // Entities are Running for as long as they exist: old ones are idle, not stuck.
    !q.includeEntities && NO_ENTITIES_FILTER,
  );
  const select = instanceColumns({});
  let kept: InstanceStatus[] = [];
  let matched = 0;
  let token: string | null = null;
  try {
    do {
      throwIfAborted(opts.signal);
      const page = await queryPage(table, filter, { select, pageSize: 1000, continuationToken: token, signal: opts.signal });
      for (const row of page.rows) {
        kept.push(toInstanceStatus(row));
      }
      matched += page.rows.length;
      // Trim now and then rather than per row: sorting 2×limit items is cheap and rare.
      if (kept.length > 2 * limit) {
        kept = kept.sort(olderFirst).slice(0, limit);
      }
      opts.onProgress?.({ message: `Scanned ${matched} matching instances`, done: matched });
      token = page.continuationToken;
    } while (token);
  } catch (e) {
    throw toDurableError(e, { endpoint: hub.clients.endpoints.table, what: `table '${names.instancesTable}'`, secrets: hub.clients.secrets });
  }
  kept = kept.sort(olderFirst).slice(0, limit);
  return {
    instances: kept.map((status) => ({ status, controlQueue: controlQueueFor(hub.name, status.instanceId, hub.partitionCount) })),
    truncated: matched > limit,
  };
}

/** Approximate message count of each control queue (`{h}-control-00`…) and then `{h}-workitems`, read in parallel. */
export async function readQueueDepths(hub: TaskHub, opts: OperationOptions = {}): Promise<QueueDepthInfo[]> {
  throwIfAborted(opts.signal);
  const queues = [
    ...Array.from({ length: hub.partitionCount }, (_, i) => controlQueueName(hub.name, i)),
    hubResourceNames(hub.name).workItemQueue,
  ];
  return Promise.all(
    queues.map(async (queue): Promise<QueueDepthInfo> => {
      try {
        const props = await hub.clients.queue(queue).getProperties({ abortSignal: opts.signal });
        return { queue, approximateMessages: props.approximateMessagesCount ?? 0 };
      } catch (e) {
        if (isNotFound(e)) {
          return { queue, approximateMessages: null };
        }
        throw toDurableError(e, { endpoint: hub.clients.endpoints.queue, what: `queue '${queue}'`, secrets: hub.clients.secrets });
      }
    }),
  );
}
