// The public data model of core: what operations accept and return.

/** `OrchestrationStatus` names, as stored in the Instances table `RuntimeStatus` column. */
export const RUNTIME_STATUSES = [
  'Running',
  'Completed',
  'ContinuedAsNew',
  'Failed',
  'Canceled',
  'Terminated',
  'Pending',
  'Suspended',
] as const;
export type RuntimeStatus = (typeof RUNTIME_STATUSES)[number];

/** Statuses in which an instance is finished; only these may be purged by filter. */
export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Canceled', 'Terminated'];
/** Statuses in which an instance is still alive (a start over it would lose work). */
export const ACTIVE_STATUSES: readonly RuntimeStatus[] = ['Running', 'Pending', 'Suspended', 'ContinuedAsNew'];

export function isTerminalStatus(status: string | undefined): boolean {
  return TERMINAL_STATUSES.includes(status as RuntimeStatus);
}

/** `DurableTask.Core.History.EventType`: the queue JSON uses the number, History rows the name. */
export const EVENT_TYPES = [
  'ExecutionStarted',
  'ExecutionCompleted',
  'ExecutionFailed',
  'ExecutionTerminated',
  'TaskScheduled',
  'TaskCompleted',
  'TaskFailed',
  'SubOrchestrationInstanceCreated',
  'SubOrchestrationInstanceCompleted',
  'SubOrchestrationInstanceFailed',
  'TimerCreated',
  'TimerFired',
  'OrchestratorStarted',
  'OrchestratorCompleted',
  'EventSent',
  'EventRaised',
  'ContinueAsNew',
  'GenericEvent',
  'HistoryState',
  'ExecutionSuspended',
  'ExecutionResumed',
  'ExecutionRewound',
] as const;
export type EventTypeName = (typeof EVENT_TYPES)[number];

export function eventTypeNumber(name: EventTypeName): number {
  return EVENT_TYPES.indexOf(name);
}

/** A JSON value, or a raw string where the stored text was not JSON. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * One instance, named as in the Durable Functions HTTP API (`instanceId`, `runtimeStatus`, …).
 * `input`, `output` and `customStatus` are parsed JSON when the stored text is JSON, the raw
 * string otherwise, and null when absent or stored as the string "null".
 */
export interface InstanceStatus {
  instanceId: string;
  name: string;
  runtimeStatus: RuntimeStatus | string;
  createdTime: string | null;
  lastUpdatedTime: string | null;
  input?: JsonValue;
  output?: JsonValue;
  customStatus: JsonValue;
  executionId: string | null;
  completedTime: string | null;
  scheduledStartTime: string | null;
  generation: number;
  version: string | null;
  tags: Record<string, string> | null;
}

/** One history event: the History row's columns, with EventType as its name. */
export interface HistoryEvent {
  EventType: EventTypeName | string;
  EventId: number;
  Timestamp: string | null;
  [column: string]: JsonValue | undefined;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Null when there are no more pages. */
  continuationToken: string | null;
}

export interface ProgressReport {
  message: string;
  /** Units done so far, when the work is countable. */
  done?: number;
  /** Units in all, when known. */
  total?: number;
}

/** Accepted by every core operation. */
export interface OperationOptions {
  signal?: AbortSignal;
  onProgress?: (report: ProgressReport) => void;
}

export interface TaskHubInfo {
  name: string;
  /** Row count of `{H}Partitions`, else `taskhub.json` PartitionCount; null if neither exists. */
  partitionCount: number | null;
  /** `table` = `{H}Partitions` (DTAS v2 / PM v3); `blob` = `{h}-leases/taskhub.json` (v1); `unknown` = neither. */
  layout: 'table' | 'blob' | 'unknown';
}
