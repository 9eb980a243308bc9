// The bulk action in progress: one at a time, page-wide (either tab starts it; it stays in view on
// both). Sends `hub/bulk` with a fresh operation id, follows its `hub/bulkProgress` notifications
// (progress bar, counts, a virtualized per-instance result table with a filter), offers Cancel,
// and shows the summary when the reply comes; the page then reads its lists again.
import type { BulkItem, BulkProgress, HubBulkAction, HubBulkActionName, HubBulkTarget, HubHello } from '../../shared/protocol/hub';
import { HubRequests } from '../../shared/protocol/hub';
import { append, button, clear, h, icon } from '../dom';
import { formatTimestamp } from '../instance/format';
import type { ResultFilter } from '../model/bulkModel';
import { BULK_ACTION_SPECS, BulkRun, RESULT_FILTERS, outcomeLine } from '../model/bulkModel';
import { formatCount, oneLine, plural } from '../model/hubFormat';
import type { PageClient } from '../rpc';
import type { BulkTargetChoice } from './bulkForm';
import { showBulkForm } from './bulkForm';
import { idLink } from './cells';
import type { Counter } from './counts';
import { VirtualTable } from './table';

export interface BulkHost {
  client: PageClient<HubHello>;
  counter: Counter;
  banner(kind: 'info' | 'error', text: string): void;
  openInstance(instanceId: string): void;
  /** A bulk action ended (done, cancelled or failed): read the lists and counts again. */
  finished(): void;
}

const OUTCOME_ICONS: Record<string, string> = { succeeded: 'pass', failed: 'error', skipped: 'circle-slash' };
const FILTER_LABELS: Record<ResultFilter, string> = { all: 'All', failed: 'Failed', skipped: 'Skipped', succeeded: 'Succeeded' };

export function newOperationId(): string {
  if (typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID();
  }
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export class BulkController {
  readonly panel: HTMLElement;
  readonly dialog: HTMLDialogElement;
  private run: BulkRun | null = null;
  private targetLabel = '';
  private filter: ResultFilter = 'all';
  private visible: readonly number[] = [];
  private frame = 0;
  private readonly listeners: (() => void)[] = [];
  private readonly stateIcon = icon('loading');
  private readonly title = h('strong', { class: 'bulk-title' });
  private readonly cancelButton = button('Cancel', () => void this.cancel(), { icon: 'debug-stop', class: 'secondary small bulk-cancel' });
  private readonly dismissButton = button('Dismiss', () => this.dismiss(), { icon: 'close', class: 'secondary small bulk-dismiss' });
  private readonly head = h('div', { class: 'bulk-head' }, this.stateIcon, this.title, h('span', { class: 'spacer' }), this.cancelButton, this.dismissButton);
  private readonly bar = h('progress', { class: 'bulk-bar', attrs: { max: 1, 'aria-label': 'Bulk action progress' } });
  private readonly barText = h('span', { class: 'bulk-bar-text' });
  private readonly counts = h('div', { class: 'bulk-counts', attrs: { 'aria-live': 'polite' } });
  private readonly summary = h('div', { class: 'bulk-summary', attrs: { role: 'status' } });
  private readonly filters = h('div', { class: 'result-filters', attrs: { role: 'group', 'aria-label': 'Show results' } });
  private readonly results: VirtualTable<BulkItem>;

  constructor(private readonly host: BulkHost) {
    this.dialog = h('dialog', { class: 'bulk-dialog' });
    this.results = new VirtualTable<BulkItem>({
      className: 'results-table',
      rowClass: 'bulk-result',
      label: 'Results per instance',
      rowHeight: 26,
      columns: [
        { id: 'id', label: 'Instance ID', cellClass: 'hub-row-id', render: (item) => idLink(item.instanceId, (id) => this.host.openInstance(id)) },
        {
          id: 'outcome',
          label: 'Outcome',
          render: (item) => h('span', { class: `outcome outcome-${item.outcome}` }, icon(OUTCOME_ICONS[item.outcome] ?? 'question'), h('span', { text: item.outcome })),
        },
        { id: 'message', label: 'Message', render: (item) => oneLine(item.message ?? ''), title: (item) => item.message || undefined },
      ],
      rowAttrs: (item) => ({ 'data-outcome': item.outcome }),
      activate: (item) => this.host.openInstance(item.instanceId),
      empty: () => (this.run && !this.run.finished ? 'Waiting for the first results…' : 'No results to show.'),
    });
    this.panel = h(
      'section',
      { class: 'bulk-panel', attrs: { 'aria-label': 'Bulk action' } },
      this.head,
      h('div', { class: 'bulk-progress' }, this.bar, this.barText),
      this.counts,
      this.summary,
      h('div', { class: 'bulk-results-bar' }, h('span', { class: 'section-title', text: 'Results' }), this.filters),
      this.results.element,
    );
    this.panel.hidden = true;
  }

  get running(): boolean {
    return !!this.run && !this.run.finished;
  }

  /** Called when a bulk action starts or ends (toolbars enable or disable their buttons). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Opens the confirmation form; nothing while another action runs. */
  open(action: HubBulkActionName, choice: BulkTargetChoice): void {
    if (this.running) {
      this.host.banner('info', 'A bulk action is still running: wait for it to finish, or cancel it.');
      return;
    }
    showBulkForm(this.dialog, action, choice, {
      countMatching: (query) => this.host.counter.matching(query),
      formatTime: (iso) => formatTimestamp(iso, false).slice(0, 16),
      submit: (params, target, total) => void this.start(params, target, total),
    });
  }

  progress(p: BulkProgress): void {
    if (this.run?.apply(p)) {
      this.schedule();
    }
  }

  private async start(action: HubBulkAction, target: HubBulkTarget, total: number): Promise<void> {
    if (this.running) {
      return;
    }
    const operationId = newOperationId();
    const run = new BulkRun(operationId, action.action, total);
    this.run = run;
    this.filter = 'all';
    this.targetLabel = target.kind === 'ids' ? plural(target.ids.length, 'selected instance') : `all ${plural(total, 'matching instance')}`;
    this.panel.hidden = false;
    this.render();
    this.changed();
    this.panel.scrollIntoView({ block: 'nearest' });
    try {
      const summary = await this.host.client.request(HubRequests.bulk, { operationId, action, target });
      run.finish(summary);
    } catch (e) {
      const message = (e as Error).message;
      run.fail(message);
      this.host.banner('error', `${BULK_ACTION_SPECS[run.action].label} failed: ${message}`);
    }
    if (this.run === run) {
      this.render();
    }
    this.changed();
    this.host.finished();
  }

  private async cancel(): Promise<void> {
    const run = this.run;
    if (!run || run.finished || run.cancelRequested) {
      return;
    }
    run.cancelRequested = true;
    this.render();
    try {
      const reply = await this.host.client.request(HubRequests.cancelBulk, { operationId: run.operationId });
      if (!reply.cancelled && !run.finished) {
        this.host.banner('info', 'The action could not be cancelled: it had already finished.');
      }
    } catch (e) {
      run.cancelRequested = false;
      this.host.banner('error', `Could not cancel: ${(e as Error).message}`);
      this.render();
    }
  }

  private dismiss(): void {
    if (this.running) {
      return;
    }
    this.run = null;
    this.panel.hidden = true;
    clear(this.summary);
  }

  private changed(): void {
    for (const listener of this.listeners) {
      listener();
    }
  }

  private schedule(): void {
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.render();
      });
    }
  }

  private render(): void {
    const run = this.run;
    if (!run) {
      return;
    }
    const spec = BULK_ACTION_SPECS[run.action];
    const state = run.error ? 'failed' : run.summary ? (run.summary.cancelled ? 'cancelled' : 'done') : run.cancelRequested ? 'cancelling' : 'running';
    this.panel.dataset.state = state;
    // The head's buttons stay the same elements (a focused Cancel keeps its focus through updates).
    const busy = state === 'running' || state === 'cancelling';
    this.stateIcon.className = `codicon codicon-${busy ? 'loading codicon-modifier-spin' : state === 'failed' ? 'error' : state === 'cancelled' ? 'circle-slash' : 'pass-filled'} bulk-state-${state}`;
    this.title.textContent =
      state === 'running' ? `${spec.label}: ${this.targetLabel}` : state === 'cancelling' ? `${spec.label}: cancelling…` : `${spec.label}: ${state === 'failed' ? 'failed' : state === 'cancelled' ? 'cancelled' : 'finished'}`;
    this.cancelButton.hidden = run.finished;
    this.cancelButton.disabled = run.cancelRequested;
    const cancelLabel = this.cancelButton.querySelector('span:last-child');
    if (cancelLabel) {
      cancelLabel.textContent = run.cancelRequested ? 'Cancelling…' : 'Cancel';
    }
    this.dismissButton.hidden = !run.finished;
    const fraction = run.fraction();
    if (fraction === null) {
      this.bar.removeAttribute('value');
    } else {
      this.bar.value = fraction;
    }
    this.bar.setAttribute('aria-valuetext', run.progressText());
    this.barText.textContent = fraction === null || run.summary ? run.progressText() : `${run.progressText()} · ${Math.floor(fraction * 100)}%`;
    this.counts.textContent = outcomeLine(run.counts);
    // Once finished, the summary says it.
    this.counts.hidden = run.summary !== null;
    clear(this.summary);
    this.summary.hidden = !run.finished;
    if (run.summary) {
      // The host's message has the counts (and says if it was cancelled).
      append(this.summary, h('div', { class: 'bulk-summary-message', text: run.summary.message }));
    } else if (run.error) {
      append(this.summary, h('div', { class: 'error-text', text: run.error }), h('div', { class: 'muted', text: `Results so far: ${outcomeLine(run.counts)}` }));
    }
    this.renderFilters(run);
    this.visible = this.filter === 'all' ? [] : run.visible(this.filter);
    const count = this.filter === 'all' ? run.items.length : this.visible.length;
    this.results.setRows(count, this.filter === 'all' ? (pos) => run.items[pos] : (pos) => run.items[this.visible[pos]]);
  }

  private renderFilters(run: BulkRun): void {
    const active = document.activeElement;
    const focused = active instanceof HTMLElement && this.filters.contains(active) ? active.dataset.filter : undefined;
    const buttons = RESULT_FILTERS.map((f) => {
      const n = f === 'all' ? run.items.length : run.counts[f];
      return h(
        'button',
        {
          class: `result-filter${this.filter === f ? ' pressed' : ''}`,
          attrs: { type: 'button', 'data-filter': f, 'aria-pressed': String(this.filter === f) },
          on: {
            click: () => {
              this.filter = f;
              this.render();
            },
          },
        },
        h('span', { text: FILTER_LABELS[f] }),
        h('span', { class: 'count', text: formatCount(n) }),
      );
    });
    this.filters.replaceChildren(...buttons);
    if (focused) {
      this.filters.querySelector<HTMLElement>(`[data-filter="${focused}"]`)?.focus();
    }
  }
}
