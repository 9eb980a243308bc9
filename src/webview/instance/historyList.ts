// The history list: a virtualized list (only the rows in view, plus a few, are in the DOM) over
// the whole history as it loads page by page, filterable by event type, in either order. A row
// expands to its event (input, result, failure), loaded from the host when first opened.
import type { JsonValue } from '../../shared/protocol';
import { append, button, clear, h, icon } from '../dom';
import type { HistoryFilter, HistoryItem } from '../model/historyModel';
import { FILTER_CATEGORIES, formatDuration, typeCounts, visibleItems } from '../model/historyModel';
import { RowOffsets } from '../model/virtualWindow';
import { formatCount, formatTimeOfDay, formatTimestamp } from './format';
import { eventValue, jsonTree } from './jsonView';

export const ROW_HEIGHT = 26;
export const DETAILS_HEIGHT = 260;

export interface HistoryListCallbacks {
  loadEvent(index: number): Promise<JsonValue>;
  copyEvent(index: number): void;
  openEvent(index: number): void;
  openInstance(instanceId: string): void;
  stateChanged(): void;
  utc(): boolean;
}

const KIND_ICONS: Record<string, string> = {
  activity: 'symbol-method',
  subOrchestration: 'type-hierarchy-sub',
  timer: 'watch',
  event: 'mail',
  episode: 'sync',
  execution: 'play',
  other: 'circle-small-filled',
};

function typeIcon(item: HistoryItem): string {
  switch (item.row.type) {
    case 'ExecutionCompleted':
      return item.failed ? 'error' : 'pass';
    case 'ExecutionTerminated':
      return 'circle-slash';
    case 'ExecutionSuspended':
      return 'debug-pause';
    case 'ExecutionResumed':
      return 'debug-continue';
    case 'ExecutionRewound':
    case 'ContinueAsNew':
      return 'debug-restart';
    default:
      return item.failed ? 'error' : (KIND_ICONS[item.kind] ?? 'circle-small-filled');
  }
}

export class HistoryList {
  readonly element: HTMLElement;
  private items: HistoryItem[] = [];
  private positionByIndex = new Map<number, number>();
  private shown: number[] = [];
  private offsets = new RowOffsets(0, () => ROW_HEIGHT);
  private readonly expanded = new Set<number>();
  private readonly details = new Map<number, JsonValue | Error>();
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rowsLayer: HTMLElement;
  private readonly filterSelect: HTMLSelectElement;
  private readonly orderButton: HTMLButtonElement;
  private readonly countLabel: HTMLElement;
  private renderedRange = { start: -1, end: -1 };
  private frame = 0;
  private loading: string | null = 'Loading history…';
  private typesKey = '';
  /** Rows of the history are in the DOM. */
  private hasRows = false;

  constructor(
    private readonly callbacks: HistoryListCallbacks,
    public filter: HistoryFilter,
    public order: 'asc' | 'desc',
  ) {
    this.filterSelect = h('select', { class: 'select', attrs: { 'aria-label': 'Filter by event type' }, on: { change: () => this.setFilter(this.filterSelect.value as HistoryFilter) } });
    this.orderButton = button('Oldest first', () => this.setOrder(this.order === 'asc' ? 'desc' : 'asc'), { icon: 'arrow-down', class: 'secondary order-button' });
    this.countLabel = h('span', { class: 'history-count', attrs: { role: 'status' } });
    this.spacer = h('div', { class: 'history-spacer' });
    this.rowsLayer = h('div', { class: 'history-rows', attrs: { role: 'list', 'aria-label': 'History events' } });
    this.scroller = h('div', { class: 'history-scroller', attrs: { tabindex: '0' }, on: { scroll: () => this.schedule() } }, this.spacer, this.rowsLayer);
    const header = h(
      'div',
      { class: 'history-header', attrs: { 'aria-hidden': 'true' } },
      h('span', { class: 'h-time', text: 'Time' }),
      h('span', { class: 'h-type', text: 'Event' }),
      h('span', { class: 'h-name', text: 'Name' }),
      h('span', { class: 'h-dur', text: 'Duration' }),
      h('span', { class: 'h-summary', text: 'Input / result' }),
    );
    this.element = h('section', { class: 'history', attrs: { 'aria-label': 'History' } }, h('div', { class: 'toolbar' }, this.filterSelect, this.orderButton, this.countLabel), header, this.scroller);
    this.updateFilterOptions();
    this.updateOrderButton();
    new ResizeObserver(() => this.schedule(true)).observe(this.scroller);
  }

  /**
   * The history so far; `loading` is the progress text while more pages come, null when done.
   * `items` may be the array given last time, grown at its end (a page appended): only the new
   * items are indexed then.
   */
  setItems(items: HistoryItem[], loading: string | null): void {
    const appended = items === this.items && this.positionByIndex.size <= items.length;
    const firstRows = !this.hasRows && items.length > 0;
    this.items = items;
    this.loading = loading;
    if (appended) {
      for (let p = this.positionByIndex.size; p < items.length; p++) {
        this.positionByIndex.set(items[p].row.i, p);
      }
    } else {
      this.positionByIndex = new Map(items.map((item, p) => [item.row.i, p]));
      for (const i of [...this.expanded]) {
        if (!this.positionByIndex.has(i)) {
          this.expanded.delete(i);
        }
      }
    }
    this.updateFilterOptions();
    this.recompute();
    if (firstRows) {
      // The first rows go into the DOM now, not on the next frame: that frame paints them.
      this.renderNow();
    }
  }

  /** Drops cached event details (the history is being read again). */
  resetDetails(): void {
    this.details.clear();
  }

  setFilter(filter: HistoryFilter): void {
    this.filter = filter;
    this.filterSelect.value = filter;
    this.recompute();
    this.scroller.scrollTop = 0;
    this.callbacks.stateChanged();
  }

  setOrder(order: 'asc' | 'desc'): void {
    this.order = order;
    this.updateOrderButton();
    this.recompute();
    this.scroller.scrollTop = 0;
    this.callbacks.stateChanged();
  }

  get scrollTop(): number {
    return this.scroller.scrollTop;
  }

  set scrollTop(value: number) {
    this.scroller.scrollTop = value;
    this.schedule(true);
  }

  /** Shows event `i` (clearing a filter that hides it) and expands it. */
  reveal(i: number, expand = true): void {
    let k = this.shown.findIndex((p) => this.items[p].row.i === i);
    if (k < 0 && this.filter !== 'all') {
      this.setFilter('all');
      k = this.shown.findIndex((p) => this.items[p].row.i === i);
    }
    if (k < 0) {
      return;
    }
    if (expand && !this.expanded.has(i)) {
      this.toggle(i);
    }
    this.scroller.scrollTop = Math.max(0, this.offsets.top(k) - ROW_HEIGHT * 2);
    this.schedule(true);
    const row = this.rowsLayer.querySelector<HTMLElement>(`[data-index="${i}"] .h-main`);
    row?.focus({ preventScroll: true });
  }

  /** Re-renders the rows in view (e.g. when the time zone changes). */
  refresh(): void {
    this.schedule(true);
  }

  private updateOrderButton(): void {
    const asc = this.order === 'asc';
    clear(this.orderButton);
    append(this.orderButton, icon(asc ? 'arrow-down' : 'arrow-up'), h('span', { text: asc ? 'Oldest first' : 'Newest first' }));
    this.orderButton.title = 'Change the order';
  }

  private updateFilterOptions(): void {
    const counts = typeCounts(this.items);
    const key = counts.map(([t, n]) => `${t}:${n}`).join(',');
    if (key === this.typesKey && this.filterSelect.options.length > 0) {
      return;
    }
    this.typesKey = key;
    const options: HTMLElement[] = FILTER_CATEGORIES.map((c) => h('option', { text: c.label, attrs: { value: c.value } }));
    if (counts.length > 0) {
      options.push(h('optgroup', { attrs: { label: 'Event type' } }, ...counts.map(([type, n]) => h('option', { text: `${type} (${formatCount(n)})`, attrs: { value: `type:${type}` } }))));
    }
    clear(this.filterSelect);
    append(this.filterSelect, ...options);
    // A type filter stays selected while its type is not (yet) in the history.
    if (![...this.filterSelect.querySelectorAll('option')].some((o) => o.value === this.filter)) {
      append(this.filterSelect, h('option', { text: this.filter.replace(/^type:/, ''), attrs: { value: this.filter } }));
    }
    this.filterSelect.value = this.filter;
  }

  private recompute(): void {
    this.shown = visibleItems(this.items, this.filter, this.order);
    this.offsets = new RowOffsets(this.shown.length, (k) => (this.expanded.has(this.items[this.shown[k]].row.i) ? ROW_HEIGHT + DETAILS_HEIGHT : ROW_HEIGHT));
    // Now, not on the next frame: a scroll position set right after must not be clamped to the old height.
    this.spacer.style.height = `${this.offsets.totalHeight}px`;
    const total = formatCount(this.items.length);
    const count = this.shown.length === this.items.length ? `${total} events` : `${formatCount(this.shown.length)} of ${total} events`;
    this.countLabel.textContent = this.loading ? `${count} · ${this.loading}` : count;
    this.schedule(true);
  }

  private schedule(force = false): void {
    if (force) {
      this.renderedRange = { start: -1, end: -1 };
    }
    if (this.frame) {
      return;
    }
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private renderNow(): void {
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    this.render();
  }

  private render(): void {
    const range = this.offsets.window(this.scroller.scrollTop, this.scroller.clientHeight || 600, 8);
    if (range.start === this.renderedRange.start && range.end === this.renderedRange.end) {
      return;
    }
    this.renderedRange = range;
    const focusedIndex = (document.activeElement?.closest('[data-index]') as HTMLElement | null)?.dataset.index;
    const rows: HTMLElement[] = [];
    for (let k = range.start; k < range.end; k++) {
      rows.push(this.row(this.items[this.shown[k]], this.offsets.top(k)));
    }
    this.rowsLayer.replaceChildren(...rows);
    this.hasRows = rows.length > 0;
    if (this.shown.length === 0) {
      this.rowsLayer.appendChild(h('div', { class: 'history-empty', text: this.loading ?? (this.items.length === 0 ? 'No history events.' : 'No events match the filter.') }));
    }
    if (focusedIndex !== undefined) {
      this.rowsLayer.querySelector<HTMLElement>(`[data-index="${focusedIndex}"] .h-main`)?.focus({ preventScroll: true });
    }
  }

  private toggle(i: number): void {
    if (this.expanded.has(i)) {
      this.expanded.delete(i);
    } else {
      this.expanded.add(i);
      if (!this.details.has(i)) {
        void this.callbacks
          .loadEvent(i)
          .then((event) => this.details.set(i, event))
          .catch((e: unknown) => this.details.set(i, e instanceof Error ? e : new Error(String(e))))
          .finally(() => this.schedule(true));
      }
    }
    const top = this.scroller.scrollTop;
    this.recompute();
    this.scroller.scrollTop = top;
    // An expanded row near the bottom scrolls up so its details are in view.
    const k = this.shown.findIndex((p) => this.items[p].row.i === i);
    if (this.expanded.has(i) && k >= 0) {
      const bottom = this.offsets.top(k) + this.offsets.height(k);
      const view = this.scroller.clientHeight;
      if (bottom > top + view) {
        this.scroller.scrollTop = Math.min(this.offsets.top(k), bottom - view);
      }
    }
  }

  private row(item: HistoryItem, top: number): HTMLElement {
    const { row } = item;
    const expanded = this.expanded.has(row.i);
    const utc = this.callbacks.utc();
    const duration = item.durationMs !== undefined ? formatDuration(item.durationMs) : item.outcome === 'pending' ? 'running…' : '';
    const durationTitle =
      item.pairIndex !== undefined && item.durationMs !== undefined
        ? `${row.type.startsWith('Timer') ? 'Created → fired' : 'Scheduled → completed'}: ${formatDuration(item.durationMs)}`
        : item.outcome === 'pending'
          ? 'Not completed yet'
          : undefined;
    const nameText = item.name || (row.type === 'GenericEvent' && row.reason ? row.reason : '');
    const name = h('span', { class: 'h-name', title: nameText || undefined }, nameText);
    if (item.childInstanceId) {
      const child = item.childInstanceId;
      name.appendChild(
        h(
          'button',
          {
            class: 'link-button child-link',
            title: `Open sub-orchestration ${child}`,
            attrs: { type: 'button' },
            on: {
              click: (e) => {
                e.stopPropagation();
                this.callbacks.openInstance(child);
              },
            },
          },
          icon('link-external'),
          h('span', { text: child }),
        ),
      );
    }
    const main = h(
      'div',
      {
        class: 'h-main',
        attrs: { role: 'button', tabindex: '0', 'aria-expanded': String(expanded), 'aria-label': `${row.type} ${item.name} ${formatTimestamp(row.time, utc)}` },
        on: {
          click: () => this.toggle(row.i),
          keydown: (e) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              this.toggle(row.i);
            }
          },
        },
      },
      h('span', { class: 'h-time', text: formatTimeOfDay(row.time, utc), title: formatTimestamp(row.time, utc) }),
      h('span', { class: 'h-type' }, icon(expanded ? 'chevron-down' : 'chevron-right', 'h-chevron'), icon(typeIcon(item), `kind-icon kind-${item.kind}`), h('span', { text: row.type })),
      name,
      h('span', { class: 'h-dur', text: duration, title: durationTitle }),
      h('span', { class: 'h-summary', text: row.summary ?? (row.status ? row.status : ''), title: row.summary }),
    );
    const el = h('div', { class: `h-row kind-${item.kind}${item.failed ? ' failed' : ''}${expanded ? ' expanded' : ''}`, attrs: { role: 'listitem', 'data-index': row.i } }, main);
    el.style.transform = `translateY(${top}px)`;
    if (expanded) {
      el.appendChild(this.detailsOf(item));
    }
    return el;
  }

  private detailsOf(item: HistoryItem): HTMLElement {
    const i = item.row.i;
    const detail = this.details.get(i);
    const tools = h(
      'div',
      { class: 'h-details-tools' },
      button('Copy', () => this.callbacks.copyEvent(i), { icon: 'copy', class: 'secondary small' }),
      button('Open as JSON document', () => this.callbacks.openEvent(i), { icon: 'go-to-file', class: 'secondary small' }),
      item.pairIndex !== undefined
        ? button(item.row.type === 'TaskScheduled' || item.row.type === 'SubOrchestrationInstanceCreated' || item.row.type === 'TimerCreated' ? 'Go to its completion' : 'Go to where it was scheduled', () => this.reveal(item.pairIndex as number), {
            icon: 'arrow-swap',
            class: 'secondary small',
          })
        : null,
    );
    const body =
      detail === undefined
        ? h('div', { class: 'muted', text: 'Loading the event…' })
        : detail instanceof Error
          ? h('div', { class: 'error-text', attrs: { role: 'alert' }, text: detail.message })
          : jsonTree(eventValue(detail), 2);
    return h('div', { class: 'h-details', on: { click: (e) => e.stopPropagation() } }, tools, h('div', { class: 'h-details-body' }, body));
  }
}
