// Reading an instance's history into the page: a small first page (asked for with the status, so
// it is drawn soonest), then full pages up to AUTO_LOAD_LIMIT, then "Read the next 10,000" on
// demand. Each page is shown as it arrives (list, timeline, tab title). A newer reading makes an
// older one's answers drop: every reading has a run number, and only the latest run shows.
import type { HistoryPageResult, HistoryRow, InstanceHello } from '../../shared/protocol';
import { InstanceRequests } from '../../shared/protocol';
import { append, button, clear, h } from '../dom';
import { HistoryModelBuilder } from '../model/historyModel';
import type { PageClient } from '../rpc';
import { RequestFailed } from '../rpc';
import { formatCount } from './format';
import type { HistoryList } from './historyList';
import type { TimelineView } from './timelineView';

/** History pages read automatically; beyond this a button reads on. */
const AUTO_LOAD_LIMIT = 50_000;
const HISTORY_PAGE = 1000;
/** The first page is small: it is read, sent and drawn soonest; the rest come in full pages. */
const FIRST_HISTORY_PAGE = 100;

export interface HistoryReaderParts {
  client: PageClient<InstanceHello>;
  list: HistoryList;
  timeline: TimelineView;
  /** The tab whose title counts the events ("History (N)"). */
  tab: HTMLElement;
  /** Where "Read the next 10,000" goes when the automatic reading stopped short. */
  loadMore: HTMLElement;
  /** The list's saved scroll position, restored once after the first reading. */
  savedScroll(): number;
  /** A reading failed: the host's message. */
  error(message: string): void;
}

export class HistoryReader {
  /** The host's reading generation: requests for one event name it. */
  generation = 0;
  /** A reading has ended (complete, stopped at the limit, or failed). */
  loaded = false;
  private run = 0;
  private token: string | null = null;
  private rows: HistoryRow[] = [];
  private model = new HistoryModelBuilder();
  private restoredScroll = false;

  constructor(private readonly parts: HistoryReaderParts) {}

  /** Drops the answers of the reading in progress (it ends quietly). */
  cancel(): void {
    this.run++;
  }

  async load(): Promise<void> {
    const { client, list, timeline, tab } = this.parts;
    const run = ++this.run;
    this.token = null;
    // This reading's own rows and model, shown as they fill.
    const model = new HistoryModelBuilder();
    const rows: HistoryRow[] = [];
    let token: string | null = null;
    let generation: number | undefined;
    let first = true;
    list.resetDetails();
    const show = (loading: string | null): void => {
      this.rows = rows;
      this.model = model;
      list.setItems(model.items, loading);
      timeline.setItems(model.items);
      tab.textContent = `History (${formatCount(rows.length)}${loading ? '…' : ''})`;
      if (!loading && !this.restoredScroll) {
        this.restoredScroll = true;
        list.scrollTop = this.parts.savedScroll();
      }
    };
    try {
      do {
        const pageSize = first ? FIRST_HISTORY_PAGE : HISTORY_PAGE;
        first = false;
        const page: HistoryPageResult = await client.request(InstanceRequests.history, { continuationToken: token, pageSize, ...(generation !== undefined ? { generation } : {}) });
        if (run !== this.run) {
          return;
        }
        generation = page.generation;
        this.generation = page.generation;
        for (const row of page.rows) {
          rows.push(row);
        }
        model.append(page.rows);
        token = page.continuationToken;
        const more = token !== null && rows.length < AUTO_LOAD_LIMIT;
        show(more ? `loading… ${formatCount(rows.length)} read` : null);
        if (!more) {
          break;
        }
      } while (token);
    } catch (e) {
      if (run !== this.run) {
        return;
      }
      if (e instanceof RequestFailed && e.code === 'Stale') {
        // Someone else restarted the reading: it will show its own pages.
        return;
      }
      show(null);
      this.parts.error((e as Error).message);
    }
    this.loaded = true;
    this.token = token;
    this.renderLoadMore();
  }

  private renderLoadMore(): void {
    const { loadMore } = this.parts;
    clear(loadMore);
    if (this.token) {
      const token = this.token;
      append(
        loadMore,
        h('span', { class: 'muted', text: `The first ${formatCount(this.rows.length)} events are shown.` }),
        button('Read the next 10,000', () => void this.readMore(token), { icon: 'arrow-down', class: 'secondary small' }),
      );
    }
  }

  private async readMore(startToken: string): Promise<void> {
    const { client, list, timeline, tab, loadMore } = this.parts;
    let token: string | null = startToken;
    const run = this.run;
    let read = 0;
    clear(loadMore);
    while (token && read < 10_000 && run === this.run) {
      const page: HistoryPageResult = await client.request(InstanceRequests.history, { continuationToken: token, generation: this.generation, pageSize: HISTORY_PAGE });
      if (run !== this.run) {
        return;
      }
      for (const row of page.rows) {
        this.rows.push(row);
      }
      this.model.append(page.rows);
      read += page.rows.length;
      token = page.continuationToken;
    }
    list.setItems(this.model.items, null);
    timeline.setItems(this.model.items);
    tab.textContent = `History (${formatCount(this.rows.length)})`;
    this.token = token;
    this.renderLoadMore();
  }
}
