// `{h}-workitems` messages → activity executions, as DurableTask.Core TaskActivityDispatcher.cs
// runs them and AzureStorageOrchestrationService.cs `CompleteTaskActivityWorkItemAsync` answers:
// TaskCompleted (the JSON result) or TaskFailed (Reason "Activity function 'X' failed: <message>",
// Details = the serialized exception, FailureDetails) to the orchestration's control queue —
// Sender = the orchestration, Episode = the work item's — and only then the work item is deleted.
import type { TaskHub } from '../../src/core/hub';
import type { WorkerContext } from './context';
import { eventTypeName, strField, fromMessageEvent, utcNow } from './events';
import type { DotnetError } from './failures';
import { asDotnet, failureDetailsOf, functionFailed, serializeCause } from './failures';
import type { FailureInfo, ReceivedMessage } from './messages';
import { controlQueueOf, deleteMessage, send, taskCompletedMessageEvent, taskFailedMessageEvent } from './messages';
import { findFunction } from './samples';
import { hasBeenRewound } from './store';

function parseInput(text: string | null): unknown {
  if (text === null) {
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  // Durable Functions sends the activity input as a one-element parameter array.
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

function failureOf(activity: string, e: DotnetError): FailureInfo {
  return { reason: `Activity function '${activity}' failed: ${e.message}`, details: serializeCause(e), failureDetails: failureDetailsOf(e) };
}

/** Runs one work item and answers it; returns false for a message that is not a TaskScheduled one (deleted). */
export async function processWorkItem(w: WorkerContext, hub: TaskHub, m: ReceivedMessage): Promise<boolean> {
  if (!m.data) {
    w.log(`${hub.name} poison work item ${m.messageId} deleted: ${m.error ?? 'unreadable'}`);
    await deleteMessage(hub, m);
    return false;
  }
  const tm = m.data.TaskMessage;
  const type = eventTypeName(tm.Event.EventType);
  if (type !== 'TaskScheduled') {
    w.log(`${hub.name} ${tm.OrchestrationInstance.InstanceId}: unexpected ${type} on the work-item queue, deleted`);
    await deleteMessage(hub, m);
    return false;
  }
  const scheduled = fromMessageEvent(tm.Event);
  const name = strField(scheduled, 'Name') ?? '';
  const instance = tm.OrchestrationInstance;
  const fn = findFunction(w.app.activities, name);

  let response;
  let outcome: string;
  if (!fn) {
    // TaskNonexistentActivityShim
    const missing = functionFailed(`Activity function '${name}' does not exist.`);
    response = taskFailedMessageEvent(scheduled.eventId, failureOf(name, missing), utcNow());
    outcome = 'TaskFailed (no such activity)';
  } else {
    try {
      const result = await fn(parseInput(strField(scheduled, 'Input')), {
        hubName: hub.name,
        instanceId: instance.InstanceId,
        executionId: instance.ExecutionId,
        name,
        hasBeenRewound: () => hasBeenRewound(hub, instance.InstanceId),
      });
      response = taskCompletedMessageEvent(scheduled.eventId, result === undefined ? null : JSON.stringify(result), utcNow());
      outcome = 'TaskCompleted';
    } catch (e) {
      const failure = asDotnet(e);
      response = taskFailedMessageEvent(scheduled.eventId, failureOf(name, failure), utcNow());
      outcome = `TaskFailed (${failure.dotnetType}: ${failure.message})`;
    }
  }
  await send(hub, {
    queue: controlQueueOf(hub, instance.InstanceId),
    target: { instanceId: instance.InstanceId, executionId: instance.ExecutionId },
    event: response,
    sender: { instanceId: instance.InstanceId, executionId: instance.ExecutionId },
    // ActivitySession: the episode of the work item message, -1 when it has none.
    episode: typeof m.data.Episode === 'number' ? m.data.Episode : -1,
  });
  await deleteMessage(hub, m);
  w.log(`${hub.name} ${instance.InstanceId} TaskScheduled ${name}#${scheduled.eventId} -> ${outcome}`);
  return true;
}
