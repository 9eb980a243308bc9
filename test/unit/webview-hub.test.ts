// The task hub page's pure models: the filter (presets, custom ranges, the one HubQuery, restoring
// untrusted state), the list (dedupe across pages, sort, selection with shift ranges, 50,000 rows),
// the bulk run (progress items, counts, filters, words), the text helpers, and the hub protocol's
// schemas against what the page sends.
import assert from 'node:assert/strict';
import { RUNTIME_STATUSES } from '../../src/core/model';
import type { BulkProgress, HubInstanceRow, HubQuery } from '../../src/shared/protocol';
import { BULK_MAX_IDS, HUB_PROTOCOL, HUB_RUNTIME_STATUSES, HubRequests, ProtocolError, hubQuerySchema, parsePageMessage } from '../../src/shared/protocol';
import { BulkRun, confirmLabel, outcomeLine } from '../../src/webview/model/bulkModel';
import type { HubFilterInput } from '../../src/webview/model/hubFilter';
import {
  TERMINAL_STATUSES,
  defaultFilter,
  describeQuery,
  matchingCount,
  parseLocalDateTime,
  presetForDays,
  purgeQuery,
  resolveFilter,
  restoreFilter,
  restoreHubUi,
  toLocalDateTime,
  toggleStatus,
} from '../../src/webview/model/hubFilter';
import { formatAge, formatHubDuration, hasInvisible, oneLine, plural, shortQueueName, visibleText } from '../../src/webview/model/hubFormat';
import { HubListModel, rowDurationMs } from '../../src/webview/model/hubListModel';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const SETTINGS = { pageSize: 100, timeWindowDays: 7, showEntities: false, loadAllLimit: 5000, stuckThresholdMinutes: 30 };

function filter(over: Partial<HubFilterInput> = {}): HubFilterInput {
  return { ...defaultFilter(SETTINGS), ...over };
}

function resolved(input: HubFilterInput): HubQuery {
  const r = resolveFilter(input, NOW);
  assert.ok(r.ok, r.ok ? '' : r.problem);
  return r.query;
}

function row(id: string, over: Partial<HubInstanceRow> = {}): HubInstanceRow {
  return { instanceId: id, name: 'Orch', runtimeStatus: 'Running', createdTime: '2026-03-01T10:00:00Z', lastUpdatedTime: '2026-03-01T10:05:00Z', completedTime: null, customStatus: null, isEntity: false, ...over };
}

describe('hub filter', () => {
  it('picks the preset nearest to the tree time window (0 = all time)', () => {
    assert.equal(presetForDays(0), 'all');
    assert.equal(presetForDays(Number.NaN), 'all');
    assert.equal(presetForDays(0.04), 'hour');
    assert.equal(presetForDays(1), 'day');
    assert.equal(presetForDays(7), 'week');
    assert.equal(presetForDays(3), 'week');
    assert.equal(presetForDays(30), 'month');
    assert.equal(presetForDays(365), 'month');
    assert.deepEqual(defaultFilter({ timeWindowDays: 1, showEntities: true }), { range: 'day', from: '', to: '', statuses: [], name: '', idPrefix: '', includeEntities: true });
  });

  it('resolves a preset to a concrete createdAfter once, with no upper bound', () => {
    assert.deepEqual(resolved(filter({ range: 'hour' })), {
      createdAfter: new Date(NOW - 3_600_000).toISOString(),
      createdBefore: null,
      statuses: [],
      name: null,
      instanceIdPrefix: null,
      includeEntities: false,
    });
    assert.equal(resolved(filter({ range: 'month' })).createdAfter, new Date(NOW - 30 * 86_400_000).toISOString());
    const all = resolved(filter({ range: 'all', includeEntities: true }));
    assert.equal(all.createdAfter, null);
    assert.equal(all.createdBefore, null);
    assert.equal(all.includeEntities, true);
  });

  it('puts statuses in canonical order, trims the name and prefix, and leaves empty ones out', () => {
    const q = resolved(filter({ statuses: ['Suspended', 'Running', 'Running'], name: '  Approval ', idPrefix: ' order-' }));
    assert.deepEqual(q.statuses, ['Running', 'Suspended']);
    assert.equal(q.name, 'Approval');
    assert.equal(q.instanceIdPrefix, 'order-');
    const blank = resolved(filter({ name: '   ', idPrefix: '' }));
    assert.equal(blank.name, null);
    assert.equal(blank.instanceIdPrefix, null);
  });

  it('reads custom ranges in local time and checks from ≤ to and real dates', () => {
    const from = new Date(2026, 1, 3, 8, 30).getTime();
    const to = new Date(2026, 1, 4, 18, 0).getTime();
    assert.equal(parseLocalDateTime('2026-02-03T08:30'), from);
    assert.equal(parseLocalDateTime(toLocalDateTime(to)), to);
    assert.equal(parseLocalDateTime('2026-02-03T08:30:15'), new Date(2026, 1, 3, 8, 30, 15).getTime());
    assert.equal(parseLocalDateTime('2026-02-30T08:30'), null, '30 February');
    assert.equal(parseLocalDateTime('yesterday'), null);
    const q = resolved(filter({ range: 'custom', from: '2026-02-03T08:30', to: '2026-02-04T18:00' }));
    assert.equal(q.createdAfter, new Date(from).toISOString());
    assert.equal(q.createdBefore, new Date(to).toISOString());
    const open = resolved(filter({ range: 'custom', from: '', to: '2026-02-04T18:00' }));
    assert.equal(open.createdAfter, null);
    assert.deepEqual(resolveFilter(filter({ range: 'custom', from: '2026-02-05T00:00', to: '2026-02-04T18:00' }), NOW), { ok: false, field: 'to', problem: 'The end of the range is before its start.' });
    const bad = resolveFilter(filter({ range: 'custom', from: '2026-13-01T00:00' }), NOW);
    assert.equal(bad.ok === false && bad.field, 'from');
    // Equal ends are a valid (one-instant) range.
    assert.ok(resolveFilter(filter({ range: 'custom', from: '2026-02-04T18:00', to: '2026-02-04T18:00' }), NOW).ok);
  });

  it('refuses names and prefixes longer than the protocol allows, with a sentence', () => {
    const r = resolveFilter(filter({ name: 'x'.repeat(257) }), NOW);
    assert.equal(r.ok === false && r.field, 'name');
    const p = resolveFilter(filter({ idPrefix: 'x'.repeat(1025) }), NOW);
    assert.equal(p.ok === false && p.field, 'idPrefix');
  });

  it('toggles statuses keeping the canonical order', () => {
    assert.deepEqual(toggleStatus(['Failed'], 'Running'), ['Running', 'Failed']);
    assert.deepEqual(toggleStatus(['Running', 'Failed'], 'Running'), ['Failed']);
  });

  it('purges by filter only over finished statuses, and says when it changed the filter', () => {
    const base = resolved(filter());
    const none = purgeQuery(base);
    assert.deepEqual(none.query.statuses, [...TERMINAL_STATUSES]);
    assert.match(none.note ?? '', /every status/);
    const active = purgeQuery({ ...base, statuses: ['Running', 'Failed'] });
    // Never widened: the finished statuses chosen are kept, the active ones dropped.
    assert.deepEqual(active.query.statuses, ['Failed']);
    assert.match(active.note ?? '', /\(Running, Failed\) is narrowed to Failed/);
    const activeOnly = purgeQuery({ ...base, statuses: ['Running', 'Pending'] });
    assert.deepEqual(activeOnly.query.statuses, [...TERMINAL_STATUSES]);
    const fine = purgeQuery({ ...base, statuses: ['Failed', 'Terminated'] });
    assert.equal(fine.note, null);
    assert.deepEqual(fine.query.statuses, ['Failed', 'Terminated']);
    // The rest of the query is untouched.
    assert.equal(active.query.createdAfter, base.createdAfter);
  });

  it('adds up the matching count from counts per status', () => {
    const counts = { Running: 3, Failed: 4, Completed: 10 };
    assert.equal(matchingCount(counts, [], 17), 17);
    assert.equal(matchingCount(counts, ['Failed', 'Suspended'], 17), 4);
    assert.equal(matchingCount(counts, ['Running', 'Failed'], 17), 7);
  });

  it('describes a query in one line', () => {
    const text = describeQuery({ ...resolved(filter({ statuses: ['Failed'], name: 'Approval' })) }, (iso) => iso.slice(0, 10));
    assert.equal(text, 'created after 2026-02-22 · Failed · name Approval · orchestrations only');
  });

  it('restores a saved filter field by field from untrusted state', () => {
    const defaults = filter();
    for (const junk of [null, undefined, 42, 'x', [], { __proto__: { range: 'hour' } }]) {
      assert.deepEqual(restoreFilter(junk, defaults), defaults);
    }
    const restored = restoreFilter(
      {
        range: 'decade',
        from: '<script>',
        to: '2026-02-04T18:00',
        statuses: ['Failed', 'Zombie', '__proto__', 7, 'Running', 'Failed'],
        name: 'x'.repeat(300),
        idPrefix: 'order-',
        includeEntities: 'yes',
        extra: true,
      },
      defaults,
    );
    assert.deepEqual(restored, { ...defaults, to: '2026-02-04T18:00', statuses: ['Running', 'Failed'], idPrefix: 'order-' });
    const good = filter({ range: 'custom', from: '2026-02-03T08:30', to: '', statuses: ['Suspended'], name: 'A', idPrefix: 'b', includeEntities: true });
    assert.deepEqual(restoreFilter(JSON.parse(JSON.stringify(good)), defaults), good);
    assert.ok(!('extra' in restored));
  });

  it('restores the page UI (tab, filter, stuck threshold) with defaults for anything wrong', () => {
    assert.deepEqual(restoreHubUi(undefined, SETTINGS), { tab: 'instances', filter: defaultFilter(SETTINGS), stuckThreshold: 30 });
    const ui = restoreHubUi({ tab: 'stuck', filter: { range: 'hour' }, stuckThreshold: 90 }, SETTINGS);
    assert.equal(ui.tab, 'stuck');
    assert.equal(ui.filter.range, 'hour');
    assert.equal(ui.stuckThreshold, 90);
    for (const stuckThreshold of [0, 1.5, -3, '60', 10_000_000]) {
      assert.equal(restoreHubUi({ tab: 'elsewhere', stuckThreshold }, SETTINGS).stuckThreshold, 30);
    }
    assert.equal(restoreHubUi({ tab: 'elsewhere' }, SETTINGS).tab, 'instances');
    assert.equal(restoreHubUi(undefined, { ...SETTINGS, stuckThresholdMinutes: 0 }).stuckThreshold, 60);
  });
});

describe('hub list model', () => {
  it('dedupes rows by instance id across pages, updating a row that moved', () => {
    const m = new HubListModel();
    assert.equal(m.append([row('a'), row('b')]), 2);
    assert.equal(m.append([row('b', { runtimeStatus: 'Completed' }), row('c')]), 1);
    assert.equal(m.count, 3);
    assert.deepEqual([0, 1, 2].map((p) => m.at(p).instanceId), ['a', 'b', 'c']);
    assert.equal(m.at(1).runtimeStatus, 'Completed');
    assert.equal(m.positionOf('c'), 2);
    assert.equal(m.positionOf('zzz'), -1);
  });

  it('selects with plain clicks and shift-click ranges (in view order)', () => {
    const m = new HubListModel();
    m.append(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => row(id)));
    m.click(1, false);
    m.click(4, true);
    assert.deepEqual(m.selectedIds(), ['b', 'c', 'd', 'e']);
    assert.equal(m.headerState(), 'some');
    // A shift-click on a selected row clears the range from the anchor (e) to it.
    m.click(2, true);
    assert.deepEqual(m.selectedIds(), ['b']);
    // Shift without an anchor that is still loaded acts like a plain click.
    m.click(6, false);
    m.click(6, false);
    m.replace(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => row(id)));
    m.click(0, true);
    assert.deepEqual(m.selectedIds(), ['a', 'b']);
    m.selectAll(true);
    assert.equal(m.headerState(), 'all');
    assert.equal(m.selectedCount, 6);
    m.selectAll(false);
    assert.equal(m.headerState(), 'none');
  });

  it('keeps the selection of ids still present when the list is read again', () => {
    const m = new HubListModel();
    m.append([row('a'), row('b'), row('c')]);
    m.selectAll(true);
    m.replace([row('b'), row('c'), row('d')]);
    assert.deepEqual(m.selectedIds(), ['b', 'c']);
    assert.equal(m.isSelectedId('a'), false);
  });

  it('sorts by any column, unknown values last, stable, and back to server order', () => {
    const m = new HubListModel();
    m.append([
      row('i-10', { name: 'beta', createdTime: '2026-03-01T10:00:00Z' }),
      row('i-9', { name: 'Alpha', createdTime: null }),
      row('i-2', { name: 'alpha', createdTime: '2026-03-01T09:00:00Z' }),
      row('i-1', { name: 'gamma', createdTime: '2026-03-01T11:00:00Z' }),
    ]);
    const ids = (): string[] => Array.from({ length: m.count }, (_, p) => m.at(p).instanceId);
    m.toggleSort('createdTime');
    assert.deepEqual(ids(), ['i-2', 'i-10', 'i-1', 'i-9']);
    assert.deepEqual(m.toggleSort('createdTime'), { key: 'createdTime', dir: 'desc' });
    assert.deepEqual(ids(), ['i-1', 'i-10', 'i-2', 'i-9'], 'missing dates stay last when descending');
    m.toggleSort('instanceId');
    assert.deepEqual(ids(), ['i-1', 'i-2', 'i-9', 'i-10'], 'numeric-aware');
    m.toggleSort('name');
    assert.deepEqual(ids(), ['i-9', 'i-2', 'i-10', 'i-1'], 'case-insensitive, ties in server order');
    assert.equal(m.positionOf('i-1'), 3);
    m.click(0, false);
    m.click(1, true);
    assert.deepEqual(m.selectedIds(), ['i-9', 'i-2']);
    m.setSort(null);
    assert.deepEqual(ids(), ['i-10', 'i-9', 'i-2', 'i-1']);
  });

  it('computes durations: completed − created when finished, now − created otherwise', () => {
    const now = Date.parse('2026-03-01T10:10:00Z');
    assert.equal(rowDurationMs(row('a'), now), 600_000);
    assert.equal(rowDurationMs(row('b', { runtimeStatus: 'Completed', completedTime: '2026-03-01T10:00:01.5Z' }), now), 1_500);
    assert.equal(rowDurationMs(row('c', { runtimeStatus: 'Failed', completedTime: null, lastUpdatedTime: '2026-03-01T10:02:00Z' }), now), 120_000);
    assert.ok(Number.isNaN(rowDurationMs(row('d', { createdTime: null }), now)));
    const m = new HubListModel();
    m.append([row('slow', { createdTime: '2026-03-01T09:00:00Z' }), row('fast', { runtimeStatus: 'Completed', completedTime: '2026-03-01T10:00:01Z' })]);
    m.setSort({ key: 'duration', dir: 'asc' }, now);
    assert.equal(m.at(0).instanceId, 'fast');
  });

  it('holds 50,000 rows arriving in pages, and sorts and selects them quickly', () => {
    const m = new HubListModel();
    const t0 = Date.now();
    for (let page = 0; page < 50; page++) {
      const rows = Array.from({ length: 1000 }, (_, k) => {
        const i = page * 1000 + k;
        return row(`inst-${(i * 7919) % 50_000}`, { createdTime: new Date(NOW - i * 1000).toISOString(), runtimeStatus: i % 3 ? 'Completed' : 'Running' });
      });
      // Each page repeats one row of the page before (it moved while paging).
      m.append(page > 0 ? [...rows, row(`inst-${((page * 1000 - 1) * 7919) % 50_000}`)] : rows);
    }
    assert.equal(m.count, 50_000);
    m.setSort({ key: 'createdTime', dir: 'asc' });
    assert.ok(Date.parse(m.at(0).createdTime ?? '') < Date.parse(m.at(49_999).createdTime ?? ''));
    m.click(10, false);
    m.click(40_010, true);
    assert.equal(m.selectedCount, 40_001);
    assert.equal(m.selectedIds().length, 40_001);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });
});

describe('bulk run model', () => {
  const progress = (done: number, total: number | null, items: BulkProgress['items'], operationId = 'op-1'): BulkProgress => ({ operationId, done, total, items });

  it('accumulates progress items of its own operation only', () => {
    const run = new BulkRun('op-1', 'terminate', 5);
    assert.equal(run.fraction(), 0);
    assert.equal(run.apply(progress(2, 5, [{ instanceId: 'a', outcome: 'succeeded', message: '' }, { instanceId: 'b', outcome: 'failed', message: 'boom' }])), true);
    assert.equal(run.apply(progress(5, 5, [{ instanceId: 'x', outcome: 'failed', message: '' }], 'other-op')), false);
    run.apply(progress(3, 5, [{ instanceId: 'c', outcome: 'skipped', message: 'Already Completed.' }]));
    assert.deepEqual(run.counts, { succeeded: 1, failed: 1, skipped: 1 });
    assert.equal(run.fraction(), 0.6);
    assert.equal(run.progressText(), '3 of 5');
    assert.deepEqual(run.visible('failed'), [1]);
    assert.deepEqual(run.visible('all'), [0, 1, 2]);
    // Reported again (retried): the last outcome counts, once.
    run.apply(progress(3, 5, [{ instanceId: 'b', outcome: 'succeeded', message: '' }]));
    assert.deepEqual(run.counts, { succeeded: 2, failed: 0, skipped: 1 });
    assert.deepEqual(run.visible('failed'), []);
    assert.deepEqual(run.visible('succeeded'), [0, 1]);
    // An older notification does not move the bar back.
    run.apply(progress(1, 5, []));
    assert.equal(run.done, 3);
  });

  it('has an indeterminate bar without a total, and a full one once finished', () => {
    const run = new BulkRun('op-1', 'purge', null);
    run.apply(progress(40, null, []));
    assert.equal(run.fraction(), null);
    assert.equal(run.progressText(), '40 done');
    run.apply(progress(60, 50, []));
    assert.equal(run.fraction(), 1, 'clamped when more matched than counted');
    run.finish({ operationId: 'op-1', action: 'purge', total: 60, succeeded: 58, failed: 1, skipped: 1, cancelled: false, message: 'Purged 58.' });
    assert.equal(run.finished, true);
    assert.equal(run.fraction(), 1);
    assert.equal(run.apply(progress(61, 61, [{ instanceId: 'late', outcome: 'succeeded', message: '' }])), false);
  });

  it('keeps 10,000 results cheap to filter', () => {
    const run = new BulkRun('op-1', 'terminate', 10_000);
    for (let batch = 0; batch < 100; batch++) {
      run.apply(progress((batch + 1) * 100, 10_000, Array.from({ length: 100 }, (_, k) => ({ instanceId: `i-${batch * 100 + k}`, outcome: k % 10 === 0 ? 'failed' : k % 10 === 1 ? 'skipped' : 'succeeded', message: '' }))));
    }
    assert.equal(run.items.length, 10_000);
    assert.deepEqual(run.counts, { succeeded: 8000, failed: 1000, skipped: 1000 });
    assert.equal(run.visible('failed').length, 1000);
    assert.equal(run.items[run.visible('skipped')[0]].instanceId, 'i-1');
  });

  it('names the confirm button after the action and the count', () => {
    assert.equal(confirmLabel('terminate', 'ids', 50), 'Terminate 50 instances');
    assert.equal(confirmLabel('terminate', 'ids', 1), 'Terminate 1 instance');
    assert.equal(confirmLabel('purge', 'filter', 1234), 'Purge all 1,234 matching instances');
    assert.equal(confirmLabel('purge', 'filter', 1), 'Purge the 1 matching instance');
    assert.equal(confirmLabel('resume', 'filter', null), 'Resume all matching instances');
    assert.equal(confirmLabel('raiseEvent', 'ids', 3), 'Raise event on 3 instances');
  });

  it('summarizes outcomes, always naming all three', () => {
    assert.equal(outcomeLine({ succeeded: 48, failed: 1, skipped: 0 }), '48 succeeded, 1 failed, 0 skipped');
    assert.equal(outcomeLine({ succeeded: 1200, failed: 0, skipped: 0 }), '1,200 succeeded, 0 failed, 0 skipped');
  });
});

describe('hub text helpers', () => {
  it('shows control, bidi and zero-width characters as visible escapes, and nothing else changes', () => {
    assert.equal(visibleText('evil\u202Egnp.exe'), 'evil\\u202Egnp.exe');
    assert.equal(visibleText('a\nb\tc\r'), 'a\\nb\\tc\\r');
    assert.equal(visibleText('x\u0000\u200B\u2066y\uFEFF'), 'x\\u0000\\u200B\\u2066y\\uFEFF');
    for (const plain of ['order-42', 'שלום-עולם', '注文-1', '<img src=x onerror=alert(1)>', 'emoji-🚀']) {
      assert.equal(visibleText(plain), plain);
      assert.equal(hasInvisible(plain), false);
    }
    assert.equal(hasInvisible('a\u200Fb'), true);
    assert.equal(hasInvisible('a\u200Fb'), true, 'no regex state left behind');
  });

  it('previews custom status on one line, cut at a length', () => {
    assert.equal(oneLine('{\n  "a": 1\n}'), '{   "a": 1 }');
    assert.equal(oneLine('x'.repeat(400), 10), `${'x'.repeat(10)}…`);
  });

  it('formats durations and ages the way the page shows them', () => {
    assert.equal(formatHubDuration(350), '350 ms');
    assert.equal(formatHubDuration(1234), '1.2 s');
    assert.equal(formatHubDuration(42_500), '42 s');
    assert.equal(formatHubDuration(184_000), '3 min 4 s');
    assert.equal(formatHubDuration(180_000), '3 min');
    assert.equal(formatHubDuration((5 * 60 + 12) * 60_000), '5 h 12 min');
    assert.equal(formatHubDuration((2 * 24 + 3) * 3_600_000), '2 d 3 h');
    assert.equal(formatHubDuration(-1), '');
    assert.equal(formatHubDuration(Number.NaN), '');
    assert.equal(formatAge(3 * 3_600_000 + 5), '3 h ago');
    assert.equal(formatAge(2000), 'just now');
    assert.equal(formatAge(5 * 60_000), '5 min ago');
    assert.equal(formatAge(50 * 3_600_000), '2 d ago');
    assert.equal(formatAge(-3_600_000), 'in the future');
    assert.equal(plural(1234, 'instance'), '1,234 instances');
  });
});

describe('hub protocol schemas against what the page sends', () => {
  const query = (): HubQuery => resolved(filter({ statuses: ['Failed', 'Suspended'], name: 'Approval', idPrefix: 'order-', includeEntities: true }));
  const accepts = (type: { params: (v: unknown, p: string) => unknown }, params: unknown): void => {
    assert.deepEqual(type.params(params, 'params'), params);
  };
  const rejects = (type: { params: (v: unknown, p: string) => unknown }, params: unknown, pattern: RegExp): void => {
    assert.throws(() => type.params(params, 'params'), (e: unknown) => e instanceof ProtocolError && pattern.test(e.message));
  };

  it('keeps the page statuses equal to core RUNTIME_STATUSES', () => {
    assert.deepEqual([...HUB_RUNTIME_STATUSES], [...RUNTIME_STATUSES]);
  });

  it('accepts every request the page sends', () => {
    const q = query();
    accepts(HubRequests.instances, { query: q, continuationToken: null, pageSize: 100 });
    accepts(HubRequests.instances, { query: resolved(filter({ range: 'all' })), continuationToken: 'token', pageSize: 1000 });
    accepts(HubRequests.counts, { query: { ...q, statuses: [] } });
    accepts(HubRequests.counts, { query: purgeQuery(q).query });
    accepts(HubRequests.loadAll, { query: q, limit: 50_000 });
    accepts(HubRequests.stuck, { thresholdMinutes: 60 });
    const operationId = '0d8f6d6e-4b0c-4a8e-9a7e-3c2a1b0f9e8d';
    accepts(HubRequests.bulk, { operationId, action: { action: 'terminate', reason: null }, target: { kind: 'ids', ids: ['a', 'b'] } });
    accepts(HubRequests.bulk, { operationId, action: { action: 'suspend', reason: 'maintenance' }, target: { kind: 'filter', query: q } });
    accepts(HubRequests.bulk, { operationId, action: { action: 'raiseEvent', eventName: 'Approval', eventData: '{"ok":true}' }, target: { kind: 'ids', ids: ['a'] } });
    accepts(HubRequests.bulk, { operationId, action: { action: 'raiseEvent', eventName: 'Ping', eventData: '' }, target: { kind: 'ids', ids: ['a'] } });
    accepts(HubRequests.bulk, { operationId, action: { action: 'purge' }, target: { kind: 'filter', query: purgeQuery(q).query } });
    accepts(HubRequests.bulk, { operationId, action: { action: 'rewind', reason: null }, target: { kind: 'ids', ids: Array.from({ length: BULK_MAX_IDS }, (_, i) => `i-${i}`) } });
    accepts(HubRequests.cancelBulk, { operationId });
    accepts(HubRequests.openInstance, { instanceId: 'evil\u202Egnp.exe' });
    accepts(HubRequests.copyIds, { ids: ['a', 'b'] });
    const message = parsePageMessage(HUB_PROTOCOL, { type: 'request', id: 3, method: 'hub/counts', params: { query: q } });
    assert.equal(message.type === 'request' && message.method, 'hub/counts');
  });

  it('rejects unknown statuses, unknown keys, oversized arrays and bad values', () => {
    const q = query();
    rejects(HubRequests.counts, { query: { ...q, statuses: ['Zombie'] } }, /statuses\[0\]: expected one of/);
    rejects(HubRequests.counts, { query: { ...q, statuses: [...HUB_RUNTIME_STATUSES, 'Running'] } }, /at most 8 items/);
    rejects(HubRequests.counts, { query: { ...q, sortBy: 'name' } }, /sortBy: unexpected property/);
    rejects(HubRequests.counts, { query: q, extra: 1 }, /extra: unexpected property/);
    rejects(HubRequests.instances, { query: q, continuationToken: null, pageSize: 5000 }, /pageSize/);
    rejects(HubRequests.instances, { query: { ...q, name: '' }, continuationToken: null }, /name: expected 1–256 characters/);
    rejects(HubRequests.loadAll, { query: q, limit: 50_001 }, /limit/);
    rejects(HubRequests.stuck, { thresholdMinutes: 0 }, /thresholdMinutes/);
    rejects(HubRequests.bulk, { operationId: '', action: { action: 'purge' }, target: { kind: 'ids', ids: ['a'] } }, /operationId/);
    rejects(HubRequests.bulk, { operationId: 'op', action: { action: 'delete' }, target: { kind: 'ids', ids: ['a'] } }, /action: expected one of/);
    rejects(HubRequests.bulk, { operationId: 'op', action: { action: 'purge', reason: 'x' }, target: { kind: 'ids', ids: ['a'] } }, /reason: unexpected property/);
    rejects(HubRequests.bulk, { operationId: 'op', action: { action: 'raiseEvent', eventName: '', eventData: '' }, target: { kind: 'ids', ids: ['a'] } }, /eventName/);
    rejects(HubRequests.bulk, { operationId: 'op', action: { action: 'purge' }, target: { kind: 'ids', ids: Array.from({ length: BULK_MAX_IDS + 1 }, (_, i) => `i-${i}`) } }, /at most 10000 items/);
    rejects(HubRequests.bulk, { operationId: 'op', action: { action: 'purge' }, target: { kind: 'everything' } }, /kind: expected one of/);
    rejects(HubRequests.copyIds, { ids: [''] }, /ids\[0\]/);
    assert.throws(() => hubQuerySchema({ ...q, includeEntities: 'yes' }, 'query'), /includeEntities: expected a boolean/);
    assert.throws(() => parsePageMessage(HUB_PROTOCOL, { type: 'request', id: 3, method: 'instance/status', params: {} }), /not a hub request/);
  });

  it('shortens queue names to what tells them apart', () => {
    assert.equal(shortQueueName('samplehub-control-03'), 'control-03');
    assert.equal(shortQueueName('my-hub-workitems'), 'workitems');
    assert.equal(shortQueueName('odd-queue'), 'odd-queue');
  });
});
