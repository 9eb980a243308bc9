// The task hub page: a header, the Instances and Stuck tabs, a page-wide banner and the bulk
// action panel. Everything shown arrives from the host through the protocol (src/shared/protocol/
// hub.ts); the page keeps only UI state (setState) and never touches storage.
//
// Stable class names (the browser tests use them):
//   .hub-name                          the hub's name in the header
//   .hub-refresh                       the header's Refresh button
//   .tab[data-tab="instances"|"stuck"] the tabs; .tab-panel[data-tab=…] their panels
//   .banner.info / .banner.error       page-wide messages
//   .filters, #filter-range, #filter-from, #filter-to, #filter-name, #filter-prefix,
//   #filter-entities, .apply-button, .filter-problem
//   .count-chip[data-status="Running"|…|"all"] with .count inside; aria-pressed = in the filter
//   .counts-spinner                    shown while counting
//   .hub-row[data-index]               list rows (position in view), with .hub-row-id, .hub-row-status
//   .vt-check                          row checkboxes (the header one selects all loaded rows)
//   .sort-button                       sortable column headers (once every row is loaded)
//   .list-summary, .load-all           "N instances loaded" / "All N loaded"; Load all and sort
//   .bulk-toolbar, .selection-count, .bulk-action[data-action="terminate"|…], .copy-ids
//   .target-choice input[value="ids"|"filter"]
//   .bulk-dialog, .bulk-form, .bulk-confirm (the confirm button), .bulk-count-line
//   .bulk-panel[data-state="running"|"cancelling"|"done"|"cancelled"|"failed"]
//   .bulk-progress (a <progress class="bulk-bar">), .bulk-cancel, .bulk-dismiss
//   .bulk-result[data-outcome]         per-instance results; .result-filter[data-filter]
//   .bulk-summary
//   .stuck-row, #stuck-threshold, .find-button, .stuck-summary, .truncated-note
//   .queue-depth[data-queue]           rows of the queue depth table
import type { BulkProgress, HubHello, HubPageSettings, HubPageState, HubTarget } from '../../shared/protocol/hub';
import { HubRequests, hubTargetFromState } from '../../shared/protocol/hub';
import { append, button, clear, h, icon } from '../dom';
import type { HubTab, HubUiState } from '../model/hubFilter';
import { restoreHubUi } from '../model/hubFilter';
import { plural } from '../model/hubFormat';
import type { PageClient, VsCodeApi } from '../rpc';
import { BulkController } from './bulk';
import { Counter } from './counts';
import { InstancesTab } from './instancesTab';
import { StuckTab } from './stuck';
import type { TabContext } from './types';

const DEFAULT_SETTINGS: HubPageSettings = { pageSize: 100, timeWindowDays: 7, showEntities: false, loadAllLimit: 5000, stuckThresholdMinutes: 60 };

export class HubPage {
  private target: HubTarget | undefined;
  private settings: HubPageSettings = DEFAULT_SETTINGS;
  private tab: HubTab = 'instances';
  private instances: InstancesTab | undefined;
  private stuck: StuckTab | undefined;
  private readonly counter: Counter;
  private readonly bulk: BulkController;
  private readonly banner = h('div', { class: 'banner', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly tabButtons: Record<HubTab, HTMLButtonElement>;
  private readonly panels: Record<HubTab, HTMLElement>;

  constructor(
    private readonly root: HTMLElement,
    private readonly client: PageClient<HubHello>,
    private readonly host: VsCodeApi,
  ) {
    this.counter = new Counter(client);
    this.bulk = new BulkController({
      client,
      counter: this.counter,
      banner: (kind, text) => this.setBanner(kind, text),
      openInstance: (id) => this.openInstance(id),
      finished: () => this.refresh(),
    });
    this.bulk.onChange(() => {
      this.instances?.bulkChanged();
      this.stuck?.bulkChanged();
    });
    const tab = (id: HubTab, label: string, iconName: string): HTMLButtonElement =>
      h(
        'button',
        { class: 'tab', attrs: { type: 'button', role: 'tab', id: `tab-${id}`, 'aria-controls': `panel-${id}`, 'data-tab': id }, on: { click: () => this.selectTab(id) } },
        icon(iconName),
        h('span', { text: label }),
      );
    this.tabButtons = { instances: tab('instances', 'Instances', 'list-flat'), stuck: tab('stuck', 'Stuck', 'watch') };
    const panel = (id: HubTab): HTMLElement => h('div', { class: 'tab-panel', attrs: { role: 'tabpanel', id: `panel-${id}`, 'aria-labelledby': `tab-${id}`, 'data-tab': id } });
    this.panels = { instances: panel('instances'), stuck: panel('stuck') };
    this.banner.hidden = true;
  }

  // ---- Host events ------------------------------------------------------------------------------

  hello(hello: HubHello): void {
    this.target = hello.target;
    this.settings = hello.settings;
    this.root.removeAttribute('aria-busy');
    clear(this.root);
    if (hello.unavailable) {
      append(this.root, h('div', { class: 'unavailable', attrs: { role: 'alert' } }, icon('warning'), h('span', { text: hello.unavailable })));
      return;
    }
    // The saved UI applies only to the hub it was saved for.
    const saved = this.host.getState() as Partial<HubPageState> | undefined;
    const savedTarget = hubTargetFromState(saved);
    const same = savedTarget && savedTarget.connectionId === hello.target.connectionId && savedTarget.hubName === hello.target.hubName;
    const ui = restoreHubUi(same ? saved?.ui : undefined, hello.settings);
    const ctx: TabContext = {
      client: this.client,
      counter: this.counter,
      bulk: this.bulk,
      settings: () => this.settings,
      banner: (kind, text) => this.setBanner(kind, text),
      saveState: () => this.saveState(),
      openInstance: (id) => this.openInstance(id),
      copyIds: (ids) => void this.copyIds(ids),
    };
    this.instances = new InstancesTab(ctx, ui.filter);
    this.stuck = new StuckTab(ctx, ui.stuckThreshold);
    clear(this.panels.instances);
    clear(this.panels.stuck);
    append(this.panels.instances, this.instances.element);
    append(this.panels.stuck, this.stuck.element);
    const tabs = h('div', { class: 'tabs', attrs: { role: 'tablist', 'aria-label': 'Views' }, on: { keydown: (e) => this.tabKey(e) } }, this.tabButtons.instances, this.tabButtons.stuck);
    append(this.root, this.header(hello), tabs, this.banner, this.bulk.panel, this.panels.instances, this.panels.stuck, this.bulk.dialog);
    this.selectTab(ui.tab);
    this.instances.apply(ui.filter);
  }

  /** Reads the counts and the first page again (the filter stays); the stuck list too if it was read. */
  refresh(): void {
    this.instances?.refresh();
    this.stuck?.refresh();
  }

  setSettings(settings: HubPageSettings): void {
    this.settings = settings;
  }

  bulkProgress(progress: BulkProgress): void {
    this.bulk.progress(progress);
  }

  // ---- Rendering --------------------------------------------------------------------------------

  private header(hello: HubHello): HTMLElement {
    const facts = [hello.connectionLabel, hello.partitionCount === null ? 'partition count unknown' : plural(hello.partitionCount, 'partition')];
    return h(
      'header',
      { class: 'page-header' },
      h(
        'div',
        { class: 'title-row' },
        icon('server-process', 'hub-icon'),
        h('div', { class: 'title-text' }, h('h1', { class: 'hub-name', text: hello.target.hubName }), h('div', { class: 'hub-facts muted', text: facts.join(' · ') })),
        h('span', { class: 'spacer' }),
        button('Refresh', () => this.refresh(), { icon: 'refresh', class: 'secondary hub-refresh', title: 'Read the counts and lists again' }),
      ),
    );
  }

  private selectTab(tab: HubTab, save = true): void {
    this.tab = tab;
    for (const id of ['instances', 'stuck'] as const) {
      const on = id === tab;
      this.tabButtons[id].setAttribute('aria-selected', String(on));
      this.tabButtons[id].tabIndex = on ? 0 : -1;
      this.panels[id].hidden = !on;
    }
    if (tab === 'instances') {
      this.instances?.shown();
    } else {
      this.stuck?.shown();
    }
    if (save) {
      this.saveState();
    }
  }

  private tabKey(e: KeyboardEvent): void {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const next: HubTab = this.tab === 'instances' ? 'stuck' : 'instances';
      this.selectTab(next);
      this.tabButtons[next].focus();
    }
  }

  private setBanner(kind: 'info' | 'error', text: string): void {
    clear(this.banner);
    this.banner.className = `banner ${kind}`;
    this.banner.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    append(this.banner, icon(kind === 'error' ? 'error' : 'info'), h('span', { class: 'banner-text', text }), button('Dismiss', () => this.setBanner('info', ''), { icon: 'close', iconOnly: true }));
    this.banner.hidden = !text;
  }

  // ---- Requests ---------------------------------------------------------------------------------

  private openInstance(instanceId: string): void {
    this.client.request(HubRequests.openInstance, { instanceId }).catch((e: unknown) => this.setBanner('error', `Could not open the instance: ${(e as Error).message}`));
  }

  private async copyIds(ids: string[]): Promise<void> {
    if (ids.length === 0) {
      return;
    }
    try {
      await this.client.request(HubRequests.copyIds, { ids });
      this.setBanner('info', `Copied ${plural(ids.length, 'instance ID')}.`);
    } catch (e) {
      this.setBanner('error', `Could not copy: ${(e as Error).message}`);
    }
  }

  saveState(): void {
    if (!this.target || !this.instances || !this.stuck) {
      return;
    }
    const ui: HubUiState = { tab: this.tab, filter: this.instances.filter, stuckThreshold: this.stuck.threshold };
    const state: HubPageState = { v: 1, target: this.target, ui: { ...ui } };
    this.host.setState(state);
  }
}
