// rewind (reference §7): rewrite the failure rows of the latest execution to GenericEvent rows
// (recursing into failed sub-orchestrations), set the instance Pending, then wake each failed
// leaf with a GenericEvent message. Rows are updated with Merge + their ETag, so only EventType
// and Reason change and a concurrent writer makes us fail rather than clobber.
import type { OperationOptions } from '../model';
import type { TaskHub } from '../hub';
import type { Row } from '../storage/rows';
import { ConflictError, NotFoundError, ValidationError, throwIfAborted } from '../errors';
import { escapePartitionKey } from '../format/keys';
import { genericEvent } from '../format/messages';
import { controlQueueName, hubResourceNames } from '../format/names';
import { and, eq, or } from '../format/odata';
import { getInstance } from '../instances';
import { int, queryRows, str } from '../storage/rows';
import { toDurableError } from '../storage/errors';
import { SENTINEL_ROW_KEY } from '../history';
import { sendControlMessage } from './send';

export interface RewindOptions extends OperationOptions {
  instanceId: string;
  reason?: string | null;
  /** Rewind even when the instance is not Failed (the runtime does not check; the Functions API does). */
  force?: boolean;
}

export interface RewindResult {
  instanceId: string;
  previousStatus: string;
  /** Every instance whose history was rewritten (the instance and failed descendants). */
  rewoundInstanceIds: string[];
  /** The failed leaves that were sent a GenericEvent. */
  messagedInstanceIds: string[];
  rowsRewritten: number;
}

const NOT_REWINDABLE =
  "Orchestration instance not rewound. Must have a status of 'Failed', or an EventType of 'TaskFailed' or " +
  "'SubOrchestrationInstanceFailed' to be rewound.";

export async function rewindInstance(hub: TaskHub, o: RewindOptions): Promise<RewindResult> {
  if (!o.instanceId) {
    throw new ValidationError('id', 'The instance id is required.');
  }
  const status = await getInstance(hub, o.instanceId, {}, { signal: o.signal });
  if (!o.force && status.runtimeStatus !== 'Failed') {
    throw new ConflictError(`Cannot rewind instance '${o.instanceId}': it is ${status.runtimeStatus}; only Failed instances can be rewound.`, {
      cliHint: 'Pass --force to rewind anyway.',
    });
  }
  await assertControlQueuesExist(hub, o.signal);
  const state: RewindState = { rewound: [], leaves: [], rows: 0, visited: new Set() };
  await rewindHistory(hub, o.instanceId, state, o);
  if (state.rewound.length === 0) {
    throw new ConflictError(NOT_REWINDABLE);
  }
  for (const leaf of state.leaves) {
    await sendControlMessage(hub, { instanceId: leaf, executionId: null }, genericEvent(o.reason ?? null, new Date()), { signal: o.signal });
  }
  return {
    instanceId: o.instanceId,
    previousStatus: String(status.runtimeStatus),
    rewoundInstanceIds: state.rewound,
    messagedInstanceIds: state.leaves,
    rowsRewritten: state.rows,
  };
}

/**
 * Rewind rewrites history rows and the status before it sends its messages; if a message then
 * could not be sent (control queues missing: a wrong partition count, or a hub never started),
 * the instance would sit Pending for ever. So check every control queue exists first.
 */
async function assertControlQueuesExist(hub: TaskHub, signal?: AbortSignal): Promise<void> {
  const names = hubResourceNames(hub.name);
  const existing = new Set<string>();
  try {
    for await (const q of hub.clients.queueService().listQueues({ prefix: names.controlQueuePrefix, abortSignal: signal })) {
      existing.add(q.name);
    }
  } catch (e) {
    throw toDurableError(e, { endpoint: hub.clients.endpoints.queue, what: `queues '${names.controlQueuePrefix}NN'`, secrets: hub.clients.secrets });
  }
  const missing = Array.from({ length: hub.partitionCount }, (_, i) => controlQueueName(hub.name, i)).filter((q) => !existing.has(q));
  if (missing.length > 0) {
    throw new NotFoundError(
      `Cannot rewind: control queue${missing.length > 1 ? 's' : ''} ${missing.map((q) => `'${q}'`).join(', ')} of task hub '${hub.name}' ` +
        `${missing.length > 1 ? 'do' : 'does'} not exist (using ${hub.partitionCount} partitions, from ${hub.partitionCountSource}); nothing was changed.`,
    );
  }
}

interface RewindState {
  rewound: string[];
  leaves: string[];
  rows: number;
  visited: Set<string>;
}

async function rewindHistory(hub: TaskHub, instanceId: string, state: RewindState, o: OperationOptions): Promise<void> {
  if (state.visited.has(instanceId)) {
    return;
  }
  state.visited.add(instanceId);
  throwIfAborted(o.signal);
  const names = hubResourceNames(hub.name);
  const table = hub.clients.table(names.historyTable);
  const P = eq('PartitionKey', escapePartitionKey(instanceId));
  const fail = (e: unknown): Error =>
    toDurableError(e, { endpoint: hub.clients.endpoints.table, what: `table '${names.historyTable}'`, secrets: hub.clients.secrets });

  try {
    // 1. The latest execution: the one of the OrchestratorStarted row with the highest RowKey.
    let latest: Row | undefined;
    for await (const rows of queryRows(table, and(P, eq('EventType', 'OrchestratorStarted')), { select: ['RowKey', 'ExecutionId'], signal: o.signal })) {
      for (const row of rows) {
        if (!latest || row.rowKey > latest.rowKey) {
          latest = row;
        }
      }
    }
    const executionId = latest ? str(latest, 'ExecutionId') : undefined;
    if (!executionId) {
      return;
    }
    const X = eq('ExecutionId', executionId);

    // 2. The failure rows of that execution.
    const failures: Row[] = [];
    const failureFilter = and(P, X, or(eq('OrchestrationStatus', 'Failed'), eq('EventType', 'TaskFailed'), eq('EventType', 'SubOrchestrationInstanceFailed')));
    for await (const rows of queryRows(table, failureFilter, { signal: o.signal })) {
      failures.push(...rows);
    }

    let hasFailedChildren = false;
    const findScheduled = async (eventId: number, eventType: string): Promise<Row | undefined> => {
      for await (const rows of queryRows(table, and(P, X, `EventId eq ${eventId}`, eq('EventType', eventType)), { signal: o.signal })) {
        return rows[0];
      }
      return undefined;
    };
    const merge = async (row: Row, columns: Record<string, string>): Promise<void> => {
      await table.updateEntity({ partitionKey: row.partitionKey, rowKey: row.rowKey, ...columns }, 'Merge', { etag: row.etag, abortSignal: o.signal });
      state.rows++;
    };

    // 3. Rewrite them.
    for (const row of failures) {
      if (str(row, 'ExecutionId') !== executionId) {
        break;
      }
      if (row.rowKey === SENTINEL_ROW_KEY) {
        continue;
      }
      const type = str(row, 'EventType') ?? '';
      const scheduledId = int(row, 'TaskScheduledId') ?? 0;
      if (type === 'TaskFailed') {
        const scheduled = await findScheduled(scheduledId, 'TaskScheduled');
        if (scheduled) {
          await merge(scheduled, { Reason: 'Rewound: TaskScheduled', EventType: 'GenericEvent' });
        }
      } else if (type === 'SubOrchestrationInstanceFailed') {
        hasFailedChildren = true;
        const created = await findScheduled(scheduledId, 'SubOrchestrationInstanceCreated');
        if (created) {
          // EventType stays: the parent must still see the child it created.
          await merge(created, { Reason: 'Rewound: SubOrchestrationInstanceCreated' });
          const childId = str(created, 'InstanceId');
          if (childId) {
            await rewindHistory(hub, childId, state, o);
          }
        }
      }
      await merge(row, { Reason: `Rewound: ${type}`, EventType: 'GenericEvent' });
    }

    // 4. The instance goes back to Pending (UpdateStatusForRewindAsync: Merge, ETag *).
    await hub.clients
      .table(names.instancesTable)
      .updateEntity({ partitionKey: escapePartitionKey(instanceId), rowKey: '', RuntimeStatus: 'Pending', LastUpdatedTime: new Date() }, 'Merge', {
        etag: '*',
        abortSignal: o.signal,
      });
    state.rewound.push(instanceId);
    // 5. Only failed leaves get a message; parents resume when their child completes.
    if (!hasFailedChildren) {
      state.leaves.push(instanceId);
    }
  } catch (e) {
    throw fail(e);
  }
}
