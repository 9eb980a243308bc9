// The Stuck tab: Running or Pending instances not updated for a threshold, with the message count
// of the control queue each one depends on, and the depth of every queue. An instance that is
// stuck while its queue holds messages points at a function app that is not running; one whose
// queue is empty is waiting for something that never came. Rows take the same bulk actions (by id).
import type { HubStuckResult, StuckRow } from '../../shared/protocol/hub';
import { HubRequests } from '../../shared/protocol/hub';
import { append, button, clear, h, icon } from '../dom';
import { formatTimestamp } from '../instance/format';
import { STUCK_MAX, STUCK_MIN, isStuckThreshold } from '../model/hubFilter';
import { formatAge, formatCount, plural, shortQueueName, visibleText } from '../model/hubFormat';
import { HubListModel } from '../model/hubListModel';
import { BulkToolbar } from './bulkToolbar';
import { commonColumns, modelSelection, modelSort, shortTime } from './cells';
import { VirtualTable } from './table';
import type { TabContext } from './types';

export class StuckTab {
  readonly element: HTMLElement;
  private readonly model = new HubListModel<StuckRow>();
  private readonly table: VirtualTable<StuckRow>;
  private readonly toolbar: BulkToolbar;
  private readonly input: HTMLInputElement;
  private readonly problem = h('div', { class: 'field-problem', attrs: { id: 'stuck-threshold-problem', 'aria-live': 'polite' } });
  private readonly summary = h('div', { class: 'stuck-summary list-summary', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly queues = h('section', { class: 'queue-depths', attrs: { 'aria-label': 'Queue depths' } });
  private result: HubStuckResult | null = null;
  private depthByQueue = new Map<string, number | null>();
  private run = 0;
  private loading = false;
  private error: string | null = null;
  private searched = false;

  constructor(
    private readonly ctx: TabContext,
    private thresholdMinutes: number,
  ) {
    const model = this.model;
    const c = commonColumns<StuckRow>((id) => ctx.openInstance(id));
    this.table = new VirtualTable<StuckRow>({
      className: 'stuck-table',
      rowClass: 'stuck-row',
      label: 'Stuck instances',
      columns: [
        c.id,
        c.name,
        c.status,
        {
          id: 'updated',
          label: 'Last updated',
          sortKey: 'lastUpdatedTime',
          render: (r) => h('span', { class: 'age', text: r.lastUpdatedTime ? formatAge(Date.now() - Date.parse(r.lastUpdatedTime)) : '' }),
          title: (r) => (r.lastUpdatedTime ? `${shortTime(r.lastUpdatedTime)} (${r.lastUpdatedTime})` : undefined),
        },
        { id: 'queue', label: 'Control queue', render: (r) => h('span', { class: 'mono', text: visibleText(shortQueueName(r.controlQueue)) }), title: (r) => r.controlQueue },
        { id: 'messages', label: 'Queue messages', render: (r) => this.depthCell(r.controlQueue) },
      ],
      selection: modelSelection(model, () => this.toolbar.update()),
      sort: modelSort(model, () => !!this.result && !this.result.truncated, () => this.showRows()),
      activate: (row) => ctx.openInstance(row.instanceId),
      empty: () => (this.loading ? 'Looking for stuck instances…' : this.error ? 'The search failed.' : this.searched ? 'No stuck instances: every Running or Pending instance was updated within the threshold.' : 'Press Find to look for stuck instances.'),
    });
    this.toolbar = new BulkToolbar(
      ctx.bulk,
      {
        selectedIds: () => model.selectedIds(),
        selectedCount: () => model.selectedCount,
        clearSelection: () => {
          model.clearSelection();
          this.table.refreshSelection();
          this.toolbar.update();
        },
      },
      (ids) => ctx.copyIds(ids),
    );
    this.input = h('input', {
      class: 'input threshold-input',
      attrs: { id: 'stuck-threshold', type: 'number', min: STUCK_MIN, max: STUCK_MAX, step: 1, value: thresholdMinutes, 'aria-describedby': 'stuck-threshold-problem' },
      on: { input: () => this.readThreshold() },
    });
    const form = h(
      'form',
      {
        class: 'stuck-form',
        attrs: { 'aria-label': 'Find stuck instances', novalidate: true },
        on: {
          submit: (e) => {
            e.preventDefault();
            void this.find();
          },
        },
      },
      h('label', { attrs: { for: 'stuck-threshold' }, text: 'Running or Pending, not updated for' }),
      this.input,
      h('span', { text: 'minutes' }),
      h('button', { class: 'button find-button', attrs: { type: 'submit' } }, icon('search'), h('span', { text: 'Find' })),
    );
    const intro = h('p', {
      class: 'stuck-intro muted',
      text: 'Instances that should be moving but are not. Messages waiting in an instance\u2019s control queue suggest the function app is not processing them; an empty queue suggests the instance waits for an event, a timer or an activity that never came back.',
    });
    this.element = h(
      'div',
      { class: 'stuck-tab' },
      intro,
      form,
      this.problem,
      this.toolbar.element,
      h('div', { class: 'stuck-layout' }, h('div', { class: 'stuck-main' }, this.summary, this.table.element), this.queues),
    );
    this.renderSummary();
  }

  get threshold(): number {
    return this.thresholdMinutes;
  }

  /** The tab became visible: the first time, it looks right away. */
  shown(): void {
    this.table.refresh();
    if (!this.searched && !this.loading) {
      void this.find();
    }
  }

  /** Looks again, if it has looked before. */
  refresh(): void {
    if (this.searched) {
      void this.find();
    }
  }

  bulkChanged(): void {
    this.toolbar.update();
  }

  private readThreshold(): boolean {
    const value = Number(this.input.value);
    const ok = isStuckThreshold(value);
    this.problem.textContent = ok ? '' : `Enter whole minutes from ${STUCK_MIN} to ${formatCount(STUCK_MAX)}.`;
    this.input.classList.toggle('invalid', !ok);
    this.input.setAttribute('aria-invalid', String(!ok));
    if (ok && value !== this.thresholdMinutes) {
      this.thresholdMinutes = value;
      this.ctx.saveState();
    }
    return ok;
  }

  async find(): Promise<void> {
    if (!this.readThreshold()) {
      this.input.focus();
      return;
    }
    const run = ++this.run;
    this.loading = true;
    this.error = null;
    this.renderSummary();
    this.table.refresh();
    try {
      const result = await this.ctx.client.request(HubRequests.stuck, { thresholdMinutes: this.thresholdMinutes });
      if (run !== this.run) {
        return;
      }
      this.result = result;
      this.depthByQueue = new Map(result.queues.map((q) => [q.queue, q.messages]));
      if (result.truncated) {
        this.model.setSort(null);
      }
      this.model.replace(result.rows);
    } catch (e) {
      if (run !== this.run) {
        return;
      }
      this.error = (e as Error).message;
    }
    this.searched = true;
    this.loading = false;
    this.showRows();
    this.renderQueues();
  }

  private depthCell(queue: string): HTMLElement {
    const depth = this.depthByQueue.get(queue);
    if (depth === undefined) {
      return h('span', { class: 'muted', text: '' });
    }
    if (depth === null) {
      return h('span', { class: 'muted', text: 'no queue' });
    }
    return h('span', { class: `depth${depth > 0 ? ' has-messages' : ''}`, text: formatCount(depth) });
  }

  private showRows(): void {
    this.table.setRows(this.model.count, (pos) => this.model.at(pos));
    this.toolbar.update();
    this.renderSummary();
  }

  private renderSummary(): void {
    clear(this.summary);
    const r = this.result;
    if (this.loading) {
      append(this.summary, h('span', { class: 'loading-text' }, icon('loading', 'codicon-modifier-spin'), h('span', { text: 'Looking for stuck instances…' })));
    } else if (this.error) {
      append(this.summary, h('span', { class: 'error-text' }, icon('error'), h('span', { text: ` ${this.error}` })), button('Retry', () => void this.find(), { icon: 'refresh', class: 'secondary small' }));
    } else if (r) {
      append(
        this.summary,
        h('span', { text: r.rows.length === 0 ? 'No stuck instances' : `${plural(r.rows.length, 'instance')} not updated since ${shortTime(r.lastUpdatedBefore)}` }),
        h('span', { class: 'muted', text: ` · read ${formatTimestamp(r.readAt, false).slice(11, 19)}` }),
      );
      if (r.truncated) {
        append(this.summary, h('span', { class: 'warning-text truncated-note' }, icon('warning'), h('span', { text: ` More instances are stuck than are shown: raise the threshold, or act on these first.` })));
      }
    }
  }

  private renderQueues(): void {
    clear(this.queues);
    const r = this.result;
    if (!r) {
      this.queues.hidden = true;
      return;
    }
    this.queues.hidden = false;
    const stuckPerQueue = new Map<string, number>();
    for (const row of r.rows) {
      stuckPerQueue.set(row.controlQueue, (stuckPerQueue.get(row.controlQueue) ?? 0) + 1);
    }
    const rows = r.queues.map((q) =>
      h(
        'tr',
        { class: `queue-depth${q.messages ? ' has-messages' : ''}`, attrs: { 'data-queue': q.queue } },
        h('td', { class: 'mono queue-name', title: q.queue, text: visibleText(shortQueueName(q.queue)) }),
        h('td', { class: 'num', text: q.messages === null ? 'missing' : formatCount(q.messages) }),
        h('td', { class: 'num muted', text: stuckPerQueue.has(q.queue) ? formatCount(stuckPerQueue.get(q.queue) ?? 0) : '' }),
      ),
    );
    append(
      this.queues,
      h('div', { class: 'section-title', text: 'Queue depths' }),
      h(
        'table',
        { class: 'queue-table' },
        h('thead', {}, h('tr', {}, h('th', { attrs: { scope: 'col' }, text: 'Queue' }), h('th', { class: 'num', attrs: { scope: 'col' }, text: 'Messages' }), h('th', { class: 'num', attrs: { scope: 'col' }, text: 'Stuck' }))),
        h('tbody', {}, ...rows),
      ),
      h('p', { class: 'muted small-note', text: 'Approximate counts, as Azure Storage reports them.' }),
    );
  }
}
