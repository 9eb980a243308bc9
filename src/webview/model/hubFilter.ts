// The task hub page's filter: what the user typed (kept in the page state), how it becomes one
// concrete HubQuery (resolved once per Apply, so the list, the counts, a bulk preview and the bulk
// action all run the very same query), and how a saved filter is read back from untrusted state.
// Pure: the tests pass `now`, and local times are read with the Date constructor.
import type { HubPageSettings, HubQuery, HubRuntimeStatus } from '../../shared/protocol/hub';
import { HUB_RUNTIME_STATUSES } from '../../shared/protocol/hub';
import { isPlainObject } from '../../shared/protocol/kit';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const RANGE_PRESETS = [
  { value: 'hour', label: 'Last hour', ms: HOUR },
  { value: 'day', label: 'Last 24 hours', ms: DAY },
  { value: 'week', label: 'Last 7 days', ms: 7 * DAY },
  { value: 'month', label: 'Last 30 days', ms: 30 * DAY },
  { value: 'all', label: 'All time', ms: null },
  { value: 'custom', label: 'Custom range', ms: null },
] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number]['value'];

/** Finished statuses: the only ones a purge deletes. */
export const TERMINAL_STATUSES: readonly HubRuntimeStatus[] = ['Completed', 'Failed', 'Canceled', 'Terminated'];

/** Limits of the query schema (hub.ts), checked here so the user gets a sentence, not a protocol error. */
export const NAME_MAX = 256;
export const PREFIX_MAX = 1024;
export const STUCK_MIN = 1;
export const STUCK_MAX = 525_600;

/** The filter as the user set it (not resolved: "Last hour" stays relative). */
export interface HubFilterInput {
  range: RangePreset;
  /** `datetime-local` values (`2026-05-01T10:20`), used when range is custom; '' = open end. */
  from: string;
  to: string;
  /** Empty = every status. */
  statuses: HubRuntimeStatus[];
  name: string;
  idPrefix: string;
  includeEntities: boolean;
}

export type HubTab = 'instances' | 'stuck';

/** What the page keeps with setState (besides the target). */
export interface HubUiState {
  tab: HubTab;
  filter: HubFilterInput;
  stuckThreshold: number;
}

export function isRangePreset(value: unknown): value is RangePreset {
  return typeof value === 'string' && RANGE_PRESETS.some((p) => p.value === value);
}

export function isRuntimeStatus(value: unknown): value is HubRuntimeStatus {
  return typeof value === 'string' && (HUB_RUNTIME_STATUSES as readonly string[]).includes(value);
}

/** The preset nearest to the tree's time window (0 = no window = all time); nearest by ratio. */
export function presetForDays(days: number): RangePreset {
  if (!Number.isFinite(days) || days <= 0) {
    return 'all';
  }
  const ms = days * DAY;
  let best: RangePreset = 'week';
  let bestDistance = Infinity;
  for (const p of RANGE_PRESETS) {
    if (p.ms === null) {
      continue;
    }
    const distance = Math.abs(Math.log(ms / p.ms));
    // `<=`: a tie goes to the longer range (shows more rather than less).
    if (distance <= bestDistance) {
      best = p.value;
      bestDistance = distance;
    }
  }
  return best;
}

export function defaultFilter(settings: Pick<HubPageSettings, 'timeWindowDays' | 'showEntities'>): HubFilterInput {
  return { range: presetForDays(settings.timeWindowDays), from: '', to: '', statuses: [], name: '', idPrefix: '', includeEntities: settings.showEntities };
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/** A `datetime-local` value as epoch ms in the page's time zone; null when it is not a real date. */
export function parseLocalDateTime(value: string): number | null {
  const m = LOCAL_DATE_TIME.exec(value);
  if (!m) {
    return null;
  }
  const [y, mo, d, hh, mi, ss, frac] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0', (m[7] ?? '0').padEnd(3, '0')].map(Number);
  const date = new Date(y, mo - 1, d, hh, mi, ss, frac);
  // The constructor rolls 31 February over into March: such a value is not a date.
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d || date.getHours() !== hh || date.getMinutes() !== mi) {
    return null;
  }
  return date.getTime();
}

/** Epoch ms as a `datetime-local` value (minutes precision), for pre-filling the custom range. */
export function toLocalDateTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export type FilterField = 'from' | 'to' | 'name' | 'idPrefix';
export type ResolvedFilter = { ok: true; query: HubQuery } | { ok: false; field: FilterField; problem: string };

/** Statuses in the canonical order, each once. */
export function normalizeStatuses(statuses: readonly string[]): HubRuntimeStatus[] {
  return HUB_RUNTIME_STATUSES.filter((s) => statuses.includes(s));
}

/**
 * The concrete query for the filter at `now`. Presets have no upper bound (an instance created a
 * moment later still belongs to "the last hour", and the page's clock may lag storage's).
 */
export function resolveFilter(input: HubFilterInput, now: number): ResolvedFilter {
  let createdAfter: string | null = null;
  let createdBefore: string | null = null;
  if (input.range === 'custom') {
    const from = input.from.trim() ? parseLocalDateTime(input.from.trim()) : null;
    const to = input.to.trim() ? parseLocalDateTime(input.to.trim()) : null;
    if (input.from.trim() && from === null) {
      return { ok: false, field: 'from', problem: 'The start of the range is not a valid date and time.' };
    }
    if (input.to.trim() && to === null) {
      return { ok: false, field: 'to', problem: 'The end of the range is not a valid date and time.' };
    }
    if (from !== null && to !== null && from > to) {
      return { ok: false, field: 'to', problem: 'The end of the range is before its start.' };
    }
    createdAfter = from === null ? null : new Date(from).toISOString();
    createdBefore = to === null ? null : new Date(to).toISOString();
  } else {
    const preset = RANGE_PRESETS.find((p) => p.value === input.range);
    if (preset?.ms) {
      createdAfter = new Date(now - preset.ms).toISOString();
    }
  }
  const name = input.name.trim();
  if (name.length > NAME_MAX) {
    return { ok: false, field: 'name', problem: `The orchestrator name is longer than ${NAME_MAX} characters.` };
  }
  const prefix = input.idPrefix.trim();
  if (prefix.length > PREFIX_MAX) {
    return { ok: false, field: 'idPrefix', problem: `The instance id prefix is longer than ${PREFIX_MAX} characters.` };
  }
  return {
    ok: true,
    query: {
      createdAfter,
      createdBefore,
      statuses: normalizeStatuses(input.statuses),
      name: name || null,
      instanceIdPrefix: prefix || null,
      includeEntities: input.includeEntities,
    },
  };
}

export function toggleStatus(statuses: readonly HubRuntimeStatus[], status: HubRuntimeStatus): HubRuntimeStatus[] {
  return statuses.includes(status) ? statuses.filter((s) => s !== status) : normalizeStatuses([...statuses, status]);
}

/**
 * The query a purge by filter runs: only finished statuses, never more than the user chose. The
 * finished statuses of the filter are kept (Running + Failed purges Failed only); a filter with
 * none (every status, or active ones only) becomes the four finished ones. `note` says what changed.
 */
export function purgeQuery(query: HubQuery): { query: HubQuery; note: string | null } {
  const statuses = query.statuses;
  const finished = statuses.filter((s) => TERMINAL_STATUSES.includes(s));
  if (statuses.length > 0 && finished.length === statuses.length) {
    return { query, note: null };
  }
  const was = statuses.length === 0 ? 'every status' : statuses.join(', ');
  const kept = finished.length > 0 ? finished : [...TERMINAL_STATUSES];
  return {
    query: { ...query, statuses: kept },
    note: `Purge deletes finished instances only: the status filter (${was}) is narrowed to ${kept.join(', ')} for this purge.`,
  };
}

/** The matching total from counts per status: the query's statuses, or all of them. */
export function matchingCount(counts: Readonly<Record<string, number>>, statuses: readonly string[], total: number): number {
  if (statuses.length === 0) {
    return total;
  }
  return statuses.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
}

/** One line describing a resolved query, e.g. for a confirmation ("created after …; Failed; name Foo"). */
export function describeQuery(query: HubQuery, formatTime: (iso: string) => string): string {
  const parts: string[] = [];
  if (query.createdAfter && query.createdBefore) {
    parts.push(`created ${formatTime(query.createdAfter)} – ${formatTime(query.createdBefore)}`);
  } else if (query.createdAfter) {
    parts.push(`created after ${formatTime(query.createdAfter)}`);
  } else if (query.createdBefore) {
    parts.push(`created before ${formatTime(query.createdBefore)}`);
  } else {
    parts.push('any creation time');
  }
  parts.push(query.statuses.length ? query.statuses.join(', ') : 'every status');
  if (query.name) {
    parts.push(`name ${query.name}`);
  }
  if (query.instanceIdPrefix) {
    parts.push(`id starting with ${query.instanceIdPrefix}`);
  }
  parts.push(query.includeEntities ? 'entities included' : 'orchestrations only');
  return parts.join(' · ');
}

/** A saved filter, field by field (a plain object only: nothing inherited is read); anything missing, mistyped or oversized takes the default. */
export function restoreFilter(saved: unknown, defaults: HubFilterInput): HubFilterInput {
  const out: HubFilterInput = { ...defaults, statuses: [...defaults.statuses] };
  if (!isPlainObject(saved)) {
    return out;
  }
  if (isRangePreset(saved.range)) {
    out.range = saved.range;
  }
  for (const key of ['from', 'to'] as const) {
    const v = saved[key];
    if (typeof v === 'string' && (v === '' || (v.length <= 30 && parseLocalDateTime(v) !== null))) {
      out[key] = v;
    }
  }
  if (Array.isArray(saved.statuses) && saved.statuses.length <= 64) {
    out.statuses = normalizeStatuses(saved.statuses.filter(isRuntimeStatus));
  }
  if (typeof saved.name === 'string' && saved.name.length <= NAME_MAX) {
    out.name = saved.name;
  }
  if (typeof saved.idPrefix === 'string' && saved.idPrefix.length <= PREFIX_MAX) {
    out.idPrefix = saved.idPrefix;
  }
  if (typeof saved.includeEntities === 'boolean') {
    out.includeEntities = saved.includeEntities;
  }
  return out;
}

export function isStuckThreshold(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= STUCK_MIN && value <= STUCK_MAX;
}

/** The page's UI state from setState (untrusted: it survives reloads and versions). */
export function restoreHubUi(saved: unknown, settings: Pick<HubPageSettings, 'timeWindowDays' | 'showEntities' | 'stuckThresholdMinutes'>): HubUiState {
  const ui: HubUiState = { tab: 'instances', filter: defaultFilter(settings), stuckThreshold: defaultStuckThreshold(settings.stuckThresholdMinutes) };
  if (!isPlainObject(saved)) {
    return ui;
  }
  if (saved.tab === 'instances' || saved.tab === 'stuck') {
    ui.tab = saved.tab;
  }
  ui.filter = restoreFilter(saved.filter, ui.filter);
  if (isStuckThreshold(saved.stuckThreshold)) {
    ui.stuckThreshold = saved.stuckThreshold;
  }
  return ui;
}

export function defaultStuckThreshold(minutes: number): number {
  return isStuckThreshold(minutes) ? minutes : 60;
}
