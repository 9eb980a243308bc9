// The history list's model: each event with its kind, its display name and — for activities,
// sub-orchestrations and timers — the event it pairs with (scheduled ↔ completed/failed/fired, by
// TaskScheduledId / TimerId = the scheduling event's EventId) and the duration between them.
// Pure (no DOM), so unit tests cover it; the page extends it as pages of history arrive.
import type { HistoryRow } from '../../shared/protocol';

export type ItemKind = 'activity' | 'subOrchestration' | 'timer' | 'event' | 'episode' | 'execution' | 'other';
export type Outcome = 'completed' | 'failed' | 'fired' | 'pending';

export interface HistoryItem {
  row: HistoryRow;
  kind: ItemKind;
  /** Milliseconds since the epoch, or null when the event has no usable timestamp. */
  timeMs: number | null;
  /** The event's name, or (for completions) its scheduling event's. '' when none. */
  name: string;
  /** `i` of the paired event (scheduled ↔ completion). */
  pairIndex?: number;
  /** Scheduled → completion, on both events of a pair. */
  durationMs?: number;
  /** On scheduling events: how it ended ('pending' while not yet). On completions: how they ended. */
  outcome?: Outcome;
  /** The sub-orchestration's instance id (on its created and completion events). */
  childInstanceId?: string;
  failed: boolean;
}

const SCHEDULED_KIND: Record<string, ItemKind> = {
  TaskScheduled: 'activity',
  SubOrchestrationInstanceCreated: 'subOrchestration',
  TimerCreated: 'timer',
};

const COMPLETION: Record<string, { kind: ItemKind; scheduledType: string; outcome: Outcome }> = {
  TaskCompleted: { kind: 'activity', scheduledType: 'TaskScheduled', outcome: 'completed' },
  TaskFailed: { kind: 'activity', scheduledType: 'TaskScheduled', outcome: 'failed' },
  SubOrchestrationInstanceCompleted: { kind: 'subOrchestration', scheduledType: 'SubOrchestrationInstanceCreated', outcome: 'completed' },
  SubOrchestrationInstanceFailed: { kind: 'subOrchestration', scheduledType: 'SubOrchestrationInstanceCreated', outcome: 'failed' },
  TimerFired: { kind: 'timer', scheduledType: 'TimerCreated', outcome: 'fired' },
};

const EXECUTION_TYPES = new Set([
  'ExecutionStarted',
  'ExecutionCompleted',
  'ExecutionFailed',
  'ExecutionTerminated',
  'ExecutionSuspended',
  'ExecutionResumed',
  'ExecutionRewound',
  'ContinueAsNew',
]);

export function parseTime(text: string | null | undefined): number | null {
  if (!text) {
    return null;
  }
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : t;
}

export function kindOf(type: string): ItemKind {
  if (SCHEDULED_KIND[type]) {
    return SCHEDULED_KIND[type];
  }
  if (COMPLETION[type]) {
    return COMPLETION[type].kind;
  }
  if (type === 'EventRaised' || type === 'EventSent') {
    return 'event';
  }
  if (type === 'OrchestratorStarted' || type === 'OrchestratorCompleted') {
    return 'episode';
  }
  return EXECUTION_TYPES.has(type) ? 'execution' : 'other';
}

/**
 * The items of a history, built as its pages arrive: `append` adds a page's rows (in history
 * order) and pairs them with what came before, so a long history is never rebuilt per page.
 */
export class HistoryModelBuilder {
  readonly items: HistoryItem[] = [];
  // EventId → the latest scheduling event with it, per scheduling type (a rewound execution
  // schedules again under the same EventId; its completion pairs with the newest).
  private readonly scheduled = new Map<string, HistoryItem>();

  /** Adds rows that follow those already added; returns the new items. */
  append(rows: readonly HistoryRow[]): HistoryItem[] {
    const start = this.items.length;
    for (const row of rows) {
      this.items.push(this.item(row));
    }
    return this.items.slice(start);
  }

  private item(row: HistoryRow): HistoryItem {
    const kind = kindOf(row.type);
    const item: HistoryItem = {
      row,
      kind,
      timeMs: parseTime(row.time),
      name: row.name ?? '',
      failed: row.type === 'TaskFailed' || row.type === 'SubOrchestrationInstanceFailed' || (row.type === 'ExecutionCompleted' && row.status === 'Failed'),
    };
    if (SCHEDULED_KIND[row.type]) {
      item.outcome = 'pending';
      if (row.type === 'SubOrchestrationInstanceCreated' && row.instanceId) {
        item.childInstanceId = row.instanceId;
      }
      if (row.type === 'TimerCreated' && !item.name) {
        item.name = 'Timer';
      }
      this.scheduled.set(`${row.type}#${row.eventId}`, item);
    }
    const completion = COMPLETION[row.type];
    if (completion) {
      item.outcome = completion.outcome;
      const start = row.scheduledId !== undefined ? this.scheduled.get(`${completion.scheduledType}#${row.scheduledId}`) : undefined;
      if (start && start.pairIndex === undefined) {
        start.pairIndex = row.i;
        start.outcome = completion.outcome;
        item.pairIndex = start.row.i;
        item.name ||= start.name;
        if (start.childInstanceId) {
          item.childInstanceId = start.childInstanceId;
        }
        if (start.timeMs !== null && item.timeMs !== null) {
          const duration = Math.max(0, item.timeMs - start.timeMs);
          start.durationMs = duration;
          item.durationMs = duration;
        }
      } else if (!item.name && completion.kind === 'timer') {
        item.name = 'Timer';
      }
    }
    return item;
  }
}

/** Builds the items of a history (rows in history order). */
export function buildHistoryModel(rows: readonly HistoryRow[]): HistoryItem[] {
  const builder = new HistoryModelBuilder();
  builder.append(rows);
  return builder.items;
}

// ---- Filtering and order --------------------------------------------------------------------

/** The history filter: a category, or one event type (`type:TaskFailed`). */
export type HistoryFilter = 'all' | 'noEpisodes' | 'activities' | 'subOrchestrations' | 'timers' | 'events' | 'execution' | 'failures' | `type:${string}`;

export const FILTER_CATEGORIES: { value: HistoryFilter; label: string }[] = [
  { value: 'all', label: 'All events' },
  { value: 'noEpisodes', label: 'Without replay markers' },
  { value: 'activities', label: 'Activities' },
  { value: 'subOrchestrations', label: 'Sub-orchestrations' },
  { value: 'timers', label: 'Timers' },
  { value: 'events', label: 'External events' },
  { value: 'execution', label: 'Execution lifecycle' },
  { value: 'failures', label: 'Failures' },
];

export function isHistoryFilter(value: unknown): value is HistoryFilter {
  return typeof value === 'string' && (FILTER_CATEGORIES.some((c) => c.value === value) || /^type:\w{1,64}$/.test(value));
}

export function matchesFilter(item: HistoryItem, filter: HistoryFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'noEpisodes':
      return item.kind !== 'episode';
    case 'activities':
      return item.kind === 'activity';
    case 'subOrchestrations':
      return item.kind === 'subOrchestration';
    case 'timers':
      return item.kind === 'timer';
    case 'events':
      return item.kind === 'event';
    case 'execution':
      return item.kind === 'execution';
    case 'failures':
      return item.failed;
    default:
      return item.row.type === filter.slice('type:'.length);
  }
}

/** Positions (into `items`) of the items to show, in display order. */
export function visibleItems(items: readonly HistoryItem[], filter: HistoryFilter, order: 'asc' | 'desc'): number[] {
  const out: number[] = [];
  for (let p = 0; p < items.length; p++) {
    if (matchesFilter(items[p], filter)) {
      out.push(p);
    }
  }
  return order === 'desc' ? out.reverse() : out;
}

/** Event types present, with counts, for the filter's list. */
export function typeCounts(items: readonly HistoryItem[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) {
    counts.set(item.row.type, (counts.get(item.row.type) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => a[0].localeCompare(b[0]));
}

// ---- Formatting ------------------------------------------------------------------------------

/** 850 ms, 12.3 s, 4 min 05 s, 2 h 10 min, 3 d 4 h. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    return '';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  const s = ms / 1000;
  if (s < 60) {
    return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
  }
  const totalSeconds = Math.round(s);
  const m = Math.floor(totalSeconds / 60);
  if (m < 60) {
    return `${m} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  }
  const h = Math.floor(m / 60);
  if (h < 48) {
    return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  }
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
