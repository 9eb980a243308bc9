// The instance page: actions, reading (status, paged history), refresh and follow, tabs; the header
// (header.ts), value sections (values.ts) and saved UI state (uiState.ts) are its parts.
// Everything shown arrives from the host (src/extension/webviews/instancePanel.ts) through the
// protocol; the page keeps only UI state (setState) and never touches storage.
import type {
  ActionResult,
  InstanceActionParams,
  InstanceHello,
  InstancePageSettings,
  InstancePageState,
  InstanceSnapshot,
  PanelTarget,
  StatusResult,
} from '../../shared/protocol';
import { InstanceRequests } from '../../shared/protocol';
import { append, button, clear, h, icon } from '../dom';
import type { PageClient, VsCodeApi } from '../rpc';
import { ACTION_SPECS, showActionForm } from './actions';
import { formatTimestamp } from './format';
import { HistoryList } from './historyList';
import { HistoryReader } from './historyReader';
import { TimelineView } from './timelineView';
import { renderHeader } from './header';
import type { UiState } from './uiState';
import { readUi } from './uiState';
import { SECTION_TITLES, ValueSections } from './values';


export class InstancePage {
  private target: PanelTarget | undefined;
  private settings: InstancePageSettings = { refreshSeconds: 5, pollTimeoutSeconds: 30 };
  private ui: UiState;
  private snapshot: InstanceSnapshot | undefined;
  private missing: string | undefined;
  private readAt = '';
  private follow: { previousStatus: string | null; executionId: string | null; until: number } | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly history: HistoryList;
  private readonly values: ValueSections;
  private readonly timeline: TimelineView;
  private readonly reader: HistoryReader;

  // Page structure (built once).
  private readonly header = h('header', { class: 'page-header' });
  private readonly actionBar = h('div', { class: 'actions', attrs: { role: 'toolbar', 'aria-label': 'Actions' } });
  private readonly form = h('div', { class: 'action-form' });
  private readonly banner = h('div', { class: 'banner', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly tabs = h('div', { class: 'tabs', attrs: { role: 'tablist' } });
  private readonly historyTab = h('button', { class: 'tab', attrs: { role: 'tab', id: 'tab-history', type: 'button', 'aria-controls': 'panel-history' } });
  private readonly timelineTab = h('button', { class: 'tab', attrs: { role: 'tab', id: 'tab-timeline', type: 'button', 'aria-controls': 'panel-timeline' }, text: 'Timeline' });
  private readonly historyPanel = h('div', { class: 'tab-panel', attrs: { role: 'tabpanel', id: 'panel-history', 'aria-labelledby': 'tab-history' } });
  private readonly timelinePanel = h('div', { class: 'tab-panel', attrs: { role: 'tabpanel', id: 'panel-timeline', 'aria-labelledby': 'tab-timeline' } });
  private readonly loadMore = h('div', { class: 'load-more' });

  constructor(
    private readonly root: HTMLElement,
    private readonly client: PageClient<InstanceHello>,
    private readonly vscode: VsCodeApi,
  ) {
    const saved = vscode.getState() as Partial<InstancePageState> | undefined;
    this.ui = readUi(saved?.ui);
    this.values = new ValueSections({
      copy: (section) => void this.call(() => this.client.request(InstanceRequests.copy, { what: 'section', section }), `Copied the ${SECTION_TITLES[section].toLowerCase()}.`),
      open: (section) => void this.call(() => this.client.request(InstanceRequests.openDocument, { what: 'section', section })),
      closed: () => this.ui.closed,
      setOpen: (section, open) => {
        this.ui.closed = open ? this.ui.closed.filter((x) => x !== section) : [...new Set([...this.ui.closed, section])];
        this.saveState();
      },
    });
    this.history = new HistoryList(
      {
        loadEvent: async (index) => (await this.client.request(InstanceRequests.event, { generation: this.reader.generation, index })).event,
        copyEvent: (index) => void this.call(() => this.client.request(InstanceRequests.copy, { what: 'event', generation: this.reader.generation, index }), 'Copied the event.'),
        openEvent: (index) => void this.call(() => this.client.request(InstanceRequests.openDocument, { what: 'event', generation: this.reader.generation, index })),
        openInstance: (instanceId) => void this.call(() => this.client.request(InstanceRequests.openInstance, { instanceId })),
        stateChanged: () => this.saveState(),
        utc: () => this.ui.utc,
      },
      this.ui.filter,
      this.ui.order,
    );
    this.timeline = new TimelineView(
      {
        showEvent: (index) => {
          this.selectTab('history');
          this.history.reveal(index);
        },
        stateChanged: () => this.saveState(),
        utc: () => this.ui.utc,
      },
      this.ui.zoom,
      this.ui.collapseIdle,
    );
    this.reader = new HistoryReader({
      client: this.client,
      list: this.history,
      timeline: this.timeline,
      tab: this.historyTab,
      loadMore: this.loadMore,
      savedScroll: () => this.ui.historyScroll,
      error: (text) => this.setBanner('error', `Could not read the history: ${text}`),
    });
    this.historyTab.addEventListener('click', () => this.selectTab('history'));
    this.timelineTab.addEventListener('click', () => this.selectTab('timeline'));
    this.tabs.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        this.selectTab(this.ui.tab === 'history' ? 'timeline' : 'history');
        (this.ui.tab === 'history' ? this.historyTab : this.timelineTab).focus();
      }
    });
    append(this.tabs, this.historyTab, this.timelineTab);
    append(this.historyPanel, this.history.element, this.loadMore);
    append(this.timelinePanel, this.timeline.element);
    this.form.hidden = true;
    // A target saved by an earlier life of this page (hidden and shown again, or a reload).
    if (saved?.target) {
      this.target = saved.target;
    }
  }

  // ---- Host events ------------------------------------------------------------------------------

  hello(hello: InstanceHello): void {
    this.target = hello.target;
    this.settings = hello.settings;
    this.saveState();
    this.root.removeAttribute('aria-busy');
    clear(this.root);
    if (hello.unavailable) {
      append(this.root, h('div', { class: 'unavailable', attrs: { role: 'alert' } }, icon('warning'), h('span', { text: hello.unavailable })));
      return;
    }
    append(this.root, this.header);
    if (hello.transportNote) {
      append(this.root, h('div', { class: 'transport-note', attrs: { role: 'note' } }, icon('info'), h('span', { text: hello.transportNote })));
    }
    append(this.root, this.actionBar, this.form, this.banner, this.values.element, this.tabs, this.historyPanel, this.timelinePanel);
    this.renderHeader();
    this.selectTab(this.ui.tab, false);
    void this.refresh(true);
  }

  setSettings(settings: InstancePageSettings): void {
    this.settings = settings;
    this.renderHeader();
    this.scheduleRefresh();
  }

  /** Reads the status again; with `all`, the history too (the manual refresh). */
  async refresh(all: boolean): Promise<void> {
    if (this.refreshing) {
      await this.refreshing;
      if (!all) {
        return;
      }
    }
    this.refreshing = this.doRefresh(all).finally(() => {
      this.refreshing = undefined;
      this.scheduleRefresh();
    });
    return this.refreshing;
  }

  // ---- Reading ----------------------------------------------------------------------------------

  private async doRefresh(all: boolean): Promise<void> {
    clearTimeout(this.refreshTimer);
    // Everything is read again: the history's first page is asked for together with the status
    // (it does not depend on it), so the list fills as soon as the host has it.
    const history = all ? this.reader.load() : undefined;
    let result: StatusResult;
    try {
      result = await this.client.request(InstanceRequests.status, {});
    } catch (e) {
      // As when the history is read after the status: this error is the one shown, not the
      // history's (that reading's answers are dropped).
      this.cancelHistory(history);
      this.setBanner('error', `Could not read the instance: ${(e as Error).message}`);
      return;
    }
    const before = this.snapshot;
    this.readAt = result.readAt;
    if (!result.found) {
      // No instance, no history to show: that reading's answers (an error) are dropped.
      this.cancelHistory(history);
      this.snapshot = undefined;
      this.missing = result.message;
      this.follow = undefined;
      this.renderHeader();
      this.renderActions();
      this.values.render(this.snapshot);
      return;
    }
    this.missing = undefined;
    const now = result.instance;
    this.snapshot = now;
    const changed = !before || before.lastUpdatedTime !== now.lastUpdatedTime || before.executionId !== now.executionId || before.runtimeStatus !== now.runtimeStatus;
    if (this.follow) {
      const done = now.runtimeStatus !== this.follow.previousStatus || now.executionId !== this.follow.executionId;
      if (done) {
        this.follow = undefined;
        this.setBanner('info', `The instance is now ${now.runtimeStatus}.`);
      } else if (Date.now() > this.follow.until) {
        this.follow = undefined;
        this.setBanner(
          'info',
          `Still ${now.runtimeStatus} after ${this.settings.pollTimeoutSeconds} s: the message is queued and is processed when the function app runs. The page keeps refreshing.`,
        );
      }
    }
    this.renderHeader();
    this.renderActions();
    this.values.render(this.snapshot);
    if (history) {
      await history;
    } else if (changed || !this.reader.loaded) {
      await this.reader.load();
    }
  }

  /** Drops the answers of a history reading started with the status (it ends quietly). */
  private cancelHistory(reading: Promise<void> | undefined): void {
    if (reading) {
      this.reader.cancel();
    }
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    if (this.follow) {
      this.refreshTimer = setTimeout(() => void this.refresh(false), 1000);
      return;
    }
    if (!this.snapshot || this.snapshot.terminal || this.settings.refreshSeconds <= 0) {
      this.renderRefreshNote();
      return;
    }
    this.refreshTimer = setTimeout(() => void this.refresh(false), this.settings.refreshSeconds * 1000);
    this.renderRefreshNote();
  }

  // ---- Acting -----------------------------------------------------------------------------------

  private async act(params: InstanceActionParams): Promise<void> {
    const result: ActionResult = await this.client.request(InstanceRequests.action, params);
    if (result.gone) {
      this.setBanner('info', result.message);
      await this.refresh(true);
      return;
    }
    if (result.newInstanceId) {
      const id = result.newInstanceId;
      this.setBanner('info', result.message, button('Open it', () => void this.call(() => this.client.request(InstanceRequests.openInstance, { instanceId: id })), { icon: 'link-external', class: 'link-button' }));
      return;
    }
    this.setBanner('info', result.message);
    if (result.follow) {
      this.follow = {
        previousStatus: result.previousStatus ?? this.snapshot?.runtimeStatus ?? null,
        executionId: this.snapshot?.executionId ?? null,
        until: Date.now() + this.settings.pollTimeoutSeconds * 1000,
      };
      this.renderActions();
      this.scheduleRefresh();
    }
  }

  /** Runs a request; failures show in the banner. */
  private async call(work: () => Promise<unknown>, done?: string): Promise<void> {
    try {
      await work();
      if (done) {
        this.setBanner('info', done);
      }
    } catch (e) {
      this.setBanner('error', (e as Error).message);
    }
  }

  // ---- Rendering --------------------------------------------------------------------------------

  private setBanner(kind: 'info' | 'error', text: string, extra?: HTMLElement): void {
    clear(this.banner);
    this.banner.className = `banner ${kind}`;
    append(this.banner, icon(kind === 'error' ? 'error' : 'info'), h('span', { text }), extra ?? null, button('Dismiss', () => this.setBanner('info', ''), { icon: 'close', iconOnly: true }));
    this.banner.hidden = !text;
  }

  private renderRefreshNote(): void {
    const note = this.header.querySelector('.refresh-note');
    if (!note) {
      return;
    }
    const read = this.readAt ? `Read ${formatTimestamp(this.readAt, this.ui.utc).slice(11, 19)}` : '';
    const auto = this.follow
      ? 'waiting for the runtime…'
      : this.snapshot && !this.snapshot.terminal && this.settings.refreshSeconds > 0
        ? `auto-refresh every ${this.settings.refreshSeconds} s`
        : '';
    note.textContent = [read, auto].filter(Boolean).join(' · ');
  }

  private renderHeader(): void {
    renderHeader(this.header, { snapshot: this.snapshot, target: this.target, missing: this.missing, utc: this.ui.utc }, {
      refresh: () => void this.refresh(true),
      toggleUtc: () => this.toggleUtc(),
      copyId: () => void this.call(() => this.client.request(InstanceRequests.copy, { what: 'instanceId' }), 'Copied the instance id.'),
      copyStatusUrl: () => void this.call(() => this.client.request(InstanceRequests.copy, { what: 'statusUrl' }), 'Copied the status URL.'),
      openInstance: (instanceId) => void this.call(() => this.client.request(InstanceRequests.openInstance, { instanceId })),
    });
    this.renderRefreshNote();
  }

  private renderActions(): void {
    clear(this.actionBar);
    const s = this.snapshot;
    if (s && !this.follow) {
      for (const action of s.actions) {
        const spec = ACTION_SPECS[action];
        append(
          this.actionBar,
          button(spec.label, () => showActionForm(this.form, action, { submit: (p) => this.act(p), instanceId: () => s.instanceId }, () => undefined), {
            icon: spec.icon,
            class: `secondary action-${action}${spec.destructive ? ' destructive' : ''}`,
          }),
        );
      }
    }
    if (this.follow) {
      append(this.actionBar, h('span', { class: 'muted following' }, icon('loading', 'codicon-modifier-spin'), ' Waiting for the runtime to process the message…'));
      clear(this.form);
      this.form.hidden = true;
    }
    if (s || this.missing) {
      append(
        this.actionBar,
        h('span', { class: 'spacer' }),
        s ? button('Open as JSON Document', () => void this.call(() => this.client.request(InstanceRequests.openDocument, { what: 'instance' })), { icon: 'json', class: 'secondary' }) : null,
      );
    }
  }

  private selectTab(tab: 'history' | 'timeline', save = true): void {
    this.ui.tab = tab;
    const history = tab === 'history';
    this.historyTab.setAttribute('aria-selected', String(history));
    this.timelineTab.setAttribute('aria-selected', String(!history));
    this.historyTab.tabIndex = history ? 0 : -1;
    this.timelineTab.tabIndex = history ? -1 : 0;
    this.historyPanel.hidden = !history;
    this.timelinePanel.hidden = history;
    this.timeline.setVisible(!history);
    if (history) {
      this.history.refresh();
    }
    if (save) {
      this.saveState();
    }
  }

  private toggleUtc(): void {
    this.ui.utc = !this.ui.utc;
    this.renderHeader();
    this.history.refresh();
    this.saveState();
  }

  private saveState(): void {
    if (!this.target) {
      return;
    }
    this.ui.filter = this.history.filter;
    this.ui.order = this.history.order;
    this.ui.zoom = this.timeline.zoom;
    this.ui.collapseIdle = this.timeline.collapseIdle;
    if (this.reader.loaded) {
      this.ui.historyScroll = this.history.scrollTop;
    }
    const state: InstancePageState = { v: 1, target: this.target, ui: { ...this.ui } };
    this.vscode.setState(state);
  }

  /** Saves the scroll position now and then (setState is cheap; scroll events are many). */
  persistScroll(): void {
    this.saveState();
  }
}
