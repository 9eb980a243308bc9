// Queue messages exactly as DurableTask.AzureStorage writes them (reference §4, §5):
// Json.NET with TypeNameHandling.Objects, so `$type` is the FIRST property of every object
// except `Sender` and dictionaries; EventType as an integer; nulls emitted; compact JSON.
import { randomUUID } from 'node:crypto';
import type { EventTypeName } from '../model';
import { eventTypeNumber } from '../model';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const T = '$type';
const MESSAGE_DATA = 'DurableTask.AzureStorage.MessageData';

/** Messages over this many UTF-8 bytes are offloaded to a gzipped blob (45 KB, §4.4). */
export const MAX_INLINE_MESSAGE_BYTES = 45 * 1024;

export interface OrchestrationInstanceRef {
  instanceId: string;
  /** Null for messages that target whatever execution is current (all management events but start). */
  executionId: string | null;
}

export interface ParentInstanceInfo {
  name: string;
  version: string;
  taskScheduleId: number;
  instance: OrchestrationInstanceRef;
}

/** A history event to carry in a TaskMessage: its type name and its members in .NET order. */
export interface MessageEvent {
  eventType: EventTypeName;
  json: JsonObject;
}

function orchestrationInstance(ref: OrchestrationInstanceRef): JsonObject {
  return { [T]: 'DurableTask.Core.OrchestrationInstance', InstanceId: ref.instanceId, ExecutionId: ref.executionId };
}

/** A Date, or DateTime text as the runtime writes it (7 fractional digits), for the event Timestamp. */
export type EventTimestamp = Date | string;

function eventTail(timestamp: EventTimestamp): JsonObject {
  return { EventId: -1, IsPlayed: false, Timestamp: typeof timestamp === 'string' ? timestamp : timestamp.toISOString() };
}

export interface ExecutionStartedArgs {
  instance: { instanceId: string; executionId: string };
  name: string;
  version?: string;
  /** Serialized JSON text of the input, or null. */
  input: string | null;
  tags?: Record<string, string> | null;
  scheduledStartTime?: Date | null;
  generation: number;
  parentInstance?: ParentInstanceInfo | null;
  timestamp: Date;
}

export function executionStartedEvent(a: ExecutionStartedArgs): MessageEvent {
  const parent: Json = a.parentInstance
    ? {
        [T]: 'DurableTask.Core.ParentInstance',
        Name: a.parentInstance.name,
        OrchestrationInstance: orchestrationInstance(a.parentInstance.instance),
        TaskScheduleId: a.parentInstance.taskScheduleId,
        Version: a.parentInstance.version,
      }
    : null;
  return {
    eventType: 'ExecutionStarted',
    json: {
      [T]: 'DurableTask.Core.History.ExecutionStartedEvent',
      OrchestrationInstance: orchestrationInstance(a.instance),
      EventType: eventTypeNumber('ExecutionStarted'),
      ParentInstance: parent,
      Name: a.name,
      Version: a.version ?? '',
      Input: a.input,
      // A plain object without `$type`: the BCL dictionary type name differs between .NET
      // Framework and .NET Core, and Json.NET falls back to the declared type (§4.1).
      Tags: a.tags && Object.keys(a.tags).length > 0 ? { ...a.tags } : null,
      Correlation: null,
      ParentTraceContext: null,
      ScheduledStartTime: a.scheduledStartTime ? a.scheduledStartTime.toISOString() : null,
      Generation: a.generation,
      GenerateNewTrace: false,
      ...eventTail(a.timestamp),
    },
  };
}

export function eventRaisedEvent(name: string, input: string | null, timestamp: EventTimestamp): MessageEvent {
  return {
    eventType: 'EventRaised',
    json: {
      [T]: 'DurableTask.Core.History.EventRaisedEvent',
      EventType: eventTypeNumber('EventRaised'),
      Name: name,
      Input: input,
      ParentTraceContext: null,
      ...eventTail(timestamp),
    },
  };
}

/** The reason is carried raw in `Input`, not JSON-encoded (§5.5). */
export function executionTerminatedEvent(reason: string | null, timestamp: Date): MessageEvent {
  return {
    eventType: 'ExecutionTerminated',
    json: {
      [T]: 'DurableTask.Core.History.ExecutionTerminatedEvent',
      EventType: eventTypeNumber('ExecutionTerminated'),
      Input: reason,
      ...eventTail(timestamp),
    },
  };
}

export function executionSuspendedEvent(reason: string | null, timestamp: Date): MessageEvent {
  return {
    eventType: 'ExecutionSuspended',
    json: {
      [T]: 'DurableTask.Core.History.ExecutionSuspendedEvent',
      EventType: eventTypeNumber('ExecutionSuspended'),
      Reason: reason,
      ...eventTail(timestamp),
    },
  };
}

export function executionResumedEvent(reason: string | null, timestamp: Date): MessageEvent {
  return {
    eventType: 'ExecutionResumed',
    json: {
      [T]: 'DurableTask.Core.History.ExecutionResumedEvent',
      EventType: eventTypeNumber('ExecutionResumed'),
      Reason: reason,
      ...eventTail(timestamp),
    },
  };
}

/** Rewind's wake-up message to a failed leaf (§5.7); `Data` is the raw reason. */
export function genericEvent(data: string | null, timestamp: Date): MessageEvent {
  return {
    eventType: 'GenericEvent',
    json: {
      [T]: 'DurableTask.Core.History.GenericEvent',
      Data: data,
      EventType: eventTypeNumber('GenericEvent'),
      ...eventTail(timestamp),
    },
  };
}

let sequenceNumber = 0;

export interface BuiltMessage {
  activityId: string;
  eventType: EventTypeName;
  instanceId: string;
  /** The compact JSON of the whole MessageData. */
  json: string;
}

/** Wraps an event into a MessageData addressed to `target`, as a management client sends it. */
export function buildMessage(target: OrchestrationInstanceRef, event: MessageEvent, activityId: string = randomUUID()): BuiltMessage {
  const data: JsonObject = {
    [T]: MESSAGE_DATA,
    ActivityId: activityId,
    TaskMessage: {
      [T]: 'DurableTask.Core.TaskMessage',
      Event: event.json,
      SequenceNumber: 0,
      OrchestrationInstance: orchestrationInstance(target),
      OrchestrationExecutionContext: null,
    },
    CompressedBlobName: null,
    SequenceNumber: ++sequenceNumber,
    // No `$type` on Sender ([JsonProperty(TypeNameHandling.None)]); non-null, because the worker
    // dereferences Sender.InstanceId for EventRaised messages. `Episode` is omitted (null).
    Sender: { InstanceId: '', ExecutionId: '' },
    SerializableTraceContext: null,
  };
  return { activityId, eventType: event.eventType, instanceId: target.instanceId, json: JSON.stringify(data) };
}

/** Blob name for an offloaded message: `{instanceId}/message-{ActivityId:N}-{EventType}.json.gz` (raw id). */
export function largeMessageBlobName(message: BuiltMessage): string {
  return `${message.instanceId}/message-${message.activityId.replace(/-/g, '')}-${message.eventType}.json.gz`;
}

/** The small queue body that points at an offloaded message (§4.4 step 5). */
export function largeMessageWrapper(blobName: string): string {
  return JSON.stringify({
    [T]: MESSAGE_DATA,
    ActivityId: '00000000-0000-0000-0000-000000000000',
    TaskMessage: null,
    CompressedBlobName: blobName,
    SequenceNumber: 0,
    SerializableTraceContext: null,
  });
}

export function needsOffload(json: string): boolean {
  return Buffer.byteLength(json, 'utf8') > MAX_INLINE_MESSAGE_BYTES;
}

/** Queue bodies are Base64 of UTF-8: the one encoding every DTAS version reads (§4.3). */
export function encodeQueueBody(json: string): string {
  return Buffer.from(json, 'utf8').toString('base64');
}

/** Accepts both encodings: raw JSON (DTAS v2 default) or Base64 (v1, and ours). */
export function decodeQueueBody(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    return text;
  }
  return Buffer.from(text, 'base64').toString('utf8');
}

