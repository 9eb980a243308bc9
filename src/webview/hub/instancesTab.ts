// The Instances tab: filters with status chips and counts, the bulk toolbar, and the virtualized
// list with infinite scroll. Apply resolves the filter into ONE HubQuery used by the list, the
// counts, and bulk actions by filter. Replies to superseded requests are ignored (run counters).
import type { HubCountsResult, HubInstanceRow, HubQuery } from '../../shared/protocol/hub';
import { HubRequests } from '../../shared/protocol/hub';
import { append, button, h, icon } from '../dom';
import type { HubFilterInput } from '../model/hubFilter';
import { matchingCount, resolveFilter } from '../model/hubFilter';
import { formatCount, plural } from '../model/hubFormat';
import type { SortKey } from '../model/hubListModel';
import { HubListModel } from '../model/hubListModel';
import { BulkToolbar } from './bulkToolbar';
import { instanceColumns, modelSelection, modelSort } from './cells';
import { FilterBar } from './filters';
import type { TabContext } from './types';
import { VirtualTable } from './table';

const SORT_LABELS: Record<SortKey, string> = {
  instanceId: 'instance ID',
  name: 'name',
  runtimeStatus: 'status',
  createdTime: 'created',
  lastUpdatedTime: 'last updated',
  duration: 'duration',
  customStatus: 'custom status',
};

export class InstancesTab {
  readonly element: HTMLElement;
  private readonly filterBar: FilterBar;
  private readonly model = new HubListModel();
  private readonly table: VirtualTable<HubInstanceRow>;
  private readonly toolbar: BulkToolbar;
  private readonly summary = h('div', { class: 'list-summary', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly listBar: HTMLElement;
  /** The filter as last applied (what the user typed), and the query it resolved to. */
  private applied: HubFilterInput;
  private query: HubQuery | null = null;
  private token: string | null = null;
  private listRun = 0;
  private loading: 'first' | 'more' | 'all' | null = null;
  /** Every matching row is loaded: the columns may be sorted. */
  private complete = false;
  /** "Load all" found more than this many: sorting needs a narrower filter. */
  private tooMany: number | null = null;
  private listError: string | null = null;
  private counts: HubCountsResult | null = null;

  constructor(
    private readonly ctx: TabContext,
    filter: HubFilterInput,
  ) {
    this.applied = filter;
    this.filterBar = new FilterBar((input) => this.apply(input));
    this.filterBar.set(filter);
    const model = this.model;
    this.table = new VirtualTable<HubInstanceRow>({
      className: 'instances-table',
      rowClass: 'hub-row',
      label: 'Instances',
      columns: instanceColumns((id) => ctx.openInstance(id), () => Date.now()),
      selection: modelSelection(model, () => this.toolbar.update()),
      sort: modelSort(model, () => this.complete, () => this.showRows(true)),
      rowAttrs: (row) => ({ 'data-status': row.runtimeStatus.slice(0, 40) }),
      activate: (row) => ctx.openInstance(row.instanceId),
      nearEnd: () => void this.loadMore(),
      empty: () =>
        this.loading === 'first' ? 'Loading instances…' : this.listError ? 'The instances could not be read.' : this.query ? 'No instances match the filter.' : 'Apply a filter to list instances.',
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
        filterTarget: () => (this.query ? { query: this.query, estimate: this.counts ? matchingCount(this.counts.counts, this.query.statuses, this.counts.total) : null } : null),
      },
      (ids) => ctx.copyIds(ids),
    );
    this.listBar = h('div', { class: 'list-bar' }, this.summary);
    this.element = h('div', { class: 'instances-tab' }, this.filterBar.element, this.toolbar.element, this.listBar, this.table.element);
  }

  /** The filter as applied (kept in the page state). */
  get filter(): HubFilterInput {
    return this.applied;
  }

  /** Applies a filter: resolves its dates now, then reads the counts and the first page. */
  apply(input: HubFilterInput): void {
    const resolved = resolveFilter(input, Date.now());
    if (!resolved.ok) {
      this.filterBar.showProblem(resolved);
      return;
    }
    this.applied = input;
    this.query = resolved.query;
    this.ctx.saveState();
    this.model.clear();
    this.model.clearSelection();
    this.showRows(true);
    this.counts = null;
    void this.loadCounts();
    void this.loadFirst(false);
  }

  /** Reads again with the applied filter (relative ranges move to now); rows stay until the new ones come. */
  refresh(): void {
    const resolved = resolveFilter(this.applied, Date.now());
    if (!resolved.ok) {
      return;
    }
    this.query = resolved.query;
    void this.loadCounts();
    if (this.model.sort && this.complete) {
      void this.loadAll(true);
    } else {
      void this.loadFirst(true);
    }
  }

  /** The tab became visible (its table had no size while hidden). */
  shown(): void {
    this.table.refresh();
  }

  bulkChanged(): void {
    this.toolbar.update();
  }

  private async loadCounts(): Promise<void> {
    const query = this.query;
    if (!query) {
      return;
    }
    this.filterBar.setCounts({ kind: 'loading', previous: this.counts });
    try {
      const result = await this.ctx.counter.chips(query);
      if (result === null) {
        return;
      }
      this.counts = result;
      this.filterBar.setCounts({ kind: 'done', result });
    } catch (e) {
      this.counts = null;
      this.filterBar.setCounts({ kind: 'error', message: (e as Error).message });
    }
    this.toolbar.update();
    this.renderSummary();
  }

  private async loadFirst(keepRows: boolean): Promise<void> {
    const query = this.query;
    if (!query) {
      return;
    }
    const run = ++this.listRun;
    this.loading = 'first';
    this.listError = null;
    this.tooMany = null;
    if (!keepRows) {
      this.complete = false;
    }
    this.renderSummary();
    try {
      const page = await this.ctx.client.request(HubRequests.instances, { query, continuationToken: null, pageSize: this.pageSize() });
      if (run !== this.listRun) {
        return;
      }
      this.token = page.continuationToken;
      this.complete = page.continuationToken === null;
      if (!this.complete) {
        this.model.setSort(null);
      }
      this.model.replace(page.rows);
    } catch (e) {
      if (run !== this.listRun) {
        return;
      }
      this.listError = (e as Error).message;
    }
    this.loading = null;
    this.showRows(!keepRows);
  }

  private async loadMore(): Promise<void> {
    const query = this.query;
    const token = this.token;
    if (!query || !token || this.loading || this.listError) {
      return;
    }
    const run = this.listRun;
    this.loading = 'more';
    this.renderSummary();
    try {
      const page = await this.ctx.client.request(HubRequests.instances, { query, continuationToken: token, pageSize: this.pageSize() });
      if (run !== this.listRun) {
        return;
      }
      this.model.append(page.rows);
      this.token = page.continuationToken;
      this.complete = page.continuationToken === null;
    } catch (e) {
      if (run !== this.listRun) {
        return;
      }
      this.listError = (e as Error).message;
    }
    this.loading = null;
    this.showRows(false);
  }

  /** "Load all and sort": every matching row up to the limit; sortable when that was all of them. */
  private async loadAll(keepSort: boolean): Promise<void> {
    const query = this.query;
    if (!query || (this.loading && this.loading !== 'first')) {
      return;
    }
    const run = ++this.listRun;
    this.loading = 'all';
    this.listError = null;
    this.renderSummary();
    const limit = Math.max(1, Math.min(50_000, this.ctx.settings().loadAllLimit));
    try {
      const result = await this.ctx.client.request(HubRequests.loadAll, { query, limit });
      if (run !== this.listRun) {
        return;
      }
      if (result.complete) {
        this.model.replace(result.rows);
        this.token = null;
        this.complete = true;
        this.tooMany = null;
      } else {
        this.tooMany = result.limit;
        if (keepSort) {
          // It was all before; now there are too many: back to paging in server order.
          this.loading = null;
          this.model.setSort(null);
          void this.loadFirst(true);
          return;
        }
      }
    } catch (e) {
      if (run !== this.listRun) {
        return;
      }
      this.listError = (e as Error).message;
    }
    this.loading = null;
    this.showRows(false);
  }

  /** The setting, within what the protocol accepts. */
  private pageSize(): number {
    const n = Math.round(this.ctx.settings().pageSize);
    return Number.isFinite(n) ? Math.max(1, Math.min(1000, n)) : 100;
  }

  private retry(): void {
    this.listError = null;
    if (this.token) {
      void this.loadMore();
    } else {
      void this.loadFirst(this.model.count > 0);
    }
  }

  private showRows(resetScroll: boolean): void {
    this.table.setRows(this.model.count, (pos) => this.model.at(pos), resetScroll);
    this.toolbar.update();
    this.renderSummary();
  }

  private renderSummary(): void {
    const n = this.model.count;
    const parts: (Node | string)[] = [];
    const matching = this.counts && this.query ? matchingCount(this.counts.counts, this.query.statuses, this.counts.total) : null;
    const spin = (text: string): HTMLElement => h('span', { class: 'loading-text' }, icon('loading', 'codicon-modifier-spin'), h('span', { text }));
    if (this.loading === 'first' && n === 0) {
      parts.push(spin('Loading…'));
    } else if (this.loading === 'first') {
      parts.push(`${plural(n, 'instance')} loaded`, spin(' Refreshing…'));
    } else if (this.loading === 'all') {
      parts.push(spin(`Loading all matching instances (up to ${formatCount(this.ctx.settings().loadAllLimit)})…`));
    } else if (this.complete) {
      const sort = this.model.sort;
      parts.push(n === 0 ? 'No instances match the filter.' : `All ${plural(n, 'instance')} loaded`);
      if (sort && n > 0) {
        parts.push(h('span', { class: 'muted', text: ` · sorted by ${SORT_LABELS[sort.key]}, ${sort.dir === 'asc' ? 'ascending' : 'descending'}` }));
      } else if (n > 1) {
        parts.push(h('span', { class: 'muted', text: ' · click a column header to sort' }));
      }
    } else {
      parts.push(`${plural(n, 'instance')} loaded`);
      if (matching !== null && matching > n) {
        parts.push(h('span', { class: 'muted', text: ` of ${formatCount(matching)}` }));
      }
      parts.push(this.loading ? spin(' Loading more…') : h('span', { class: 'muted', text: this.token ? ' · scroll for more' : '' }));
    }
    if (this.tooMany !== null) {
      parts.push(h('span', { class: 'warning-text too-many' }, icon('warning'), h('span', { text: ` More than ${formatCount(this.tooMany)} instances match: narrow the filter to sort.` })));
    }
    if (this.listError) {
      const message = this.listError;
      parts.push(
        h('span', { class: 'error-text' }, icon('error'), h('span', { text: ` ${message}` })),
        button('Retry', () => this.retry(), { icon: 'refresh', class: 'secondary small' }),
      );
    }
    this.summary.replaceChildren();
    append(this.summary, ...parts);
    const loadAll = !this.complete && this.token !== null && !this.listError;
    this.listBar.replaceChildren();
    append(
      this.listBar,
      this.summary,
      h('span', { class: 'spacer' }),
      loadAll
        ? button('Load all and sort', () => void this.loadAll(false), {
            icon: 'list-ordered',
            class: 'secondary small load-all',
            disabled: this.loading !== null,
            title: `Read every matching instance (up to ${formatCount(this.ctx.settings().loadAllLimit)}), then sort by any column`,
          })
        : null,
    );
  }
}
