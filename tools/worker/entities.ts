// Durable entities (`@name@key`), as the Functions extension runs them on DurableTask.Core
// (DurableTaskExtension.EntityMiddleware + TaskEntityShim, simplified): every EventRaised named
// "op…" of the current execution is an operation request; the batch runs the operations on the
// state carried in the execution's input (the SchedulerState JSON), then the entity continues as
// new with the new state. As in TaskOrchestrationDispatcher's ContinueAsNew loop, the episode's
// events are replaced by the new execution's [OrchestratorStarted, ExecutionStarted,
// OrchestratorCompleted] — the rows tools/seed/hubWriter.ts `writeEntity` writes — and the
// custom status is the EntityStatus JSON.
import { randomUUID } from 'node:crypto';
import type { TaskHub } from '../../src/core/hub';
import type { WorkerEvent } from './events';
import { jsonField, newEvent, strField, utcNow } from './events';
import { controlQueueOf, eventRaisedMessageEvent, send } from './messages';
import type { WorkerContext } from './context';
import { startedFields } from './context';
import { findFunction } from './samples';
import type { LoadedHistory } from './store';
import { checkpoint } from './store';

interface SchedulerState {
  state?: string;
  lockedBy?: string;
  sorter?: Record<string, unknown>;
  [other: string]: unknown;
}

/** A request message ("op"): the Functions extension's RequestMessage, or a friendlier hand-written form. */
interface Request {
  op: string;
  input: unknown;
  id: string | null;
  isSignal: boolean;
  parent: string | null;
}

function parseJsonText(text: unknown): unknown {
  if (typeof text !== 'string') {
    return text;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function parseRequest(input: string | null): Request | null {
  const value = parseJsonText(input);
  if (typeof value === 'string') {
    // A bare operation name, e.g. --event-data reset.
    return { op: value, input: undefined, id: null, isSignal: true, parent: null };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return null;
  }
  const o = value as Record<string, unknown>;
  const op = typeof o.op === 'string' ? o.op : typeof o.operation === 'string' ? o.operation : null;
  if (!op) {
    return null;
  }
  return {
    op,
    // RequestMessage.input is the operation input serialized as JSON text.
    input: 'input' in o ? parseJsonText(o.input) : undefined,
    id: typeof o.id === 'string' ? o.id : null,
    isSignal: o.signal === true || o.isSignal === true || typeof o.parent !== 'string',
    parent: typeof o.parent === 'string' ? o.parent : null,
  };
}

function entityNameOf(instanceId: string): string {
  const at = instanceId.indexOf('@', 1);
  return (at > 0 ? instanceId.slice(1, at) : instanceId.slice(1)).toLowerCase();
}

/** Runs one entity batch and commits it; returns the new runtime status. */
export async function processEntityBatch(
  w: WorkerContext,
  hub: TaskHub,
  instanceId: string,
  history: LoadedHistory,
  messageEvents: WorkerEvent[],
): Promise<string> {
  const events: WorkerEvent[] = [...history.events, newEvent('OrchestratorStarted')];
  let started = events.find((e) => e.eventType === 'ExecutionStarted') ?? null;
  for (const e of messageEvents) {
    if (e.eventType === 'ExecutionStarted') {
      if (started) {
        continue;
      }
      started = e;
    }
    events.push(e);
  }
  if (!started) {
    throw new Error(`Entity '${instanceId}' has no ExecutionStarted event.`);
  }
  const scheduler = (jsonField<SchedulerState>(started, 'Input') ?? {}) as SchedulerState;
  let exists = typeof scheduler.state === 'string';
  let state: unknown = exists ? parseJsonText(scheduler.state) : undefined;
  const operations = findFunction(w.app.entities, entityNameOf(instanceId));
  const responses: Array<{ parent: string; id: string; result: string }> = [];

  for (const e of events) {
    e.isPlayed = e.isPlayed || e.eventType !== 'OrchestratorStarted';
    if (e.eventType !== 'EventRaised' || !(strField(e, 'Name') ?? '').startsWith('op')) {
      continue;
    }
    const request = parseRequest(strField(e, 'Input'));
    if (!request) {
      w.log(`${hub.name} ${instanceId}: entity request ignored (no operation in ${strField(e, 'Input')})`);
      continue;
    }
    const operation = operations && findFunction(operations, request.op.toLowerCase());
    let result: unknown;
    if (!operation) {
      w.log(`${hub.name} ${instanceId}: entity has no operation '${request.op}'`);
      result = { exceptionType: 'System.InvalidOperationException', message: `No operation named '${request.op}' was found.` };
    } else {
      const outcome = operation(state, request.input);
      state = outcome.state;
      exists = state !== undefined;
      result = outcome.result;
    }
    if (!request.isSignal && request.parent && request.id) {
      responses.push({ parent: request.parent, id: request.id, result: JSON.stringify({ result: result === undefined ? null : JSON.stringify(result) }) });
    }
  }

  const next: SchedulerState = {};
  if (exists) {
    next.state = JSON.stringify(state);
  }
  if (scheduler.lockedBy) {
    next.lockedBy = scheduler.lockedBy;
  }
  next.sorter = scheduler.sorter ?? {};
  const status: Record<string, unknown> = {};
  if (exists) {
    status.entityExists = true;
  }
  if (scheduler.lockedBy) {
    status.lockedBy = scheduler.lockedBy;
  }

  const previousExecution = jsonField<{ ExecutionId?: string }>(started, 'OrchestrationInstance')?.ExecutionId ?? history.executionId ?? '';
  const episode = events.filter((e) => e.eventType === 'OrchestratorStarted').length;
  for (const r of responses) {
    // The response to a call is an EventRaised named by the request id.
    await send(hub, {
      queue: controlQueueOf(hub, r.parent),
      target: { instanceId: r.parent, executionId: null },
      event: eventRaisedMessageEvent(r.id, r.result, utcNow()),
      sender: { instanceId, executionId: previousExecution },
      episode,
    });
  }

  // ContinueAsNew with the new scheduler state: the new execution replaces the history.
  const executionId = randomUUID().replace(/-/g, '');
  const name = strField(started, 'Name') ?? instanceId;
  const newHistory = [
    newEvent('OrchestratorStarted'),
    newEvent('ExecutionStarted', startedFields({ instanceId, executionId, name, version: strField(started, 'Version') ?? '', input: JSON.stringify(next), parent: null, tags: null })),
    newEvent('OrchestratorCompleted'),
  ];
  newHistory[1].isPlayed = true;
  const result = await checkpoint(hub, {
    instanceId,
    executionId,
    allEvents: newHistory,
    newEventCount: newHistory.length,
    sentinelEtag: history.sentinelEtag,
    customStatus: JSON.stringify(status),
    blobsToDelete: history.blobs,
  });
  return `${result.runtimeStatus} (state ${exists ? JSON.stringify(state) : 'deleted'})`;
}
