// The host's JSON bodies as core's types: StatusResponsePayload (HttpApiHandler.ConvertFrom) as a
// status, and its `historyEvents` as history events.
import type { ClientInstanceStatus } from '../client';
import type { HistoryEvent, JsonValue } from '../model';
import { EVENT_TYPES } from '../model';

interface StatusPayload {
  name?: unknown;
  instanceId: string;
  runtimeStatus: string;
  input?: JsonValue;
  customStatus?: JsonValue;
  output?: JsonValue;
  createdTime?: unknown;
  lastUpdatedTime?: unknown;
  historyEvents?: unknown;
}

export function isStatusPayload(body: unknown): body is StatusPayload {
  const b = body as Partial<StatusPayload> | null | undefined;
  return typeof b === 'object' && b !== null && !Array.isArray(b) && typeof b.instanceId === 'string' && typeof b.runtimeStatus === 'string';
}

/** The host writes a missing time as DateTime.MinValue (`0001-01-01T00:00:00Z`). */
function hostTime(value: unknown): string | null {
  return typeof value === 'string' && value && !value.startsWith('0001-01-01') ? value : null;
}

/** The host sends input and output whatever was asked; they are kept only when asked for, as storage does. */
export function statusFromPayload(p: StatusPayload, q: { showInput?: boolean; showOutput?: boolean }): ClientInstanceStatus {
  const status: ClientInstanceStatus = {
    instanceId: p.instanceId,
    name: typeof p.name === 'string' ? p.name : '',
    runtimeStatus: p.runtimeStatus,
    createdTime: hostTime(p.createdTime),
    lastUpdatedTime: hostTime(p.lastUpdatedTime),
    customStatus: p.customStatus ?? null,
    executionId: null,
    completedTime: null,
    scheduledStartTime: null,
    generation: null,
    version: null,
    tags: null,
  };
  if (q.showInput) {
    status.input = p.input ?? null;
  }
  if (q.showOutput) {
    status.output = p.output ?? null;
  }
  return status;
}

/**
 * The events of a status's `historyEvents`, members as the host wrote them. The host removes
 * EventId: it is -1 here, as core shows an event without one.
 */
export function historyFromPayload(p: StatusPayload): HistoryEvent[] {
  const items = Array.isArray(p.historyEvents) ? (p.historyEvents as unknown[]) : [];
  return items
    .filter((item): item is Record<string, JsonValue> => typeof item === 'object' && item !== null && !Array.isArray(item))
    .map((item) => {
      const { EventType: type, EventId: id, Timestamp: time, ...rest } = item;
      return {
        EventType: typeof type === 'number' ? (EVENT_TYPES[type] ?? String(type)) : typeof type === 'string' ? type : 'Unknown',
        EventId: typeof id === 'number' ? id : -1,
        Timestamp: typeof time === 'string' ? time : null,
        ...rest,
      };
    });
}
