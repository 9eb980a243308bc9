// Control-queue messages → orchestration episodes, as DurableTask.AzureStorage and
// DurableTask.Core process them:
//  * start-message dedupe and batching per instance — OrchestrationSessionManager.cs
//    (`DedupeExecutionStartedMessagesAsync`, `AddMessageToPendingOrchestration`);
//  * out-of-order messages — Messaging/OrchestrationSession.cs (`IsOutOfOrderMessage`);
//  * discarding messages for finished/unknown instances, terminating instances without history,
//    auto-starting entities — AzureStorageOrchestrationService.cs (`IsExecutableInstanceAsync`),
//    DurableTask.Core Common/Entities.cs (`AutoStart`);
//  * the episode itself — DurableTask.Core TaskOrchestrationDispatcher.cs (`OnProcessWorkItemAsync`,
//    `ReconcileMessagesWithState`, `Process*Decision`, the ContinueAsNew loop);
//  * the commit — AzureStorageOrchestrationService.cs (`CompleteTaskOrchestrationWorkItemAsync`:
//    outbound messages, then the history checkpoint, then deleting the processed messages).
import { randomUUID } from 'node:crypto';
import type { TaskHub } from '../../src/core/hub';
import { hubResourceNames } from '../../src/core/format/names';
import { dateTime, failureDetailsJson, json } from '../seed/hubWriter';
import type { WorkerEvent } from './events';
import { dateField, fromMessageEvent, intField, jsonField, newEvent, strField, utcNow } from './events';
import type { Outbound, ParentRef, ReceivedMessage } from './messages';
import {
  MAX_VISIBILITY_SECONDS,
  abandonDelaySeconds,
  controlQueueOf,
  deleteMessage,
  eventRaisedMessageEvent,
  executionStartedMessageEvent,
  send,
  setVisibility,
  subOrchestrationCompletedMessageEvent,
  subOrchestrationFailedMessageEvent,
  taskScheduledMessageEvent,
  timerFiredMessageEvent,
} from './messages';
import { executeOrchestration } from './replay';
import type { FunctionApp } from './samples';
import { findFunction } from './samples';
import type { LoadedHistory } from './store';
import { CheckpointConflictError, checkpoint, loadHistory, readInstanceStatus, repairCompletedInstance, updateStatusForTermination } from './store';
import { processEntityBatch } from './entities';
import type { WorkerContext } from './context';
import { startedFields } from './context';


/** A message with its decoded MessageData (not poison). */
export type Decoded = ReceivedMessage & { data: NonNullable<ReceivedMessage['data']> };

export interface Batch {
  instanceId: string;
  executionId: string | null;
  messages: Decoded[];
}

interface MessageInfo {
  m: Decoded;
  event: WorkerEvent;
  target: { InstanceId: string; ExecutionId: string | null };
}

function eventTypeOf(m: Decoded): string {
  return fromMessageEvent(m.data.TaskMessage.Event).eventType;
}

function isExecutionStarted(m: Decoded): boolean {
  return eventTypeOf(m) === 'ExecutionStarted';
}

/** Messages that answer something the orchestration did (`Utils.TryGetTaskScheduledId`). */
function taskScheduledIdOf(e: WorkerEvent): number | null {
  switch (e.eventType) {
    case 'TaskCompleted':
    case 'TaskFailed':
    case 'SubOrchestrationInstanceCompleted':
    case 'SubOrchestrationInstanceFailed':
      return intField(e, 'TaskScheduledId');
    case 'TimerFired':
      return intField(e, 'TimerId');
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Session manager: dedupe, batching

/**
 * `DedupeExecutionStartedMessagesAsync`: a top-level start message runs only if the Instances row
 * has its ExecutionId (or none, pre-1.8.5 clients). Otherwise it is a duplicate (same Generation
 * and the row is a Pending one created before the message) and is deleted, or is abandoned with
 * back-off until the client writes the row — and deleted after 10 dequeues.
 */
export async function dedupeStartMessages(w: WorkerContext, hub: TaskHub, messages: Decoded[]): Promise<Decoded[]> {
  const out: Decoded[] = [];
  for (const m of messages) {
    const event = m.data.TaskMessage.Event;
    if (!isExecutionStarted(m) || (event.ParentInstance !== null && event.ParentInstance !== undefined)) {
      out.push(m);
      continue;
    }
    const local = m.data.TaskMessage.OrchestrationInstance;
    const remote = await readInstanceStatus(hub, local.InstanceId);
    const expectedGeneration = typeof event.Generation === 'number' ? event.Generation : null;
    if (remote && (!remote.executionId || remote.executionId.toLowerCase() === (local.ExecutionId ?? '').toLowerCase())) {
      out.push(m);
    } else if (
      remote &&
      expectedGeneration === (remote.generation ?? 0) &&
      remote.status === 'Pending' &&
      remote.createdTime !== undefined &&
      typeof event.Timestamp === 'string' &&
      Date.parse(remote.createdTime) < Date.parse(event.Timestamp)
    ) {
      w.log(`${hub.name} ${local.InstanceId}: duplicate ExecutionStarted (execution ${local.ExecutionId}) discarded`);
      await deleteMessage(hub, m);
    } else if (m.dequeueCount >= 10) {
      w.log(`${hub.name} ${local.InstanceId}: ExecutionStarted without a matching Instances row after ${m.dequeueCount} attempts, discarded`);
      await deleteMessage(hub, m);
    } else {
      await setVisibility(hub, m, abandonDelaySeconds(m.dequeueCount));
    }
  }
  return out;
}

/**
 * `AddMessageToPendingOrchestration`: a start message always opens a new batch; any other message
 * joins the latest batch of its instance when it targets any execution (null) or that batch's.
 */
export function toBatches(messages: Decoded[]): Batch[] {
  const batches: Batch[] = [];
  for (const m of messages) {
    const { InstanceId: instanceId, ExecutionId: executionId } = m.data.TaskMessage.OrchestrationInstance;
    let target: Batch | undefined;
    if (!isExecutionStarted(m)) {
      for (let i = batches.length - 1; i >= 0; i--) {
        const b = batches[i];
        if (b.instanceId !== instanceId) {
          continue;
        }
        if (!executionId || b.executionId === executionId) {
          target = b;
          break;
        }
        if (b.executionId === null) {
          b.executionId = executionId;
          target = b;
          break;
        }
      }
    }
    if (!target) {
      target = { instanceId, executionId: executionId ?? null, messages: [] };
      batches.push(target);
    }
    target.messages.push(m);
  }
  return batches;
}

// ---------------------------------------------------------------------------------------------
// Runtime state helpers (OrchestrationRuntimeState.SetMarkerEvents)

export interface RuntimeView {
  started: WorkerEvent | null;
  status: string;
}

export function runtimeView(events: readonly WorkerEvent[]): RuntimeView {
  let started: WorkerEvent | null = null;
  let completed: string | null = null;
  let status = 'Running';
  for (const e of events) {
    if (e.eventType === 'ExecutionStarted' && !started) {
      started = e;
    } else if ((e.eventType === 'ExecutionCompleted' || e.eventType === 'ContinueAsNew') && completed === null) {
      completed = strField(e, 'OrchestrationStatus') ?? (e.eventType === 'ContinueAsNew' ? 'ContinuedAsNew' : 'Completed');
      status = completed;
    } else if (e.eventType === 'ExecutionSuspended') {
      status = 'Suspended';
    } else if (e.eventType === 'ExecutionResumed' && completed === null) {
      status = 'Running';
    }
  }
  return { started, status };
}

function executionIdOf(started: WorkerEvent | null): string | null {
  return started ? (jsonField<{ ExecutionId?: string | null }>(started, 'OrchestrationInstance')?.ExecutionId ?? null) : null;
}

async function deleteAll(hub: TaskHub, messages: readonly Decoded[]): Promise<void> {
  for (const m of messages) {
    await deleteMessage(hub, m);
  }
}

async function abandonAll(hub: TaskHub, messages: readonly Decoded[]): Promise<void> {
  for (const m of messages) {
    await setVisibility(hub, m, abandonDelaySeconds(m.dequeueCount));
  }
}

function logMessages(w: WorkerContext, hub: TaskHub, instanceId: string, infos: readonly { event: WorkerEvent }[], outcome: string): void {
  for (const { event } of infos) {
    w.log(`${hub.name} ${instanceId} ${event.eventType} -> ${outcome}`);
  }
}

// ---------------------------------------------------------------------------------------------
// One batch

/** Processes one instance's batch; returns the number of messages it consumed. */
export async function processBatch(w: WorkerContext, hub: TaskHub, batch: Batch): Promise<number> {
  const instanceId = batch.instanceId;
  // Timers beyond the 7-day queue limit arrive early: hide them again until their time.
  const due: Decoded[] = [];
  for (const m of batch.messages) {
    const e = fromMessageEvent(m.data.TaskMessage.Event);
    const fireAt = e.eventType === 'TimerFired' ? dateField(e, 'FireAt') : null;
    if (fireAt && fireAt.getTime() - Date.now() > 1000) {
      await setVisibility(hub, m, Math.min(MAX_VISIBILITY_SECONDS, Math.ceil((fireAt.getTime() - Date.now()) / 1000)));
    } else {
      due.push(m);
    }
  }
  if (due.length === 0) {
    return 0;
  }

  const history = await loadHistory(hub, instanceId, batch.executionId);
  const view = runtimeView(history.events);
  const currentExecution = executionIdOf(view.started) ?? history.executionId;

  // IsOutOfOrderMessage: a response to something the loaded history has not recorded yet.
  const nonexistent = history.events.length === 0 || !view.started;
  const inOrder: Decoded[] = [];
  const outOfOrder: Decoded[] = [];
  for (const m of due) {
    const id = taskScheduledIdOf(fromMessageEvent(m.data.TaskMessage.Event));
    if (id === null || (nonexistent && m.dequeueCount > 5) || history.events.some((e) => e.eventId === id)) {
      inOrder.push(m);
    } else {
      outOfOrder.push(m);
    }
  }
  if (outOfOrder.length > 0) {
    await abandonAll(hub, outOfOrder);
  }
  if (inOrder.length === 0) {
    return 0;
  }
  const infos: MessageInfo[] = inOrder.map((m) => ({ m, event: fromMessageEvent(m.data.TaskMessage.Event), target: m.data.TaskMessage.OrchestrationInstance }));

  // IsExecutableInstanceAsync
  if (!view.started && !infos.some((i) => i.event.eventType === 'ExecutionStarted')) {
    const first = infos[0];
    if (instanceId.startsWith('@') && first.event.eventType === 'EventRaised' && !first.target.ExecutionId) {
      // Entities.AutoStart: an entity starts on its first message.
      const executionId = randomUUID().replace(/-/g, '');
      infos.unshift({
        m: first.m,
        event: newEvent('ExecutionStarted', startedFields({ instanceId, executionId, name: instanceId, version: '', input: null, parent: null, tags: null })),
        target: { InstanceId: instanceId, ExecutionId: executionId },
      });
    } else {
      const terminate = [...infos].reverse().find((i) => i.event.eventType === 'ExecutionTerminated');
      let why: string;
      if (terminate) {
        await updateStatusForTermination(hub, instanceId, terminate.event);
        why = 'Terminated';
      } else {
        why = history.events.length === 0 ? 'discarded (no such instance)' : 'discarded (invalid history: overwritten by a newer execution)';
      }
      await deleteAll(hub, inOrder);
      logMessages(w, hub, instanceId, infos, why);
      return inOrder.length;
    }
  }
  if (view.started && !['Running', 'Pending', 'Suspended'].includes(view.status)) {
    const row = await readInstanceStatus(hub, instanceId);
    if (currentExecution && (!row || (row.executionId === currentExecution && row.status !== view.status))) {
      await repairCompletedInstance(hub, instanceId, currentExecution, history.events, null);
    }
    // Messages for this (finished) execution are deleted; messages for another execution wait.
    let discard = inOrder.filter((m) => m.data.TaskMessage.OrchestrationInstance.ExecutionId === currentExecution);
    let keep = inOrder.filter((m) => !discard.includes(m));
    if (discard.length === 0) {
      discard = keep;
      keep = [];
    }
    await deleteAll(hub, discard);
    await abandonAll(hub, keep);
    logMessages(w, hub, instanceId, infos.filter((i) => discard.includes(i.m)), `discarded (instance is ${view.status})`);
    return discard.length;
  }

  try {
    const status = instanceId.startsWith('@')
      ? await processEntityBatch(w, hub, instanceId, history, infos.map((i) => i.event))
      : await runEpisode(w, hub, instanceId, history, infos);
    await deleteAll(hub, inOrder);
    logMessages(w, hub, instanceId, infos, status);
    return inOrder.length;
  } catch (e) {
    // SessionAbortedException / any failure: abandon the messages so they are retried.
    await abandonAll(hub, inOrder);
    if (e instanceof CheckpointConflictError) {
      w.log(`${hub.name} ${instanceId}: ${e.message} Messages abandoned.`);
      return 0;
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// The episode

function parentOf(started: WorkerEvent): ParentRef | null {
  const p = jsonField<{ Name?: string; Version?: string; TaskScheduleId?: number; OrchestrationInstance?: { InstanceId?: string; ExecutionId?: string | null } }>(started, 'ParentInstance');
  if (!p || !p.OrchestrationInstance?.InstanceId) {
    return null;
  }
  return {
    name: p.Name ?? '',
    version: p.Version ?? '',
    taskScheduleId: p.TaskScheduleId ?? -1,
    instance: { instanceId: p.OrchestrationInstance.InstanceId, executionId: p.OrchestrationInstance.ExecutionId ?? null },
  };
}

/** The Functions host's message for a missing orchestrator (DurableTaskExtension.GetInvalidOrchestratorFunctionMessage). */
export function missingOrchestratorMessage(app: FunctionApp, name: string): string {
  const known = Object.keys(app.orchestrators);
  return (
    `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function. Additional info: ` +
    (known.length > 0 ? `The following are the known orchestrator functions: '${known.join("', '")}'.` : 'No orchestrator functions are currently registered!')
  );
}

const MAX_CONTINUE_AS_NEW_PER_EPISODE = 100;

/** Runs one episode and commits it; returns the new runtime status. */
async function runEpisode(w: WorkerContext, hub: TaskHub, instanceId: string, history: LoadedHistory, infos: MessageInfo[]): Promise<string> {
  let events: WorkerEvent[] = [...history.events];
  let firstNew = events.length;
  events.push(newEvent('OrchestratorStarted'));

  // ReconcileMessagesWithState
  let started = runtimeView(events).started;
  for (const { event, target } of infos) {
    if (event.eventType === 'ExecutionStarted') {
      if (started) {
        w.log(`${hub.name} ${instanceId}: duplicate start event dropped`);
        continue;
      }
      started = event;
    } else if (target.ExecutionId && target.ExecutionId !== executionIdOf(started)) {
      w.log(`${hub.name} ${instanceId}: ${event.eventType} for execution ${target.ExecutionId} dropped (current is ${executionIdOf(started)})`);
      continue;
    }
    events.push(event);
  }
  if (!started) {
    throw new Error(`Instance '${instanceId}' has no ExecutionStarted event.`);
  }

  const originalExecution = executionIdOf(started) ?? history.executionId ?? '';
  const sender = { instanceId, executionId: originalExecution };
  const episode = events.filter((e) => e.eventType === 'OrchestratorStarted').length;
  const outbound: Outbound[] = [];
  let executionId = originalExecution;
  let name = strField(started, 'Name') ?? '';
  let version = strField(started, 'Version') ?? '';
  let parent = parentOf(started);
  let tags = jsonField<Record<string, string>>(started, 'Tags');
  let customStatus: string | null = null;
  let replaced = false;

  for (let round = 0; ; round++) {
    const result = executeOrchestration({
      instanceId,
      executionId,
      name,
      parentInstanceId: parent?.instance.instanceId ?? null,
      events,
      firstNewEvent: firstNew,
      orchestrator: findFunction(w.app.orchestrators, name),
      missingFunctionMessage: () => missingOrchestratorMessage(w.app, name),
    });
    customStatus = result.customStatus ?? customStatus;
    const self = { instanceId, executionId };
    let continued: { input: string | null; carryover: WorkerEvent[] } | null = null;

    for (const action of result.actions) {
      switch (action.kind) {
        case 'ScheduleTask': {
          const e = newEvent('TaskScheduled', { Name: action.name, Version: '', Input: action.input, ParentTraceContext: json(null), Tags: json(null) }, action.id);
          events.push(e);
          outbound.push({
            queue: hubResourceNames(hub.name).workItemQueue,
            target: self,
            event: taskScheduledMessageEvent(action.id, action.name, action.input, e.timestamp),
            sender,
            episode,
            executionContextTags: tags ?? {},
          });
          break;
        }
        case 'CreateTimer': {
          const fireAt = action.fireAt.toISOString().replace(/Z$/, '0000Z');
          const e = newEvent('TimerCreated', { FireAt: dateTime(fireAt) }, action.id);
          events.push(e);
          outbound.push({
            queue: controlQueueOf(hub, instanceId),
            target: self,
            event: timerFiredMessageEvent(action.id, fireAt, utcNow()),
            sender,
            episode,
            visibilityDelaySeconds: Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, (action.fireAt.getTime() - Date.now()) / 1000)),
          });
          break;
        }
        case 'CreateSubOrchestration': {
          const e = newEvent(
            'SubOrchestrationInstanceCreated',
            { Name: action.name, Version: '', InstanceId: action.instanceId, Input: action.input, Tags: json(tags) },
            action.id,
          );
          events.push(e);
          const child = { instanceId: action.instanceId, executionId: randomUUID().replace(/-/g, '') };
          outbound.push({
            queue: controlQueueOf(hub, action.instanceId),
            target: child,
            event: executionStartedMessageEvent({
              instance: child,
              name: action.name,
              version: '',
              input: action.input,
              parent: { name, version, taskScheduleId: action.id, instance: self },
              tags,
              timestamp: utcNow(),
            }),
            sender,
            episode,
            executionContextTags: tags ?? {},
          });
          break;
        }
        case 'SendEvent': {
          events.push(newEvent('EventSent', { InstanceId: action.instanceId, Name: action.name, Input: action.input }, action.id));
          outbound.push({
            queue: controlQueueOf(hub, action.instanceId),
            target: { instanceId: action.instanceId, executionId: null },
            event: eventRaisedMessageEvent(action.name, action.input, utcNow()),
            sender,
            episode,
          });
          break;
        }
        case 'Complete': {
          if (action.status === 'ContinuedAsNew') {
            events.push(newEvent('ContinueAsNew', { OrchestrationStatus: 'ContinuedAsNew', Result: action.result, FailureDetails: json(null) }, action.id));
            continued = { input: action.result, carryover: action.carryover };
            break;
          }
          events.push(
            newEvent(
              'ExecutionCompleted',
              {
                OrchestrationStatus: action.status,
                Result: action.result,
                FailureDetails: json(action.failureDetails ? failureDetailsJson(action.failureDetails) : null),
              },
              action.id,
            ),
          );
          // A sub-orchestration reports to its parent (Terminated counts as failed).
          if (parent) {
            const now = utcNow();
            const reply =
              action.status === 'Completed'
                ? subOrchestrationCompletedMessageEvent(parent.taskScheduleId, action.result, now)
                : subOrchestrationFailedMessageEvent(parent.taskScheduleId, { reason: action.result, details: action.details, failureDetails: action.failureDetails }, now);
            outbound.push({ queue: controlQueueOf(hub, parent.instance.instanceId), target: parent.instance, event: reply, sender, episode });
          }
          break;
        }
      }
    }

    if (!continued) {
      if (events[events.length - 1].eventType !== 'OrchestratorCompleted') {
        events.push(newEvent('OrchestratorCompleted'));
      }
      break;
    }
    if (round >= MAX_CONTINUE_AS_NEW_PER_EPISODE) {
      throw new Error(`Instance '${instanceId}' continued as new ${round} times in one episode; giving up.`);
    }
    // The new execution replaces the old one in this same episode: OrchestratorStarted, its
    // ExecutionStarted, the carried-over events, OrchestratorCompleted; then it runs.
    executionId = randomUUID().replace(/-/g, '');
    const nextStarted = newEvent('ExecutionStarted', startedFields({ instanceId, executionId, name, version, input: continued.input, parent, tags }));
    events = [newEvent('OrchestratorStarted'), nextStarted, ...continued.carryover, newEvent('OrchestratorCompleted')];
    firstNew = 0;
    replaced = true;
    name = strField(nextStarted, 'Name') ?? name;
    version = strField(nextStarted, 'Version') ?? version;
    parent = parentOf(nextStarted);
    tags = jsonField<Record<string, string>>(nextStarted, 'Tags');
  }

  // CommitOutboundQueueMessages, then UpdateStateAsync (the checkpoint), then (caller) delete.
  for (const m of outbound) {
    await send(hub, m);
  }
  await checkpoint(hub, {
    instanceId,
    executionId,
    allEvents: events,
    newEventCount: replaced ? events.length : events.length - firstNew,
    sentinelEtag: history.sentinelEtag,
    customStatus,
    blobsToDelete: replaced ? history.blobs : undefined,
  });
  // The runtime state's status (a rewound instance's Instances row stays Pending until it finishes).
  return runtimeView(events).status;
}
