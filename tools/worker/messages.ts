// Queue messages on the worker side. Receiving: either body encoding, large-message wrappers
// (`MessageManager.DeserializeQueueMessageAsync`). Sending: MessageData as the runtime's
// `TaskHubQueue.AddMessageAsync` builds it — with `Episode` and `Sender` (the orchestration the
// message comes from), a visibility delay for timers (`GetVisibilityDelay`), TTL -1, Base64 body,
// offloaded to `{h}-largemessages` over 45 KB. Core's builders (src/core/format/messages.ts) cover
// the management messages a client sends; the runtime-to-runtime ones are built here.
import { randomUUID } from 'node:crypto';
import type { TaskHub } from '../../src/core/hub';
import type { MessageEvent, OrchestrationInstanceRef } from '../../src/core/format/messages';
import { decodeQueueBody, encodeQueueBody, eventRaisedEvent, largeMessageBlobName, largeMessageWrapper, needsOffload } from '../../src/core/format/messages';
import { hubResourceNames } from '../../src/core/format/names';
import { controlQueueFor } from '../../src/core/format/partition';
import { gzip } from '../../src/core/format/payload';
import { eventTypeNumber } from '../../src/core/model';
import type { EventTypeName } from '../../src/core/model';
import { downloadLargeMessage } from '../../src/core/values';
import type { FailureDetailsSpec } from '../seed/hubWriter';
import { failureDetailsJson } from '../seed/hubWriter';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const T = '$type';

// ---------------------------------------------------------------------------------------------
// Receiving

export interface TaskMessageJson {
  Event: Record<string, unknown> & { EventType?: number; $type?: string };
  OrchestrationInstance: { InstanceId: string; ExecutionId: string | null };
  OrchestrationExecutionContext?: unknown;
}

export interface MessageDataJson {
  ActivityId?: string;
  TaskMessage: TaskMessageJson | null;
  CompressedBlobName?: string | null;
  SequenceNumber?: number;
  Episode?: number | null;
  Sender?: { InstanceId: string; ExecutionId: string | null } | null;
}

/** One dequeued message: its queue receipt and, unless it is poison, its MessageData. */
export interface ReceivedMessage {
  queue: string;
  messageId: string;
  popReceipt: string;
  dequeueCount: number;
  insertedOn: number;
  data?: MessageDataJson & { TaskMessage: TaskMessageJson };
  /** Why the message could not be read (poison). */
  error?: string;
}

/** Decodes a queue body: raw JSON or Base64, then the real message behind a large-message wrapper. */
export async function decodeMessage(hub: TaskHub, text: string): Promise<MessageDataJson & { TaskMessage: TaskMessageJson }> {
  let data = JSON.parse(decodeQueueBody(text)) as MessageDataJson;
  if (data.CompressedBlobName) {
    data = JSON.parse(await downloadLargeMessage(hub, data.CompressedBlobName)) as MessageDataJson;
  }
  const tm = data.TaskMessage;
  if (!tm || !tm.Event || typeof tm.Event !== 'object' || !tm.OrchestrationInstance?.InstanceId) {
    throw new Error('The message has no TaskMessage with an Event and an OrchestrationInstance.');
  }
  return data as MessageDataJson & { TaskMessage: TaskMessageJson };
}

export async function receive(hub: TaskHub, queue: string, max: number, visibilityTimeoutSeconds: number): Promise<ReceivedMessage[]> {
  const client = hub.clients.queue(queue);
  const r = await client.receiveMessages({ numberOfMessages: max, visibilityTimeout: visibilityTimeoutSeconds });
  const out: ReceivedMessage[] = [];
  for (const m of r.receivedMessageItems) {
    const msg: ReceivedMessage = {
      queue,
      messageId: m.messageId,
      popReceipt: m.popReceipt,
      dequeueCount: m.dequeueCount,
      insertedOn: m.insertedOn.getTime(),
    };
    try {
      msg.data = await decodeMessage(hub, m.messageText);
    } catch (e) {
      msg.error = (e as Error).message;
    }
    out.push(msg);
  }
  // ControlQueue.MessageOrderingComparer: insertion time, then the sender's sequence number.
  return out.sort((a, b) => a.insertedOn - b.insertedOn || (a.data?.SequenceNumber ?? 0) - (b.data?.SequenceNumber ?? 0));
}

export async function deleteMessage(hub: TaskHub, m: ReceivedMessage): Promise<void> {
  try {
    await hub.clients.queue(m.queue).deleteMessage(m.messageId, m.popReceipt);
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) {
      throw e;
    }
  }
}

/** Makes the message visible again after `seconds` (0 = now). */
export async function setVisibility(hub: TaskHub, m: ReceivedMessage, seconds: number): Promise<void> {
  try {
    const r = await hub.clients.queue(m.queue).updateMessage(m.messageId, m.popReceipt, undefined, Math.max(0, Math.floor(seconds)));
    if (r.popReceipt) {
      m.popReceipt = r.popReceipt;
    }
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) {
      throw e;
    }
  }
}

/** `TaskHubQueue.AbandonMessageAsync`: back off exponentially, 2^DequeueCount seconds up to 10 minutes. */
export function abandonDelaySeconds(dequeueCount: number): number {
  return dequeueCount <= 30 ? Math.min(2 ** dequeueCount, 600) : 600;
}

// ---------------------------------------------------------------------------------------------
// Event JSON of the runtime-to-runtime messages ($type first, derived members, then base members)

function tail(timestamp: string, eventId = -1): JsonObject {
  return { EventId: eventId, IsPlayed: false, Timestamp: timestamp };
}

function failureJson(f: FailureDetailsSpec | null | undefined): Json {
  if (!f) {
    return null;
  }
  const plain = failureDetailsJson(f) as Record<string, Json>;
  return { [T]: 'DurableTask.Core.FailureDetails', ...plain, InnerFailure: f.innerFailure ? failureJson(f.innerFailure) : null };
}

function instanceJson(ref: OrchestrationInstanceRef): JsonObject {
  return { [T]: 'DurableTask.Core.OrchestrationInstance', InstanceId: ref.instanceId, ExecutionId: ref.executionId };
}

export function taskScheduledMessageEvent(id: number, name: string, input: string | null, timestamp: string): MessageEvent {
  return {
    eventType: 'TaskScheduled',
    json: {
      [T]: 'DurableTask.Core.History.TaskScheduledEvent',
      EventType: eventTypeNumber('TaskScheduled'),
      Name: name,
      Version: '',
      Input: input,
      ParentTraceContext: null,
      Tags: null,
      ...tail(timestamp, id),
    },
  };
}

export function taskCompletedMessageEvent(taskScheduledId: number, result: string | null, timestamp: string): MessageEvent {
  return {
    eventType: 'TaskCompleted',
    json: {
      [T]: 'DurableTask.Core.History.TaskCompletedEvent',
      EventType: eventTypeNumber('TaskCompleted'),
      TaskScheduledId: taskScheduledId,
      Result: result,
      ...tail(timestamp),
    },
  };
}

export interface FailureInfo {
  reason: string | null;
  details: string | null;
  failureDetails: FailureDetailsSpec | null;
}

export function taskFailedMessageEvent(taskScheduledId: number, f: FailureInfo, timestamp: string): MessageEvent {
  return {
    eventType: 'TaskFailed',
    json: {
      [T]: 'DurableTask.Core.History.TaskFailedEvent',
      EventType: eventTypeNumber('TaskFailed'),
      TaskScheduledId: taskScheduledId,
      Reason: f.reason,
      Details: f.details,
      FailureDetails: failureJson(f.failureDetails),
      ...tail(timestamp),
    },
  };
}

export function subOrchestrationCompletedMessageEvent(taskScheduledId: number, result: string | null, timestamp: string): MessageEvent {
  return {
    eventType: 'SubOrchestrationInstanceCompleted',
    json: {
      [T]: 'DurableTask.Core.History.SubOrchestrationInstanceCompletedEvent',
      EventType: eventTypeNumber('SubOrchestrationInstanceCompleted'),
      TaskScheduledId: taskScheduledId,
      Result: result,
      ...tail(timestamp),
    },
  };
}

export function subOrchestrationFailedMessageEvent(taskScheduledId: number, f: FailureInfo, timestamp: string): MessageEvent {
  return {
    eventType: 'SubOrchestrationInstanceFailed',
    json: {
      [T]: 'DurableTask.Core.History.SubOrchestrationInstanceFailedEvent',
      EventType: eventTypeNumber('SubOrchestrationInstanceFailed'),
      TaskScheduledId: taskScheduledId,
      Reason: f.reason,
      Details: f.details,
      FailureDetails: failureJson(f.failureDetails),
      ...tail(timestamp),
    },
  };
}

export function timerFiredMessageEvent(timerId: number, fireAt: string, timestamp: string): MessageEvent {
  return {
    eventType: 'TimerFired',
    json: {
      [T]: 'DurableTask.Core.History.TimerFiredEvent',
      EventType: eventTypeNumber('TimerFired'),
      TimerId: timerId,
      FireAt: fireAt,
      ...tail(timestamp),
    },
  };
}

/** EventRaised as the runtime sends it (entity responses, EventSent): core's builder. */
export const eventRaisedMessageEvent = eventRaisedEvent;

export interface ParentRef {
  name: string;
  version: string;
  taskScheduleId: number;
  instance: OrchestrationInstanceRef;
}

/**
 * ExecutionStarted as the dispatcher builds it for a sub-orchestration or a ContinueAsNew: no
 * Generation (null), the parent (if any), the tags carried over.
 */
export function executionStartedMessageEvent(a: {
  instance: { instanceId: string; executionId: string };
  name: string;
  version: string;
  input: string | null;
  parent: ParentRef | null;
  tags: Record<string, string> | null;
  timestamp: string;
}): MessageEvent {
  return {
    eventType: 'ExecutionStarted',
    json: {
      [T]: 'DurableTask.Core.History.ExecutionStartedEvent',
      OrchestrationInstance: instanceJson(a.instance),
      EventType: eventTypeNumber('ExecutionStarted'),
      ParentInstance: a.parent
        ? {
            [T]: 'DurableTask.Core.ParentInstance',
            Name: a.parent.name,
            OrchestrationInstance: instanceJson(a.parent.instance),
            TaskScheduleId: a.parent.taskScheduleId,
            Version: a.parent.version,
          }
        : null,
      Name: a.name,
      Version: a.version,
      Input: a.input,
      Tags: a.tags ? { ...a.tags } : null,
      Correlation: null,
      ParentTraceContext: null,
      ScheduledStartTime: null,
      Generation: null,
      GenerateNewTrace: false,
      ...tail(a.timestamp),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Sending

export interface Outbound {
  queue: string;
  target: OrchestrationInstanceRef;
  event: MessageEvent;
  /** The orchestration the message comes from (`MessageData.Sender`). */
  sender: { instanceId: string; executionId: string | null };
  /** The sender's episode (count of OrchestratorStarted events); omitted when undefined. */
  episode?: number;
  /** `TaskMessage.OrchestrationExecutionContext` tags; undefined = null context. */
  executionContextTags?: Record<string, string> | null;
  visibilityDelaySeconds?: number;
}

let sequenceNumber = 0;

export function serializeOutbound(m: Outbound, activityId = randomUUID()): string {
  const data: JsonObject = {
    [T]: 'DurableTask.AzureStorage.MessageData',
    ActivityId: activityId,
    TaskMessage: {
      [T]: 'DurableTask.Core.TaskMessage',
      Event: m.event.json,
      SequenceNumber: 0,
      OrchestrationInstance: instanceJson(m.target),
      // The tags dictionary is written without its BCL `$type` (reference §4.1).
      OrchestrationExecutionContext:
        m.executionContextTags === undefined
          ? null
          : { [T]: 'DurableTask.Core.OrchestrationExecutionContext', OrchestrationTags: { ...(m.executionContextTags ?? {}) } },
    },
    CompressedBlobName: null,
    SequenceNumber: ++sequenceNumber,
  };
  if (m.episode !== undefined) {
    data.Episode = m.episode;
  }
  data.Sender = { InstanceId: m.sender.instanceId, ExecutionId: m.sender.executionId };
  data.SerializableTraceContext = null;
  return JSON.stringify(data);
}

export async function send(hub: TaskHub, m: Outbound): Promise<void> {
  const activityId = randomUUID();
  const json = serializeOutbound(m, activityId);
  let body = json;
  if (needsOffload(json)) {
    const blobName = largeMessageBlobName({ activityId, eventType: m.event.eventType as EventTypeName, instanceId: m.target.instanceId, json });
    const container = hub.clients.container(hubResourceNames(hub.name).largeMessagesContainer);
    await container.createIfNotExists();
    await container.getBlockBlobClient(blobName).uploadData(await gzip(Buffer.from(json, 'utf8')));
    body = largeMessageWrapper(blobName);
  }
  await hub.clients.queue(m.queue).sendMessage(encodeQueueBody(body), {
    messageTimeToLive: -1,
    ...(m.visibilityDelaySeconds && m.visibilityDelaySeconds > 0 ? { visibilityTimeout: Math.ceil(m.visibilityDelaySeconds) } : {}),
  });
}

export function controlQueueOf(hub: TaskHub, instanceId: string): string {
  return controlQueueFor(hub.name, instanceId, hub.partitionCount);
}

/** Azure Storage's maximum visibility timeout is 7 days; longer timers are re-hidden on arrival. */
export const MAX_VISIBILITY_SECONDS = 6 * 24 * 3600;
