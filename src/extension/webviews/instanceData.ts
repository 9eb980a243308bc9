// What the instance page is sent, made from core's results: values (cut to a size a page can
// render; the document shows them whole), history rows (summaries; the whole event on request)
// and the parent of a sub-orchestration. Pure: no `vscode`, no storage calls.
import type { ClientInstanceStatus, HistoryEvent, JsonValue, Transport } from '../../core';
import type { HistoryRow, InstanceActionName, InstanceSnapshot, ParentRef, ValueView } from '../../shared/protocol';
import { actionsForStatus, actionsForTransport } from '../tree/contextValues';
import { isTerminalStatus } from '../../core/model';

/** Values whose JSON text is longer than this are sent as the start of their text. */
export const VALUE_LIMIT = 256 * 1024;
/** String columns of an event sent for an expanded row are cut to this. */
export const EVENT_STRING_LIMIT = 64 * 1024;
const SUMMARY_LIMIT = 160;

export function prettyJson(value: JsonValue | undefined): string {
  return JSON.stringify(value ?? null, null, 2);
}

export function toValueView(value: JsonValue | undefined, limit = VALUE_LIMIT): ValueView {
  const v = value ?? null;
  const text = prettyJson(v);
  if (text.length <= limit) {
    return { kind: 'value', value: v, size: text.length };
  }
  return { kind: 'truncated', text: text.slice(0, limit), size: text.length };
}

/** Strings longer than `limit` cut, with a note of how long they were. */
export function truncateStrings(value: JsonValue | undefined, limit = EVENT_STRING_LIMIT): JsonValue {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value === 'string') {
    return value.length > limit ? `${value.slice(0, limit)}… (${value.length.toLocaleString('en-US')} characters; open the event as a JSON document to see it all)` : value;
  }
  if (Array.isArray(value)) {
    return value.map((v) => truncateStrings(v, limit));
  }
  if (typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = truncateStrings(v, limit);
    }
    return out;
  }
  return value;
}

/** A value as one line of text, cut at `limit`; undefined when there is nothing to show. */
export function oneLineSummary(value: JsonValue | undefined, limit = SUMMARY_LIMIT): string | undefined {
  if (value === undefined || value === null || value === '' || value === 'null') {
    return undefined;
  }
  const text = (typeof value === 'string' ? value : JSON.stringify(value)).replace(/\s+/g, ' ').trim();
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

function str(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function int(value: JsonValue | undefined): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : undefined;
}

/** The summary row of history event number `i`. */
export function toHistoryRow(event: HistoryEvent, i: number): HistoryRow {
  const type = String(event.EventType);
  const row: HistoryRow = { i, type, eventId: typeof event.EventId === 'number' ? event.EventId : -1, time: event.Timestamp ?? null };
  // The host's rewritten history names a completion's function as FunctionName (its TaskScheduled is folded in).
  const name = str(event.Name) ?? str(event.FunctionName);
  if (name) {
    row.name = name;
  }
  const scheduledId = int(event.TaskScheduledId) ?? int(event.TimerId);
  if (scheduledId !== undefined) {
    row.scheduledId = scheduledId;
  }
  const fireAt = str(event.FireAt);
  if (fireAt) {
    row.fireAt = fireAt;
  }
  const instanceId = str(event.InstanceId);
  if (instanceId && (type === 'SubOrchestrationInstanceCreated' || type === 'EventSent')) {
    row.instanceId = instanceId;
  }
  const status = str(event.OrchestrationStatus);
  if (status) {
    row.status = status;
  }
  if (type === 'GenericEvent') {
    const reason = str(event.Reason);
    if (reason) {
      row.reason = reason;
    }
  }
  const summary = oneLineSummary(
    type === 'TaskFailed' || type === 'SubOrchestrationInstanceFailed'
      ? (event.Reason ?? event.Details ?? event.FailureDetails)
      : type === 'ExecutionCompleted' || type === 'TaskCompleted' || type === 'SubOrchestrationInstanceCompleted' || type === 'ContinueAsNew'
        ? (event.Result ?? event.FailureDetails)
        : type === 'ExecutionSuspended' || type === 'ExecutionResumed' || type === 'ExecutionRewound' || type === 'GenericEvent'
          ? (event.Reason ?? event.Data)
          : event.Input,
  );
  if (summary) {
    row.summary = summary;
  }
  return row;
}

/** The parent of a sub-orchestration, from its ExecutionStarted event's ParentInstance. */
export function parentFromHistory(events: readonly HistoryEvent[]): ParentRef | null {
  const started = events.find((e) => e.EventType === 'ExecutionStarted');
  const parent = started?.ParentInstance;
  if (!parent || typeof parent !== 'object' || Array.isArray(parent)) {
    return null;
  }
  const orchestration = parent.OrchestrationInstance;
  if (!orchestration || typeof orchestration !== 'object' || Array.isArray(orchestration)) {
    return null;
  }
  const instanceId = str(orchestration.InstanceId);
  return instanceId ? { instanceId, name: str(parent.Name) ?? null } : null;
}

export function isEntityId(instanceId: string): boolean {
  return instanceId.startsWith('@');
}

/** The actions the page offers: the tree's rules (entities are only purged; no forced purge over a running host). */
export function pageActions(instanceId: string, status: string, transport: Transport = 'storage'): InstanceActionName[] {
  if (isEntityId(instanceId)) {
    return actionsForTransport([isTerminalStatus(status) ? 'purge' : 'forcePurge'], transport);
  }
  return actionsForTransport(actionsForStatus(status), transport);
}

/** Over a running host the status has no generation (null): sent as 0, which the page leaves out. */
export function toSnapshot(status: ClientInstanceStatus, parent: ParentRef | null, transport: Transport = 'storage'): InstanceSnapshot {
  const runtimeStatus = String(status.runtimeStatus);
  const failed = runtimeStatus === 'Failed';
  return {
    instanceId: status.instanceId,
    name: status.name,
    runtimeStatus,
    createdTime: status.createdTime,
    lastUpdatedTime: status.lastUpdatedTime,
    completedTime: status.completedTime,
    scheduledStartTime: status.scheduledStartTime,
    executionId: status.executionId,
    generation: status.generation ?? 0,
    version: status.version,
    tags: status.tags,
    input: toValueView(status.input),
    // A failed instance's Output is its failure: shown once, as the failure.
    output: toValueView(failed ? null : status.output),
    customStatus: toValueView(status.customStatus),
    failure: failed ? toValueView(status.output) : null,
    parent,
    isEntity: isEntityId(status.instanceId),
    actions: pageActions(status.instanceId, runtimeStatus, transport),
    terminal: isTerminalStatus(runtimeStatus),
  };
}
