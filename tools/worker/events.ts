// The worker's in-memory history event: one shape for events loaded from History rows and for
// new events (from queue messages or from orchestrator decisions) about to be written.
// `fields` hold the event's members by column name (reference §3.3); new events use the seed
// writer's value wrappers (JsonColumn for JSON-typed members, EdmDateTime for DateTimes), loaded
// events the raw column values (JSON members as their stored text, DateTimes as ISO text).
import { EVENT_TYPES } from '../../src/core/model';
import type { Row } from '../../src/core/storage/rows';
import type { FieldValue } from '../seed/hubWriter';
import { EdmDateTime, JsonColumn, dotnetDateTime } from '../seed/hubWriter';

export interface WorkerEvent {
  /** EventType name, as the History table stores it. */
  eventType: string;
  eventId: number;
  /** `Timestamp` (.NET round-trip text, 7 fractional digits), stored as `_Timestamp`. */
  timestamp: string;
  isPlayed: boolean;
  fields: Record<string, FieldValue>;
}

/** Members Json.NET serializes as objects: History columns hold their JSON text ("null" when null). */
export const JSON_MEMBERS = new Set(['OrchestrationInstance', 'ParentInstance', 'Tags', 'ParentTraceContext', 'FailureDetails']);
/** DateTime members besides Timestamp. */
const DATE_MEMBERS = new Set(['FireAt', 'ScheduledStartTime']);
const BASE_MEMBERS = new Set(['$type', 'EventType', 'EventId', 'IsPlayed', 'Timestamp']);
const ROW_SKIPPED = new Set(['EventType', 'EventId', 'IsPlayed', '_Timestamp', 'ExecutionId']);

/**
 * `DateTime.UtcNow` as .NET round-trip text. JS clocks tick in milliseconds; events created in
 * the same millisecond get increasing 100-ns digits so their timestamps stay in creation order.
 */
let lastTicks = '';
export function utcNow(): string {
  let text = new Date().toISOString().replace(/Z$/, '0000Z');
  if (text <= lastTicks) {
    // Same millisecond and a smaller tick count: keep timestamps strictly increasing.
    const ms = Date.parse(lastTicks.slice(0, 23) + 'Z');
    const ticks = Number(lastTicks.slice(23, 27)) + 1;
    text = ticks > 9999 ? new Date(ms + 1).toISOString().replace(/Z$/, '0000Z') : `${lastTicks.slice(0, 23)}${String(ticks).padStart(4, '0')}Z`;
  }
  lastTicks = text;
  return text;
}

/** Any date-time text a .NET or JS writer produces → 7-digit UTC round-trip text. */
export function toDotnetTime(value: string | Date): string {
  if (value instanceof Date) {
    return dotnetDateTime(value);
  }
  try {
    return dotnetDateTime(value);
  } catch {
    // Offsets, no zone (treated as UTC, as the runtime's UTC conversion does) or more digits.
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
    const ms = Date.parse(zoned);
    if (Number.isNaN(ms)) {
      throw new Error(`Not a date-time: '${value}'`);
    }
    return dotnetDateTime(new Date(ms));
  }
}

export function eventTypeName(eventType: number | string | undefined): string {
  if (typeof eventType === 'number') {
    return EVENT_TYPES[eventType] ?? `Unknown${eventType}`;
  }
  return eventType ?? 'Unknown';
}

/** Json.NET `Utils.SerializeToJson` (History columns) has no `$type`: strip it recursively. */
export function stripTypes(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(stripTypes);
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k !== '$type') {
        out[k] = stripTypes(v);
      }
    }
    return out;
  }
  return value;
}

/** The history event a queue message carries (`TaskMessage.Event`), as the runtime appends it. */
export function fromMessageEvent(event: Record<string, unknown>): WorkerEvent {
  const fields: Record<string, FieldValue> = {};
  for (const [name, value] of Object.entries(event)) {
    if (BASE_MEMBERS.has(name)) {
      continue;
    }
    if (JSON_MEMBERS.has(name) || (value !== null && typeof value === 'object')) {
      fields[name] = new JsonColumn(value === null ? null : stripTypes(value));
    } else if (DATE_MEMBERS.has(name)) {
      fields[name] = typeof value === 'string' ? new EdmDateTime(toDotnetTime(value)) : null;
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      fields[name] = value;
    }
  }
  // EventType is always emitted by .NET; the `$type` class name is the fallback.
  const className = typeof event.$type === 'string' ? event.$type.split(',')[0].split('.').pop() : undefined;
  const fromType = className === 'GenericEvent' ? className : className?.replace(/Event$/, '');
  return {
    eventType: typeof event.EventType === 'number' ? eventTypeName(event.EventType) : (fromType ?? 'Unknown'),
    eventId: typeof event.EventId === 'number' ? event.EventId : -1,
    timestamp: typeof event.Timestamp === 'string' ? toDotnetTime(event.Timestamp) : utcNow(),
    isPlayed: event.IsPlayed === true,
    fields,
  };
}

/** A History row (large properties already inlined) as an event. */
export function fromRow(row: Row): WorkerEvent {
  const fields: Record<string, FieldValue> = {};
  for (const [name, value] of Object.entries(row.columns)) {
    if (!ROW_SKIPPED.has(name) && !name.endsWith('BlobName')) {
      fields[name] = value;
    }
  }
  return {
    eventType: String(row.columns.EventType ?? 'Unknown'),
    eventId: typeof row.columns.EventId === 'number' ? row.columns.EventId : -1,
    timestamp: typeof row.columns._Timestamp === 'string' ? row.columns._Timestamp : utcNow(),
    isPlayed: row.columns.IsPlayed === true,
    fields,
  };
}

export function newEvent(eventType: string, fields: Record<string, FieldValue> = {}, eventId = -1): WorkerEvent {
  return { eventType, eventId, timestamp: utcNow(), isPlayed: false, fields };
}

// ---------------------------------------------------------------------------------------------
// Reading members, whichever side the event came from

export function strField(e: WorkerEvent, name: string): string | null {
  const v = e.fields[name];
  if (v === undefined || v === null) {
    return null;
  }
  if (v instanceof JsonColumn) {
    return v.value === null || v.value === undefined ? null : JSON.stringify(v.value);
  }
  if (v instanceof EdmDateTime) {
    return v.iso;
  }
  return v instanceof Date ? v.toISOString() : String(v);
}

export function intField(e: WorkerEvent, name: string): number | null {
  const v = e.fields[name];
  return typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : null;
}

/** A JSON-typed member: the wrapped value of a new event, the parsed column of a loaded one. */
export function jsonField<T = unknown>(e: WorkerEvent, name: string): T | null {
  const v = e.fields[name];
  if (v instanceof JsonColumn) {
    return (v.value ?? null) as T | null;
  }
  if (typeof v === 'string' && v !== 'null' && v !== '') {
    try {
      return JSON.parse(v) as T;
    } catch {
      return null;
    }
  }
  return null;
}

export function dateField(e: WorkerEvent, name: string): Date | null {
  const text = strField(e, name);
  if (!text) {
    return null;
  }
  const ms = Date.parse(toDotnetTime(text).slice(0, 23) + 'Z');
  return Number.isNaN(ms) ? null : new Date(ms);
}
