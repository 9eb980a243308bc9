// The instance page's header: status badge, name, id (copy), hub, copy status URL, times, duration,
// execution id, parent link, tags. Rebuilt from the snapshot on every read; times in local time or UTC.
import type { InstanceSnapshot, PanelTarget } from '../../shared/protocol';
import { append, button, clear, h, icon } from '../dom';
import { formatDuration } from '../model/historyModel';
import { STATUS_ICONS, formatTimestamp, statusClass } from './format';

export interface HeaderView {
  snapshot: InstanceSnapshot | undefined;
  target: PanelTarget | undefined;
  missing: string | undefined;
  utc: boolean;
}

export interface HeaderActions {
  refresh(): void;
  toggleUtc(): void;
  copyId(): void;
  /** The host builds the URL (it may hold the app's key) and copies it; the page never sees it. */
  copyStatusUrl(): void;
  openInstance(instanceId: string): void;
}

export function renderHeader(header: HTMLElement, v: HeaderView, act: HeaderActions): void {
  clear(header);
  const s = v.snapshot;
  const id = s?.instanceId ?? v.target?.instanceId ?? '';
  const status = s?.runtimeStatus ?? (v.missing ? 'Not found' : '');
  const badge = h(
    'span',
    { class: `status-badge ${s ? statusClass(status) : 'status-unknown'}`, attrs: { role: 'status' } },
    icon(STATUS_ICONS[status] ?? 'question'),
    h('span', { class: 'status-text', text: status || 'Loading…' }),
  );
  const refresh = button('Refresh', act.refresh, { icon: 'refresh', class: 'secondary small' });
  const utc = button(v.utc ? 'UTC' : 'Local time', act.toggleUtc, { icon: 'clock', class: 'secondary small', title: 'Show times in UTC or local time' });
  append(
    header,
    h('div', { class: 'title-row' }, badge, h('h1', { class: 'instance-name', text: s?.name || (v.missing ? 'Instance not found' : 'Loading…') }), h('span', { class: 'spacer' }), h('span', { class: 'refresh-note muted' }), utc, refresh),
    h(
      'div',
      { class: 'id-row' },
      h('span', { class: 'label', text: 'Instance' }),
      h('code', { class: 'instance-id', text: id }),
      button('Copy instance id', act.copyId, { icon: 'copy', iconOnly: true }),
      h('span', { class: 'muted', text: v.target ? `in task hub ${v.target.hubName}` : '' }),
      h('span', { class: 'spacer' }),
      // Only for an orchestration that exists: a missing one's URL answers 404; entities have none.
      s && !s.isEntity
        ? button('Copy status URL', act.copyStatusUrl, {
            icon: 'link',
            class: 'secondary small copy-status-url',
            title: "Copy the instance's HTTP status URL (statusQueryGetUri) for the function app in the durableExplorer.managementUrls.hostUrl setting",
          })
        : null,
    ),
  );
  if (v.missing) {
    append(header, h('p', { class: 'missing', attrs: { role: 'alert' }, text: v.missing }));
  }
  if (s) {
    const facts = h('dl', { class: 'facts' });
    const fact = (label: string, value: Node | string | null | undefined, title?: string): void => {
      if (value === null || value === undefined || value === '') {
        return;
      }
      append(facts, h('div', { class: 'fact' }, h('dt', { text: label }), h('dd', { title }, value)));
    };
    const created = Date.parse(s.createdTime ?? '');
    const ended = s.terminal ? Date.parse(s.completedTime ?? s.lastUpdatedTime ?? '') : Date.now();
    fact('Created', formatTimestamp(s.createdTime, v.utc), s.createdTime ?? undefined);
    fact('Last updated', formatTimestamp(s.lastUpdatedTime, v.utc), s.lastUpdatedTime ?? undefined);
    fact('Completed', s.terminal ? formatTimestamp(s.completedTime, v.utc) : '', s.completedTime ?? undefined);
    fact('Duration', !Number.isNaN(created) && !Number.isNaN(ended) ? `${formatDuration(Math.max(0, ended - created))}${s.terminal ? '' : ' so far'}` : '');
    fact('Execution id', s.executionId ? h('code', { text: s.executionId }) : '');
    if (s.parent) {
      const parent = s.parent;
      fact(
        'Parent',
        h(
          'button',
          { class: 'link-button parent-link', attrs: { type: 'button' }, title: `Open the parent instance ${parent.instanceId}`, on: { click: () => act.openInstance(parent.instanceId) } },
          icon('link-external'),
          h('span', { text: parent.name ? `${parent.instanceId} (${parent.name})` : parent.instanceId }),
        ),
      );
    }
    fact('Scheduled start', formatTimestamp(s.scheduledStartTime, v.utc));
    fact('Version', s.version ?? '');
    fact('Generation', s.generation > 0 ? String(s.generation) : '');
    if (s.tags && Object.keys(s.tags).length > 0) {
      fact('Tags', Object.entries(s.tags).map(([k, v]) => `${k}=${v}`).join(', '));
    }
    header.appendChild(facts);
  }
}
