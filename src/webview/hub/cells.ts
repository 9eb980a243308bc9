// Cells shared by the instance list and the stuck list. Every value from storage goes in as text
// (visibleText escapes what could reorder or hide it); the exact value stays in the title.
import type { HubInstanceRow } from '../../shared/protocol/hub';
import { h, icon } from '../dom';
import { STATUS_ICONS, formatTimestamp, statusClass } from '../instance/format';
import { formatHubDuration, hasInvisible, oneLine, visibleText } from '../model/hubFormat';
import type { HubListModel, SortKey } from '../model/hubListModel';
import { SORT_KEYS, rowDurationMs } from '../model/hubListModel';
import type { TableColumn, TableSelection, TableSort } from './table';

/** The instance id as a link-styled button that opens the instance page. */
export function idLink(instanceId: string, open: (id: string) => void): HTMLElement {
  const shown = visibleText(instanceId);
  return h(
    'button',
    {
      class: `link-button id-link${hasInvisible(instanceId) ? ' escaped' : ''}`,
      title: instanceId,
      // Rows take the focus (arrow keys, Enter opens); the link stays out of the Tab order.
      attrs: { type: 'button', tabindex: '-1', 'aria-label': `Open instance ${shown}` },
      on: {
        click: (e) => {
          e.stopPropagation();
          open(instanceId);
        },
      },
    },
    h('span', { text: shown }),
  );
}

export function statusCell(status: string): HTMLElement {
  return h('span', { class: `status ${statusClass(status)}` }, icon(STATUS_ICONS[status] ?? 'question'), h('span', { text: visibleText(status) }));
}

/** `2026-05-01 10:20:30` in local time; the title has the stored value. */
export function shortTime(iso: string | null): string {
  return formatTimestamp(iso, false).slice(0, 19);
}

/** The columns both lists share, after the checkbox. */
export function commonColumns<T extends HubInstanceRow>(open: (id: string) => void): Record<'id' | 'name' | 'status', TableColumn<T>> {
  return {
    id: { id: 'id', label: 'Instance ID', cellClass: 'hub-row-id', sortKey: 'instanceId', render: (r) => idLink(r.instanceId, open) },
    name: {
      id: 'name',
      label: 'Name',
      sortKey: 'name',
      render: (r) => [r.isEntity ? icon('symbol-class', 'entity-icon') : null, h('span', { class: 'ellipsis', text: visibleText(r.name) })],
      title: (r) => (r.isEntity ? `${r.name} (entity)` : r.name),
    },
    status: { id: 'status', label: 'Status', cellClass: 'hub-row-status', sortKey: 'runtimeStatus', render: (r) => statusCell(r.runtimeStatus) },
  };
}

export function instanceColumns(open: (id: string) => void, now: () => number): TableColumn<HubInstanceRow>[] {
  const c = commonColumns<HubInstanceRow>(open);
  return [
    c.id,
    c.name,
    c.status,
    { id: 'created', label: 'Created', sortKey: 'createdTime', render: (r) => shortTime(r.createdTime), title: (r) => r.createdTime ?? undefined },
    { id: 'updated', label: 'Last updated', sortKey: 'lastUpdatedTime', render: (r) => shortTime(r.lastUpdatedTime), title: (r) => r.lastUpdatedTime ?? undefined },
    {
      id: 'duration',
      label: 'Duration',
      sortKey: 'duration',
      render: (r) => formatHubDuration(rowDurationMs(r, now())),
      title: (r) => (r.completedTime ? `Completed ${r.completedTime}` : undefined),
    },
    {
      id: 'custom',
      label: 'Custom status',
      sortKey: 'customStatus',
      render: (r) => (r.customStatus === null ? '' : oneLine(r.customStatus)),
      title: (r) => (r.customStatus === null ? undefined : r.customStatus.slice(0, 2000)),
    },
  ];
}

/** A table's selection, kept by a list model; `changed` runs after every change (the toolbar follows). */
export function modelSelection<T extends HubInstanceRow>(model: HubListModel<T>, changed: () => void): TableSelection {
  return {
    isSelected: (pos) => model.isSelected(pos),
    click: (pos, shift) => {
      model.click(pos, shift);
      changed();
    },
    headerState: () => model.headerState(),
    setAll: (on) => {
      model.selectAll(on);
      changed();
    },
    label: (pos) => `Select ${model.at(pos).instanceId}`,
  };
}

/** A table's sorting, kept by a list model; `sorted` shows the rows in their new order. */
export function modelSort<T extends HubInstanceRow>(model: HubListModel<T>, enabled: () => boolean, sorted: () => void): TableSort {
  return {
    current: () => model.sort,
    enabled,
    toggle: (key) => {
      if ((SORT_KEYS as readonly string[]).includes(key)) {
        model.toggleSort(key as SortKey);
        sorted();
      }
    },
  };
}
