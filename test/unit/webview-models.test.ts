// The instance page's pure models: history rows (pairing, durations, filters), the virtual
// window, and the timeline layout (idle-time collapse, 1,000 activities), plus the host's
// conversion of core's events into rows.
import assert from 'node:assert/strict';
import type { HistoryEvent } from '../../src/core';
import type { HistoryRow } from '../../src/shared/protocol';
import { HistoryModelBuilder, buildHistoryModel, formatDuration, visibleItems } from '../../src/webview/model/historyModel';
import { formatCount } from '../../src/webview/instance/format';
import { RowOffsets } from '../../src/webview/model/virtualWindow';
import { buildTimeScale, layoutTimeline, mergeIntervals, spansFromHistory, tickLabel } from '../../src/webview/model/timelineLayout';
import type { Span } from '../../src/webview/model/timelineLayout';
import { parentFromHistory, toHistoryRow, toSnapshot, toValueView, truncateStrings } from '../../src/extension/webviews/instanceData';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();

/** A small history builder: rows as the host sends them. */
class Rows {
  readonly rows: HistoryRow[] = [];
  private nextEventId = 0;
  add(type: string, ms: number, extra: Partial<HistoryRow> = {}): HistoryRow {
    const row: HistoryRow = { i: this.rows.length, type, eventId: -1, time: at(ms), ...extra };
    this.rows.push(row);
    return row;
  }
  schedule(type: 'TaskScheduled' | 'SubOrchestrationInstanceCreated' | 'TimerCreated', ms: number, extra: Partial<HistoryRow> = {}): number {
    const eventId = this.nextEventId++;
    this.add(type, ms, { eventId, ...extra });
    return eventId;
  }
}

describe('history model', () => {
  it('pairs completions with their scheduling event by TaskScheduledId / TimerId, with durations on both', () => {
    const r = new Rows();
    r.add('OrchestratorStarted', 0);
    r.add('ExecutionStarted', 1, { name: 'Parent' });
    const a = r.schedule('TaskScheduled', 2, { name: 'SayHello' });
    const b = r.schedule('TaskScheduled', 2, { name: 'SayBye' });
    const sub = r.schedule('SubOrchestrationInstanceCreated', 3, { name: 'Child', instanceId: 'child-1' });
    const timer = r.schedule('TimerCreated', 3, { fireAt: at(60_000) });
    r.add('OrchestratorCompleted', 4);
    // Completions arrive out of order.
    r.add('TaskCompleted', 1_504, { scheduledId: b });
    r.add('TaskFailed', 2_002, { scheduledId: a, summary: 'boom' });
    r.add('SubOrchestrationInstanceCompleted', 5_003, { scheduledId: sub });
    r.add('TimerFired', 60_003, { scheduledId: timer, fireAt: at(60_000) });
    const items = buildHistoryModel(r.rows);
    const byType = (type: string, n = 0) => items.filter((i) => i.row.type === type)[n];

    const sayHello = byType('TaskScheduled', 0);
    const sayBye = byType('TaskScheduled', 1);
    assert.equal(sayHello.pairIndex, byType('TaskFailed').row.i);
    assert.equal(sayHello.durationMs, 2_000);
    assert.equal(sayHello.outcome, 'failed');
    assert.equal(byType('TaskFailed').name, 'SayHello', 'a completion is named after what it completes');
    assert.equal(byType('TaskFailed').failed, true);
    assert.equal(sayBye.durationMs, 1_502);
    assert.equal(byType('TaskCompleted').durationMs, 1_502);
    assert.equal(byType('TaskCompleted').name, 'SayBye');
    assert.equal(byType('SubOrchestrationInstanceCompleted').childInstanceId, 'child-1');
    assert.equal(byType('SubOrchestrationInstanceCreated').durationMs, 5_000);
    assert.equal(byType('TimerCreated').durationMs, 60_000);
    assert.equal(byType('TimerFired').kind, 'timer');
    assert.equal(byType('OrchestratorStarted').kind, 'episode');
  });

  it('does not pair across kinds (TimerFired with a TaskScheduled of the same EventId) and leaves unanswered calls pending', () => {
    const r = new Rows();
    r.add('TaskScheduled', 0, { eventId: 0, name: 'Slow' });
    r.add('TimerFired', 100, { scheduledId: 0 });
    const items = buildHistoryModel(r.rows);
    assert.equal(items[0].outcome, 'pending');
    assert.equal(items[0].pairIndex, undefined);
    assert.equal(items[1].pairIndex, undefined);
  });

  it('after a rewind, a completion pairs with the newest scheduling of its EventId, and each scheduling is paired once', () => {
    const r = new Rows();
    r.add('TaskScheduled', 0, { eventId: 0, name: 'Flaky' });
    r.add('GenericEvent', 10, { eventId: -1, reason: 'Rewound: TaskFailed' });
    r.add('TaskScheduled', 20, { eventId: 0, name: 'Flaky' });
    r.add('TaskCompleted', 50, { scheduledId: 0 });
    r.add('TaskCompleted', 60, { scheduledId: 0 });
    const items = buildHistoryModel(r.rows);
    assert.equal(items[0].outcome, 'pending');
    assert.equal(items[2].pairIndex, 3);
    assert.equal(items[3].durationMs, 30);
    assert.equal(items[4].pairIndex, undefined, 'a second completion of the same call is not paired');
  });

  it('filters by category or type, in either order', () => {
    const r = new Rows();
    r.add('OrchestratorStarted', 0);
    r.schedule('TaskScheduled', 1, { name: 'A' });
    r.add('EventRaised', 2, { name: 'Approval' });
    r.add('ExecutionCompleted', 3, { status: 'Failed' });
    r.add('OrchestratorCompleted', 4);
    const items = buildHistoryModel(r.rows);
    assert.deepEqual(visibleItems(items, 'all', 'asc'), [0, 1, 2, 3, 4]);
    assert.deepEqual(visibleItems(items, 'all', 'desc'), [4, 3, 2, 1, 0]);
    assert.deepEqual(visibleItems(items, 'noEpisodes', 'asc'), [1, 2, 3]);
    assert.deepEqual(visibleItems(items, 'events', 'asc'), [2]);
    assert.deepEqual(visibleItems(items, 'failures', 'asc'), [3]);
    assert.deepEqual(visibleItems(items, 'type:TaskScheduled', 'desc'), [1]);
  });

  it('built page by page, pairs across pages and gives the same items as built at once', () => {
    const r = new Rows();
    r.add('OrchestratorStarted', 0);
    const calls = Array.from({ length: 40 }, (_, k) => r.schedule('TaskScheduled', 1 + k, { name: `Call${k}` }));
    const timer = r.schedule('TimerCreated', 50, { fireAt: at(10_000) });
    r.add('OrchestratorCompleted', 60);
    for (const [k, id] of calls.entries()) {
      r.add(k % 7 === 0 ? 'TaskFailed' : 'TaskCompleted', 1_000 + k * 10, { scheduledId: id });
    }
    r.add('TimerFired', 10_001, { scheduledId: timer });
    const whole = buildHistoryModel(r.rows);
    const builder = new HistoryModelBuilder();
    // A small first page, then pages that split scheduling and completion apart.
    for (const [from, to] of [[0, 5], [5, 37], [37, 70], [70, r.rows.length]]) {
      const added = builder.append(r.rows.slice(from, to));
      assert.equal(added.length, to - from);
      assert.equal(added[0], builder.items[from], 'append returns the new items themselves');
    }
    assert.deepEqual(builder.items, whole);
    assert.equal(builder.items[1].pairIndex, r.rows.find((row) => row.scheduledId === calls[0])?.i, 'a call on the first page pairs with its completion on a later one');
    assert.equal(builder.items[1].outcome, 'failed');
  });

  it('counts with thousands separators, as en-US does', () => {
    for (const n of [0, 7, 999, 1_000, 10_000, 123_456, 1_234_567, -2_500, Number.MAX_SAFE_INTEGER]) {
      assert.equal(formatCount(n), n.toLocaleString('en-US'));
    }
    assert.equal(formatCount(1.5), (1.5).toLocaleString('en-US'));
  });

  it('formats durations for people', () => {
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(1_502), '1.50 s');
    assert.equal(formatDuration(12_340), '12.3 s');
    assert.equal(formatDuration(245_000), '4 min 05 s');
    assert.equal(formatDuration(7_800_000), '2 h 10 min');
    assert.equal(formatDuration(3 * 86_400_000 + 4 * 3_600_000), '3 d 4 h');
  });
});

describe('history rows from core events (host)', () => {
  const ev = (e: Partial<HistoryEvent> & { EventType: string }): HistoryEvent => ({ EventId: -1, Timestamp: '2026-03-01T10:00:00.1234567Z', ...e }) as HistoryEvent;

  it('summarizes each event: names, ids to pair by, child instance, short previews', () => {
    assert.deepEqual(toHistoryRow(ev({ EventType: 'TaskScheduled', EventId: 3, Name: 'SayHello', Input: '"Tokyo"' }), 5), {
      i: 5,
      type: 'TaskScheduled',
      eventId: 3,
      time: '2026-03-01T10:00:00.1234567Z',
      name: 'SayHello',
      summary: '"Tokyo"',
    });
    assert.equal(toHistoryRow(ev({ EventType: 'TaskCompleted', TaskScheduledId: 3, Result: '"Hello Tokyo!"' }), 6).scheduledId, 3);
    assert.equal(toHistoryRow(ev({ EventType: 'TimerFired', TimerId: 4, FireAt: '2026-03-01T10:01:00Z' }), 7).scheduledId, 4);
    assert.equal(toHistoryRow(ev({ EventType: 'SubOrchestrationInstanceCreated', EventId: 0, Name: 'Child', InstanceId: 'p:0' }), 2).instanceId, 'p:0');
    const failed = toHistoryRow(ev({ EventType: 'TaskFailed', TaskScheduledId: 1, Reason: 'Boom', Details: 'stack…' }), 9);
    assert.equal(failed.summary, 'Boom');
    const long = toHistoryRow(ev({ EventType: 'ExecutionStarted', Input: JSON.stringify('x'.repeat(1000)) }), 1);
    assert.ok((long.summary ?? '').length <= 161 && long.summary?.endsWith('…'));
    assert.equal(toHistoryRow(ev({ EventType: 'ExecutionCompleted', OrchestrationStatus: 'Failed', Result: 'oops' }), 3).status, 'Failed');
  });

  it('finds a sub-orchestration\'s parent in ExecutionStarted.ParentInstance', () => {
    const parentInstance = { Name: 'ParentOrchestration', OrchestrationInstance: { InstanceId: 'parent-failed', ExecutionId: 'e1' }, TaskScheduleId: 2, Version: '' };
    assert.deepEqual(parentFromHistory([ev({ EventType: 'OrchestratorStarted' }), ev({ EventType: 'ExecutionStarted', ParentInstance: parentInstance })]), {
      instanceId: 'parent-failed',
      name: 'ParentOrchestration',
    });
    assert.equal(parentFromHistory([ev({ EventType: 'ExecutionStarted', ParentInstance: null })]), null);
    assert.equal(parentFromHistory([ev({ EventType: 'ExecutionStarted', ParentInstance: 'null' })]), null);
    assert.equal(parentFromHistory([]), null);
  });

  it('sends big values as the start of their text, and cuts huge strings in events', () => {
    assert.deepEqual(toValueView({ a: 1 }), { kind: 'value', value: { a: 1 }, size: 12 });
    const big = toValueView('y'.repeat(300_000), 1000);
    assert.equal(big.kind, 'truncated');
    assert.equal(big.kind === 'truncated' && big.text.length, 1000);
    assert.equal(big.size, 300_002);
    const cut = truncateStrings({ Result: 'z'.repeat(100), n: 1 }, 10) as { Result: string; n: number };
    assert.match(cut.Result, /^z{10}… \(100 characters/);
    assert.equal(cut.n, 1);
  });

  it('a failed instance\'s output is shown once, as its failure; actions follow the status', () => {
    const base = { instanceId: 'x', name: 'N', createdTime: null, lastUpdatedTime: null, customStatus: null, executionId: null, completedTime: null, scheduledStartTime: null, generation: 0, version: null, tags: null, input: null };
    const failed = toSnapshot({ ...base, runtimeStatus: 'Failed', output: 'Orchestrator failed: boom' }, null);
    assert.deepEqual(failed.failure, { kind: 'value', value: 'Orchestrator failed: boom', size: 27 });
    assert.deepEqual(failed.output, { kind: 'value', value: null, size: 4 });
    assert.deepEqual(failed.actions, ['rewind', 'restart', 'purge']);
    assert.equal(failed.terminal, true);
    const running = toSnapshot({ ...base, runtimeStatus: 'Running', output: null }, null);
    assert.equal(running.failure, null);
    assert.deepEqual(running.actions, ['raiseEvent', 'suspend', 'terminate', 'restart', 'forcePurge']);
    assert.deepEqual(toSnapshot({ ...base, instanceId: '@counter@x', runtimeStatus: 'Running', output: null }, null).actions, ['forcePurge']);
  });
});

describe('virtual window', () => {
  it('renders only the rows in view (plus overscan), with expanded rows taller', () => {
    const offsets = new RowOffsets(10_000, (k) => (k === 5 ? 286 : 26));
    assert.equal(offsets.totalHeight, 10_000 * 26 + 260);
    assert.deepEqual(offsets.window(0, 520, 5), { start: 0, end: 15 }, 'rows 0–9 fill 520 px (row 5 is expanded), plus 5');
    // Far down: a window of about 20 rows around the position, not 10,000.
    const w = offsets.window(200_000, 520, 5);
    assert.ok(w.end - w.start <= 32, JSON.stringify(w));
    assert.ok(offsets.top(w.start) <= 200_000 && offsets.top(w.end) >= 200_520);
    assert.equal(offsets.rowAt(26 * 5 + 100), 5, 'inside the expanded row');
    assert.equal(offsets.rowAt(26 * 5 + 286), 6);
    assert.deepEqual(new RowOffsets(0, () => 26).window(0, 500), { start: 0, end: 0 });
    // Scrolled past the end (the list shrank under a filter): the last rows, not nothing.
    const end = offsets.window(10_000_000, 500, 0);
    assert.equal(end.end, 10_000);
  });
});

describe('timeline layout', () => {
  it('spans: activities from scheduled to completed, timers to fired, waits for events from the last idle point', () => {
    const r = new Rows();
    r.add('OrchestratorStarted', 0);
    const a = r.schedule('TaskScheduled', 5, { name: 'RequestApproval' });
    r.add('OrchestratorCompleted', 10);
    r.add('OrchestratorStarted', 800);
    r.add('TaskCompleted', 800, { scheduledId: a });
    const t = r.schedule('TimerCreated', 805, { fireAt: at(86_400_000) });
    r.add('OrchestratorCompleted', 810);
    r.add('OrchestratorStarted', 1_200_000);
    r.add('EventRaised', 1_200_000, { name: 'Approval' });
    r.add('ExecutionCompleted', 1_200_005, { status: 'Completed' });
    r.add('OrchestratorCompleted', 1_200_010);
    const spans = spansFromHistory(buildHistoryModel(r.rows), T0 + 5_000_000);
    const activity = spans.find((sp) => sp.kind === 'activity');
    assert.deepEqual([activity?.start, activity?.end], [T0 + 5, T0 + 800]);
    const timer = spans.find((sp) => sp.kind === 'timer');
    // It never fired: the completion cancelled it, so it ends there, not a day later.
    assert.deepEqual([timer?.start, timer?.end, timer?.open], [T0 + 805, T0 + 1_200_005, false]);
    assert.equal(t, 1);
    const wait = spans.find((sp) => sp.kind === 'event');
    assert.deepEqual([wait?.start, wait?.end, wait?.label], [T0 + 810, T0 + 1_200_000, 'Event Approval']);
    assert.equal(spans.filter((sp) => sp.kind === 'episode').length, 3);
  });

  it('spans still running end now (activities) or when due (timers), marked open', () => {
    const r = new Rows();
    r.add('OrchestratorStarted', 0);
    r.schedule('TaskScheduled', 1, { name: 'Slow' });
    r.schedule('TimerCreated', 1, { fireAt: at(30_000) });
    r.add('OrchestratorCompleted', 2);
    const spans = spansFromHistory(buildHistoryModel(r.rows), T0 + 10_000);
    const activity = spans.find((sp) => sp.kind === 'activity');
    const timer = spans.find((sp) => sp.kind === 'timer');
    assert.deepEqual([activity?.end, activity?.open], [T0 + 10_000, true]);
    assert.deepEqual([timer?.end, timer?.open], [T0 + 30_000, true]);
  });

  it('collapses idle gaps into narrow breaks so the busy time gets the width', () => {
    const busy: [number, number][] = [
      [0, 1_000],
      [3_601_000, 3_602_000],
    ];
    const linear = buildTimeScale(0, 3_602_000, busy, { width: 1000, collapseIdle: false });
    const collapsed = buildTimeScale(0, 3_602_000, busy, { width: 1000, collapseIdle: true, gapPx: 24 });
    // Linear: the two seconds of work are a fraction of a pixel each.
    assert.ok(linear.x(1_000) - linear.x(0) < 1);
    // Collapsed: the hour is 24 px; each busy second gets about half of the rest.
    assert.equal(collapsed.segments.filter((sg) => sg.collapsed).length, 1);
    assert.ok(Math.abs(collapsed.x(1_000) - collapsed.x(0) - 488) < 1, String(collapsed.x(1_000)));
    assert.ok(Math.abs(collapsed.x(3_601_000) - collapsed.x(1_000) - 24) < 1e-6);
    assert.ok(Math.abs(collapsed.x(3_602_000) - 1000) < 1e-6);
    // Monotonic everywhere.
    let last = -1;
    for (let t = 0; t <= 3_602_000; t += 10_000) {
      assert.ok(collapsed.x(t) >= last);
      last = collapsed.x(t);
    }
    // Short gaps stay to scale.
    const short = buildTimeScale(0, 2_500, [[0, 1_000], [1_500, 2_500]], { width: 1000, collapseIdle: true });
    assert.equal(short.segments.filter((sg) => sg.collapsed).length, 0);
    assert.deepEqual(mergeIntervals([[5, 6], [1, 3], [2, 4]]), [[1, 4], [5, 6]]);
  });

  it('lays out 1,000 parallel activities in 1,000 lanes, compact, all inside the width', () => {
    const spans: Span[] = [{ kind: 'episode', label: 'Orchestrator', start: T0, end: T0 + 5, open: false, failed: false, index: 0 }];
    for (let k = 0; k < 1000; k++) {
      spans.push({ kind: 'activity', label: `Work ${k}`, start: T0 + 5, end: T0 + 1_000 + k * 7, open: false, failed: k === 500, index: k + 1 });
    }
    const layout = layoutTimeline(spans, { width: 1200, collapseIdle: true, nowMs: T0 });
    assert.equal(layout.lanes, 1000);
    assert.equal(layout.bars.length, 1001);
    assert.equal(layout.laneHeight, 6, 'lanes get compact for hundreds of bars');
    assert.ok(layout.height < 1000 * 7 + 60, String(layout.height));
    for (const bar of layout.bars) {
      assert.ok(bar.x >= 0 && bar.x + bar.width <= 1200 + 1e-6, JSON.stringify(bar));
      assert.ok(bar.width >= 1);
      assert.equal(bar.showLabel, false);
    }
    assert.ok(layout.ticks.length >= 3);
    assert.equal(new Set(layout.bars.map((b) => b.y)).size, 1001, 'one row each');
  });

  it('lays out 1,000 sequential activities in one lane, with labels once zoomed in', () => {
    const spans: Span[] = [];
    for (let k = 0; k < 1000; k++) {
      spans.push({ kind: 'activity', label: `Step ${k}`, start: T0 + k * 100, end: T0 + k * 100 + 90, open: false, failed: false, index: k });
    }
    const fit = layoutTimeline(spans, { width: 1000, collapseIdle: true, nowMs: T0 });
    assert.equal(fit.lanes, 1);
    assert.equal(fit.laneHeight, 20);
    assert.ok(fit.bars.every((b) => !b.showLabel), 'too narrow for labels at fit');
    const zoomed = layoutTimeline(spans, { width: 1000 * 89, collapseIdle: true, nowMs: T0 });
    assert.ok(zoomed.bars.every((b) => b.showLabel), 'labels once each bar is wide enough');
    // Bars keep their order along x.
    for (let k = 1; k < zoomed.bars.length; k++) {
      assert.ok(zoomed.bars[k].x > zoomed.bars[k - 1].x);
    }
  });

  it('axis labels are as precise as the step, so neighbours differ', () => {
    assert.equal(tickLabel(0, 200), '0');
    assert.equal(tickLabel(400, 200), '+400 ms');
    assert.equal(tickLabel(1_400, 200), '+1.4 s');
    assert.equal(tickLabel(12_340, 10), '+12.34 s');
    assert.deepEqual([tickLabel(61_000, 200), tickLabel(61_200, 200)], ['+1:01.0', '+1:01.2']);
    assert.equal(tickLabel(125_000, 5_000), '+2:05');
    assert.equal(tickLabel(7_200_000, 600_000), '+2 h 00 min');
  });

  it('an instance of long waits (a monitor) collapses the waits: activities become visible', () => {
    const spans: Span[] = [];
    for (let k = 0; k < 6; k++) {
      const start = T0 + k * 30_000;
      spans.push({ kind: 'activity', label: 'CheckJob', start, end: start + 50, open: false, failed: false, index: k * 2 });
      spans.push({ kind: 'timer', label: 'Timer', start: start + 60, end: start + 30_000, open: false, failed: false, index: k * 2 + 1 });
    }
    const collapsed = layoutTimeline(spans, { width: 1000, collapseIdle: true, nowMs: T0 });
    const linear = layoutTimeline(spans, { width: 1000, collapseIdle: false, nowMs: T0 });
    const width = (l: typeof collapsed): number => l.bars.filter((b) => b.span.kind === 'activity').reduce((sum, b) => sum + b.width, 0);
    assert.ok(collapsed.breaks.length >= 5, String(collapsed.breaks.length));
    assert.ok(width(collapsed) > 20 * width(linear), `${width(collapsed)} vs ${width(linear)}`);
    assert.equal(linear.breaks.length, 0);
  });
});
