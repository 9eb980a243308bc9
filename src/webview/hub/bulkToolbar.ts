// The bulk toolbar above a list: how many rows are selected, what an action applies to (the
// selection, or — on the Instances tab — every instance matching the filter), the six actions and
// Copy IDs. The actions open the confirmation form; they are off while another action runs.
import type { HubBulkActionName, HubQuery } from '../../shared/protocol/hub';
import { BULK_MAX_IDS, HUB_BULK_ACTIONS } from '../../shared/protocol/hub';
import { button, h, icon } from '../dom';
import { BULK_ACTION_SPECS } from '../model/bulkModel';
import { formatCount } from '../model/hubFormat';
import type { BulkController } from './bulk';

export interface BulkSource {
  selectedIds(): string[];
  selectedCount(): number;
  clearSelection(): void;
  /** The applied query and how many match it as far as the counts know (Instances tab only). */
  filterTarget?(): { query: HubQuery; estimate: number | null } | null;
}

let toolbarSeq = 0;

export class BulkToolbar {
  readonly element: HTMLElement;
  private target: 'ids' | 'filter' = 'ids';
  private readonly count = h('span', { class: 'selection-count', attrs: { 'aria-live': 'polite' } });
  private readonly clearButton: HTMLButtonElement;
  private readonly idsRadio: HTMLInputElement | undefined;
  private readonly filterRadio: HTMLInputElement | undefined;
  private readonly idsLabel = h('span');
  private readonly filterLabel = h('span');
  private readonly actions: Map<HubBulkActionName, HTMLButtonElement> = new Map();
  private readonly copyButton: HTMLButtonElement;

  constructor(
    private readonly bulk: BulkController,
    private readonly source: BulkSource,
    copyIds: (ids: string[]) => void,
  ) {
    const uid = `bulk-target-${++toolbarSeq}`;
    this.clearButton = button('Clear the selection', () => source.clearSelection(), { icon: 'close', iconOnly: true, class: 'clear-selection' });
    const actionButtons = HUB_BULK_ACTIONS.map((action) => {
      const spec = BULK_ACTION_SPECS[action];
      const b = button(spec.label, () => this.start(action), { icon: spec.icon, class: `secondary small bulk-action${spec.destructive ? ' destructive' : ''}` });
      b.dataset.action = action;
      this.actions.set(action, b);
      return b;
    });
    this.copyButton = button('Copy IDs', () => copyIds(source.selectedIds()), { icon: 'copy', class: 'secondary small copy-ids', title: 'Copy the selected instance IDs, one per line' });
    // Copy IDs sits with the selection it copies; the actions wrap onto a line of their own when narrow.
    const left = h('div', { class: 'selection-info' }, icon('checklist'), this.count, this.clearButton, this.copyButton);
    let choice: HTMLElement | null = null;
    if (source.filterTarget) {
      const radio = (value: 'ids' | 'filter', checked: boolean): HTMLInputElement =>
        h('input', { attrs: { type: 'radio', name: uid, id: `${uid}-${value}`, value, checked }, on: { change: () => this.setTarget(value) } });
      this.idsRadio = radio('ids', true);
      this.filterRadio = radio('filter', false);
      choice = h(
        'div',
        { class: 'target-choice', attrs: { role: 'radiogroup', 'aria-label': 'Apply actions to' } },
        h('span', { class: 'muted', text: 'Apply to' }),
        h('label', { class: 'radio', attrs: { for: this.idsRadio.id } }, this.idsRadio, this.idsLabel),
        h('label', { class: 'radio', attrs: { for: this.filterRadio.id } }, this.filterRadio, this.filterLabel),
      );
    }
    this.element = h(
      'div',
      { class: 'bulk-toolbar', attrs: { role: 'toolbar', 'aria-label': 'Bulk actions' } },
      left,
      choice,
      h('div', { class: 'bulk-actions' }, ...actionButtons),
    );
    bulk.onChange(() => this.update());
    this.update();
  }

  private setTarget(target: 'ids' | 'filter'): void {
    this.target = target;
    this.update();
  }

  private start(action: HubBulkActionName): void {
    if (this.target === 'filter') {
      const filter = this.source.filterTarget?.();
      if (filter) {
        this.bulk.open(action, { kind: 'filter', query: filter.query });
      }
    } else {
      this.bulk.open(action, { kind: 'ids', ids: this.source.selectedIds() });
    }
  }

  /** Call when the selection, the applied filter, its counts or the bulk state change. */
  update(): void {
    const selected = this.source.selectedCount();
    this.count.textContent = `${formatCount(selected)} selected`;
    this.clearButton.hidden = selected === 0;
    const filter = this.source.filterTarget?.() ?? null;
    if (this.idsRadio && this.filterRadio) {
      this.idsLabel.textContent = `Selected (${formatCount(selected)})`;
      this.filterLabel.textContent = filter?.estimate != null ? `All instances matching the filter (${formatCount(filter.estimate)})` : 'All instances matching the filter';
      this.filterRadio.disabled = !filter;
      if (!filter && this.target === 'filter') {
        this.target = 'ids';
      }
      this.idsRadio.checked = this.target === 'ids';
      this.filterRadio.checked = this.target === 'filter';
    }
    const running = this.bulk.running;
    const tooMany = this.target === 'ids' && selected > BULK_MAX_IDS;
    const enabled = !running && !tooMany && (this.target === 'ids' ? selected > 0 : !!filter && filter.estimate !== 0);
    const why = running
      ? 'A bulk action is running'
      : tooMany
        ? `At most ${formatCount(BULK_MAX_IDS)} selected instances: use "All instances matching the filter"`
        : !enabled
          ? this.target === 'ids'
            ? 'Select instances first'
            : 'No instances match the filter'
          : undefined;
    for (const [action, b] of this.actions) {
      b.disabled = !enabled;
      b.title = why ?? `${BULK_ACTION_SPECS[action].label} ${this.target === 'ids' ? 'the selected instances' : 'every instance matching the filter'}`;
    }
    this.copyButton.disabled = selected === 0 || selected > BULK_MAX_IDS;
    this.element.classList.toggle('has-selection', selected > 0);
  }
}
