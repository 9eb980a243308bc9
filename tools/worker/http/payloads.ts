// The JSON bodies of the management API, shaped as the Durable Functions host writes them:
// StatusResponsePayload (HttpApiHandler.ConvertFrom), the history as
// DurableClient.GetDurableOrchestrationStatusAsync rewrites it, the 202 check-status payload
// (HttpApiHandler.CreateCheckStatusResponseMessage) and the error bodies of
// HttpRequestMessageExtensions.CreateErrorResponse.
import type { HistoryEvent, InstanceStatus, JsonValue } from '../../../src/core';
import { jsonNetDateTime, parseToken, sortableUtc } from './dotnet';

/** What a handler answers; `body` is serialized as JSON (a string body becomes a JSON string). */
export interface ApiResponse {
  status: number;
  body?: JsonValue;
  headers?: Record<string, string>;
}

export type JsonObject = { [key: string]: JsonValue };

export const ARGUMENTS_INCORRECT = 'One or more of the arguments submitted is incorrect';
export const SOMETHING_WENT_WRONG = 'Something went wrong while processing your request';

/** CreateErrorResponse(status, message): `{"Message": …}`. */
export function errorMessage(status: number, message: string): ApiResponse {
  return { status, body: { Message: message } };
}

/**
 * CreateErrorResponse(status, message, exception): the message plus the exception's message and
 * type. The host also sends the .NET stack trace; there is none to send here, so it is null.
 */
export function errorWithException(status: number, message: string, exception: { type: string; message: string }): ApiResponse {
  return { status, body: { Message: message, ExceptionMessage: exception.message, ExceptionType: exception.type, StackTrace: null } };
}

/** StatusResponsePayload: historyEvents only when there is a history to show (EmitDefaultValue = false). */
export function statusPayload(s: InstanceStatus, historyEvents?: JsonObject[]): JsonObject {
  const payload: JsonObject = {
    name: s.name,
    instanceId: s.instanceId,
    runtimeStatus: String(s.runtimeStatus),
    input: s.input ?? null,
    customStatus: s.customStatus,
    output: s.output ?? null,
    createdTime: sortableUtc(s.createdTime),
    lastUpdatedTime: sortableUtc(s.lastUpdatedTime),
  };
  if (historyEvents) {
    payload.historyEvents = historyEvents;
  }
  return payload;
}


/** History members that are .NET DateTimes: written by Json.NET with trailing zeros dropped. */
const DATE_TIME_MEMBERS = ['Timestamp', 'FireAt', 'ScheduledStartTime'];

interface ScheduledCall {
  index: number;
  name: JsonValue;
  timestamp: JsonValue;
  input: JsonValue;
}

/**
 * The `historyEvents` of a status with showHistory=true, as the host rewrites DurableTask's
 * history: TaskScheduled / SubOrchestrationInstanceCreated folded into their completion (FunctionName,
 * ScheduledTime and, with showInput, Input), OrchestratorStarted/Completed dropped, EventId and
 * IsPlayed removed everywhere, Result kept (parsed as JSON) only with showHistoryOutput. Members
 * are the History row's columns; a member the runtime left null has no column, so it is absent here
 * where the host would write null.
 */
export function historyEventsPayload(events: readonly HistoryEvent[], o: { showInput: boolean; showHistoryOutput: boolean }): JsonObject[] {
  const items: JsonObject[] = events.map((e) => {
    const item: JsonObject = {};
    for (const [key, value] of Object.entries(e)) {
      if (value !== undefined) {
        item[key] = DATE_TIME_MEMBERS.includes(key) && typeof value === 'string' ? jsonNetDateTime(value) : value;
      }
    }
    return item;
  });
  const scheduled = new Map<string, ScheduledCall>();
  const dropped = new Set<number>();
  const track = (item: JsonObject, index: number): void => {
    scheduled.set(`${String(item.EventType)}_${String(item.EventId)}`, { index, name: item.Name ?? null, timestamp: item.Timestamp ?? null, input: item.Input ?? null });
    delete item.Version;
  };
  const foldInto = (item: JsonObject, scheduledType: string): void => {
    const call = scheduled.get(`${scheduledType}_${String(item.TaskScheduledId)}`);
    if (call) {
      item.ScheduledTime = call.timestamp;
      item.FunctionName = call.name;
      if (o.showInput) {
        item.Input = call.input;
      }
      dropped.add(call.index);
    }
    delete item.TaskScheduledId;
  };
  const result = (item: JsonObject, hasOutput: boolean): void => {
    if (!hasOutput) {
      return;
    }
    if (o.showHistoryOutput) {
      item.Result = parseToken(item.Result);
    } else {
      delete item.Result;
    }
  };
  items.forEach((item, index) => {
    switch (item.EventType) {
      case 'TaskScheduled':
      case 'SubOrchestrationInstanceCreated':
        track(item, index);
        break;
      case 'TaskCompleted':
      case 'TaskFailed':
        foldInto(item, 'TaskScheduled');
        result(item, item.EventType === 'TaskCompleted');
        break;
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed':
        foldInto(item, 'SubOrchestrationInstanceCreated');
        result(item, item.EventType === 'SubOrchestrationInstanceCompleted');
        break;
      case 'ExecutionStarted': {
        const name = item.Name ?? null;
        delete item.Name;
        item.FunctionName = name;
        for (const member of ['OrchestrationInstance', 'ParentInstance', 'Version', 'Tags']) {
          delete item[member];
        }
        break;
      }
      case 'ExecutionCompleted':
        result(item, true);
        break;
      case 'TimerFired':
        delete item.TimerId;
        break;
      case 'OrchestratorStarted':
      case 'OrchestratorCompleted':
        dropped.add(index);
        break;
    }
    if (!o.showInput) {
      delete item.Input;
    }
    delete item.EventId;
    delete item.IsPlayed;
  });
  return items.filter((_, index) => !dropped.has(index));
}
