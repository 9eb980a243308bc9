// The timeline's layout: spans (activities, sub-orchestrations, timers, waits for external
// events, orchestrator episodes) drawn from the history model, a time scale that can collapse idle
// time (gaps where nothing runs become a narrow break), lanes packed so sequential work shares
// one, axis ticks and labels. Pure (no DOM): the page draws the result as SVG; unit tests check
// the geometry, including 1,000 activities.
import type { HistoryItem } from './historyModel';
import { formatDuration } from './historyModel';

export type SpanKind = 'activity' | 'subOrchestration' | 'timer' | 'event' | 'episode';

export interface Span {
  kind: SpanKind;
  label: string;
  start: number;
  end: number;
  /** Not finished: drawn up to "now" (or, for timers, to when they are due). */
  open: boolean;
  failed: boolean;
  /** `i` of the history event the span starts at (to jump to it in the list). */
  index: number;
  childInstanceId?: string;
}

const TERMINAL_EXECUTION = new Set(['ExecutionCompleted', 'ExecutionTerminated', 'ContinueAsNew']);

/**
 * Spans from the history model. `nowMs` ends spans still open in a running instance; in a finished
 * one they end with the execution (a timer that never fired was cancelled by the completion).
 */
export function spansFromHistory(items: readonly HistoryItem[], nowMs: number): Span[] {
  const spans: Span[] = [];
  const byIndex = new Map<number, HistoryItem>();
  let lastTime: number | null = null;
  let endTime: number | null = null;
  for (const item of items) {
    byIndex.set(item.row.i, item);
    if (item.timeMs !== null) {
      lastTime = lastTime === null ? item.timeMs : Math.max(lastTime, item.timeMs);
    }
    if (TERMINAL_EXECUTION.has(item.row.type) && item.timeMs !== null) {
      endTime = item.timeMs;
    }
  }
  const openEnd = endTime ?? Math.max(nowMs, lastTime ?? nowMs);
  let episodeStart: HistoryItem | null = null;
  let lastIdle: number | null = null;
  for (const item of items) {
    const t = item.timeMs;
    if (t === null) {
      continue;
    }
    switch (item.row.type) {
      case 'OrchestratorStarted':
        episodeStart = item;
        break;
      case 'OrchestratorCompleted':
        if (episodeStart && episodeStart.timeMs !== null) {
          spans.push({ kind: 'episode', label: 'Orchestrator', start: episodeStart.timeMs, end: t, open: false, failed: false, index: episodeStart.row.i });
        }
        episodeStart = null;
        lastIdle = t;
        break;
      case 'TaskScheduled':
      case 'SubOrchestrationInstanceCreated':
      case 'TimerCreated': {
        const pair = item.pairIndex !== undefined ? byIndex.get(item.pairIndex) : undefined;
        const kind: SpanKind = item.kind === 'activity' ? 'activity' : item.kind === 'subOrchestration' ? 'subOrchestration' : 'timer';
        let end: number;
        let open = false;
        if (pair && pair.timeMs !== null) {
          end = pair.timeMs;
        } else if (kind === 'timer') {
          const fireAt = Date.parse(item.row.fireAt ?? '');
          end = endTime ?? (Number.isNaN(fireAt) ? openEnd : Math.max(fireAt, t));
          open = endTime === null;
        } else {
          end = openEnd;
          open = endTime === null;
        }
        const label =
          kind === 'timer'
            ? `Timer${item.row.fireAt ? ` until ${item.row.fireAt}` : ''}`
            : kind === 'subOrchestration' && item.childInstanceId
              ? `${item.name || 'Sub-orchestration'} ${item.childInstanceId}`
              : item.name || item.row.type;
        spans.push({
          kind,
          label,
          start: t,
          end: Math.max(t, end),
          open,
          failed: pair?.failed ?? false,
          index: item.row.i,
          ...(item.childInstanceId ? { childInstanceId: item.childInstanceId } : {}),
        });
        break;
      }
      case 'EventRaised':
        // The orchestration was waiting since it last went idle (its last completed episode).
        spans.push({ kind: 'event', label: `Event ${item.name || '(unnamed)'}`, start: Math.min(lastIdle ?? t, t), end: t, open: false, failed: false, index: item.row.i });
        break;
      default:
        break;
    }
  }
  return spans;
}

// ---- Time scale ------------------------------------------------------------------------------

export interface ScaleSegment {
  t0: number;
  t1: number;
  x0: number;
  x1: number;
  /** An idle gap drawn narrower than its duration. */
  collapsed: boolean;
}

export interface TimeScale {
  segments: ScaleSegment[];
  width: number;
  /** Pixels per millisecond in segments that are not collapsed. */
  pxPerMs: number;
  x(t: number): number;
}

/** Merges intervals, sorted by start. */
export function mergeIntervals(intervals: readonly (readonly [number, number])[]): [number, number][] {
  const sorted = intervals.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b)).map(([a, b]): [number, number] => [Math.min(a, b), Math.max(a, b)]);
  sorted.sort((p, q) => p[0] - q[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) {
      last[1] = Math.max(last[1], b);
    } else {
      out.push([a, b]);
    }
  }
  return out;
}

export interface ScaleOptions {
  /** Pixels for the whole timeline (at zoom 1 the page passes its width). */
  width: number;
  collapseIdle: boolean;
  /** Gaps shorter than this are never collapsed (default 1 s). */
  minIdleMs?: number;
  /** Width of a collapsed gap (default 24 px; less when there are very many). */
  gapPx?: number;
}

/**
 * A piecewise-linear scale over [start, end]. With `collapseIdle`, every gap of at least
 * `minIdleMs` between `busy` intervals is drawn `gapPx` wide and the busy time shares the rest.
 */
export function buildTimeScale(start: number, end: number, busy: readonly (readonly [number, number])[], o: ScaleOptions): TimeScale {
  const width = Math.max(1, o.width);
  const total = Math.max(1, end - start);
  const minIdle = o.minIdleMs ?? 1000;
  const merged = mergeIntervals(busy.map(([a, b]) => [Math.max(start, a), Math.min(end, b)] as const).filter(([a, b]) => b >= a));
  // The gaps: before the first busy interval, between them, after the last.
  const gaps: [number, number][] = [];
  if (o.collapseIdle) {
    let cursor = start;
    for (const [a, b] of merged) {
      if (a - cursor >= minIdle) {
        gaps.push([cursor, a]);
      }
      cursor = Math.max(cursor, b);
    }
    if (end - cursor >= minIdle) {
      gaps.push([cursor, end]);
    }
  }
  const gapMs = gaps.reduce((sum, [a, b]) => sum + (b - a), 0);
  const activeMs = total - gapMs;
  // Collapsed gaps take at most a third of the width together.
  let gapPx = o.gapPx ?? 24;
  if (gaps.length > 0) {
    gapPx = Math.min(gapPx, Math.max(2, width / 3 / gaps.length));
  }
  if (activeMs <= 0) {
    // Nothing but idle time: draw it linearly.
    gaps.length = 0;
  }
  const pxPerMs = gaps.length > 0 ? (width - gapPx * gaps.length) / activeMs : width / total;
  const segments: ScaleSegment[] = [];
  let t = start;
  let x = 0;
  const pushLinear = (t1: number): void => {
    if (t1 > t) {
      const w = (t1 - t) * pxPerMs;
      segments.push({ t0: t, t1, x0: x, x1: x + w, collapsed: false });
      x += w;
      t = t1;
    }
  };
  for (const [a, b] of gaps) {
    pushLinear(a);
    segments.push({ t0: a, t1: b, x0: x, x1: x + gapPx, collapsed: true });
    x += gapPx;
    t = b;
  }
  pushLinear(start + total);
  if (segments.length === 0) {
    segments.push({ t0: start, t1: start + total, x0: 0, x1: width, collapsed: false });
  }
  const scaleX = (time: number): number => {
    if (time <= segments[0].t0) {
      return segments[0].x0;
    }
    let lo = 0;
    let hi = segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segments[mid].t0 <= time) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    const seg = segments[lo];
    if (time >= seg.t1) {
      return seg.x1;
    }
    return seg.x0 + ((time - seg.t0) / (seg.t1 - seg.t0 || 1)) * (seg.x1 - seg.x0);
  };
  return { segments, width, pxPerMs, x: scaleX };
}

// ---- Layout ------------------------------------------------------------------------------------

export interface TimelineOptions extends ScaleOptions {
  /** Used for spans still running. */
  nowMs: number;
}

export interface Bar {
  span: Span;
  lane: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Wide and tall enough for its label. */
  showLabel: boolean;
}

export interface Tick {
  x: number;
  label: string;
}

export interface Break {
  x: number;
  width: number;
  durationMs: number;
}

export interface TimelineLayout {
  width: number;
  height: number;
  axisHeight: number;
  laneHeight: number;
  /** Lanes below the orchestrator lane. */
  lanes: number;
  bars: Bar[];
  ticks: Tick[];
  breaks: Break[];
  start: number;
  end: number;
}

export const AXIS_HEIGHT = 22;
const LABEL_MIN_WIDTH = 48;

/** Lane height for a lane count: roomy for a few, compact (no labels) for hundreds. */
export function laneHeightFor(lanes: number): number {
  return lanes <= 40 ? 20 : lanes <= 200 ? 12 : 6;
}

/** A "nice" step (1, 2, 5 × 10^k ms, or whole minutes/hours/days) of at least `ms`. */
export function niceStep(ms: number): number {
  const units = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000];
  for (const u of units) {
    if (u >= ms) {
      return u;
    }
  }
  return Math.ceil(ms / 86_400_000) * 86_400_000;
}

/**
 * An axis label: the offset from the start of the instance, as precise as the tick step needs
 * (`+200 ms`, `+1.4 s`, `+1:01.2`, `+2 min 00 s`), so neighbouring ticks never read the same.
 */
export function tickLabel(offsetMs: number, stepMs: number): string {
  if (offsetMs <= 0) {
    return '0';
  }
  const decimals = stepMs >= 1000 ? 0 : stepMs >= 100 ? 1 : stepMs >= 10 ? 2 : 3;
  if (offsetMs < 1000) {
    return `+${Math.round(offsetMs)} ms`;
  }
  if (offsetMs < 60_000) {
    return `+${(offsetMs / 1000).toFixed(decimals)} s`;
  }
  if (stepMs < 60_000) {
    const minutes = Math.floor(offsetMs / 60_000);
    const seconds = ((offsetMs - minutes * 60_000) / 1000).toFixed(decimals);
    return `+${minutes}:${seconds.padStart(decimals ? 3 + decimals : 2, '0')}`;
  }
  return `+${formatDuration(offsetMs)}`;
}

export function layoutTimeline(spans: readonly Span[], o: TimelineOptions): TimelineLayout {
  const empty: TimelineLayout = { width: o.width, height: AXIS_HEIGHT, axisHeight: AXIS_HEIGHT, laneHeight: 20, lanes: 0, bars: [], ticks: [], breaks: [], start: o.nowMs, end: o.nowMs };
  if (spans.length === 0) {
    return empty;
  }
  let start = Infinity;
  let end = -Infinity;
  for (const span of spans) {
    start = Math.min(start, span.start);
    end = Math.max(end, span.end);
  }
  end = Math.max(end, start + 1);
  // Busy: something runs (an episode, an activity, a sub-orchestration). Time covered only by
  // timers and event waits is waiting, so it may collapse.
  const busy = spans.filter((sp) => sp.kind === 'episode' || sp.kind === 'activity' || sp.kind === 'subOrchestration').map((sp) => [sp.start, sp.end] as const);
  const scale = buildTimeScale(start, end, busy, o);

  // Lanes: episodes on lane 0; the rest packed greedily by start time (a lane is free once its
  // last span has ended), so a sequence of calls shares one lane and a fan-out takes one each.
  const work = spans.filter((sp) => sp.kind !== 'episode').sort((a, b) => a.start - b.start || a.end - b.end || a.index - b.index);
  const laneEnds: number[] = [];
  const assigned: { span: Span; lane: number }[] = [];
  for (const span of work) {
    let lane = laneEnds.findIndex((e) => e <= span.start);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(span.end);
    } else {
      laneEnds[lane] = span.end;
    }
    // A zero-length span still blocks its lane at that instant.
    if (span.end === span.start) {
      laneEnds[lane] = span.end + 1e-6;
    }
    assigned.push({ span, lane: lane + 1 });
  }
  const hasEpisodes = spans.some((sp) => sp.kind === 'episode');
  const lanes = laneEnds.length;
  const laneHeight = laneHeightFor(lanes + 1);
  const barHeight = Math.max(3, laneHeight - (laneHeight >= 12 ? 6 : 2));
  const top = AXIS_HEIGHT + 4;
  const bars: Bar[] = [];
  const place = (span: Span, lane: number): void => {
    const x0 = scale.x(span.start);
    const x1 = scale.x(span.end);
    const width = Math.max(span.kind === 'event' && span.start === span.end ? 3 : 1, x1 - x0);
    bars.push({
      span,
      lane,
      x: x0,
      y: top + (hasEpisodes ? lane : lane - 1) * laneHeight + (laneHeight - barHeight) / 2,
      width,
      height: barHeight,
      showLabel: width >= LABEL_MIN_WIDTH && laneHeight >= 12,
    });
  };
  for (const span of spans) {
    if (span.kind === 'episode') {
      place(span, 0);
    }
  }
  for (const { span, lane } of assigned) {
    place(span, lane);
  }

  // Ticks about every 110 px, in the segments drawn to scale.
  const step = niceStep(110 / Math.max(scale.pxPerMs, 1e-12));
  const ticks: Tick[] = [];
  for (const seg of scale.segments) {
    if (seg.collapsed) {
      continue;
    }
    const first = start + Math.ceil((seg.t0 - start) / step) * step;
    for (let t = first; t <= seg.t1 && ticks.length < 2000; t += step) {
      const x = scale.x(t);
      if (ticks.length === 0 || x - ticks[ticks.length - 1].x >= 60) {
        // The last label would run off the right edge: keep its line only.
        ticks.push({ x, label: x > scale.width - 48 ? '' : tickLabel(t - start, step) });
      }
    }
  }
  const breaks: Break[] = scale.segments.filter((seg) => seg.collapsed).map((seg) => ({ x: seg.x0, width: seg.x1 - seg.x0, durationMs: seg.t1 - seg.t0 }));
  const laneCount = lanes + (hasEpisodes ? 1 : 0);
  return {
    width: scale.width,
    height: top + laneCount * laneHeight + 4,
    axisHeight: AXIS_HEIGHT,
    laneHeight,
    lanes,
    bars,
    ticks,
    breaks,
    start,
    end,
  };
}
