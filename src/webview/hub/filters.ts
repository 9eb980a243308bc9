// The filter bar of the Instances tab: time range (presets or a custom range), orchestrator name,
// instance-id prefix, entities, and the status chips, which are the status toggles and the counts
// per status at once (a chip's count is for the filter without its statuses, so every chip tells
// what selecting it would show). Chips apply at once; the other fields on Apply or Enter.
import type { HubCountsResult, HubRuntimeStatus } from '../../shared/protocol/hub';
import { HUB_RUNTIME_STATUSES } from '../../shared/protocol/hub';
import { append, h, icon } from '../dom';
import { STATUS_ICONS, statusClass } from '../instance/format';
import type { FilterField, HubFilterInput, RangePreset } from '../model/hubFilter';
import { NAME_MAX, PREFIX_MAX, RANGE_PRESETS, isRangePreset, resolveFilter, toLocalDateTime, toggleStatus } from '../model/hubFilter';
import { formatCount } from '../model/hubFormat';

/** `loading` may keep showing the previous counts (dimmed) when the query is the same (a refresh). */
export type CountsState = { kind: 'idle' } | { kind: 'loading'; previous: HubCountsResult | null } | { kind: 'done'; result: HubCountsResult } | { kind: 'error'; message: string };

export class FilterBar {
  readonly element: HTMLElement;
  private statuses: HubRuntimeStatus[] = [];
  private readonly range: HTMLSelectElement;
  private readonly from: HTMLInputElement;
  private readonly to: HTMLInputElement;
  private readonly custom: HTMLElement;
  private readonly name: HTMLInputElement;
  private readonly prefix: HTMLInputElement;
  private readonly entities: HTMLInputElement;
  private readonly problem: HTMLElement;
  private readonly chips: HTMLElement;
  private readonly countsNote: HTMLElement;
  private counts: CountsState = { kind: 'idle' };

  constructor(private readonly onApply: (input: HubFilterInput) => void) {
    this.range = h(
      'select',
      { class: 'select', attrs: { id: 'filter-range' }, on: { change: () => this.rangeChanged() } },
      ...RANGE_PRESETS.map((p) => h('option', { text: p.label, attrs: { value: p.value } })),
    );
    const check = (): void => void this.validate(false);
    this.from = h('input', { class: 'input date-input', attrs: { id: 'filter-from', type: 'datetime-local', 'aria-label': 'Created from' }, on: { change: check, input: check } });
    this.to = h('input', { class: 'input date-input', attrs: { id: 'filter-to', type: 'datetime-local', 'aria-label': 'Created until' }, on: { change: check, input: check } });
    this.custom = h('span', { class: 'custom-range' }, this.from, h('span', { class: 'muted', text: 'to' }), this.to);
    this.name = h('input', { class: 'input', attrs: { id: 'filter-name', type: 'text', placeholder: 'Any', maxlength: NAME_MAX, spellcheck: 'false', autocomplete: 'off' } });
    this.prefix = h('input', { class: 'input mono', attrs: { id: 'filter-prefix', type: 'text', placeholder: 'Any', maxlength: PREFIX_MAX, spellcheck: 'false', autocomplete: 'off' } });
    this.entities = h('input', { attrs: { id: 'filter-entities', type: 'checkbox' } });
    this.problem = h('div', { class: 'filter-problem', attrs: { role: 'alert', 'aria-live': 'assertive' } });
    this.chips = h('div', { class: 'count-chips', attrs: { role: 'group', 'aria-label': 'Runtime status (counts for the filter without its statuses)' } });
    this.countsNote = h('span', { class: 'counts-note muted', attrs: { 'aria-live': 'polite' } });
    const field = (label: string, forId: string, ...control: HTMLElement[]): HTMLElement =>
      h('div', { class: 'field' }, h('label', { class: 'field-label', attrs: { for: forId }, text: label }), h('div', { class: 'field-control' }, ...control));
    const form = h(
      'form',
      {
        class: 'filter-row',
        attrs: { 'aria-label': 'Filter', novalidate: true },
        on: {
          submit: (e) => {
            e.preventDefault();
            this.apply();
          },
        },
      },
      field('Created', 'filter-range', this.range, this.custom),
      field('Orchestrator name', 'filter-name', this.name),
      field('Instance ID prefix', 'filter-prefix', this.prefix),
      h('label', { class: 'checkbox entities-toggle', attrs: { for: 'filter-entities' } }, this.entities, h('span', { text: 'Include entities' })),
      h('div', { class: 'filter-buttons' }, h('button', { class: 'button apply-button', attrs: { type: 'submit' } }, icon('filter'), h('span', { text: 'Apply' }))),
    );
    this.element = h(
      'section',
      { class: 'filters', attrs: { 'aria-label': 'Filters' } },
      form,
      this.problem,
      h('div', { class: 'status-row' }, h('span', { class: 'field-label status-label', text: 'Status' }), this.chips, this.countsNote),
    );
    this.renderChips();
  }

  /** Puts a filter into the fields (restored state). */
  set(input: HubFilterInput): void {
    this.range.value = input.range;
    this.from.value = input.from;
    this.to.value = input.to;
    this.name.value = input.name;
    this.prefix.value = input.idPrefix;
    this.entities.checked = input.includeEntities;
    this.statuses = [...input.statuses];
    this.custom.hidden = input.range !== 'custom';
    this.setProblem(null);
    this.renderChips();
  }

  get value(): HubFilterInput {
    return {
      range: isRangePreset(this.range.value) ? (this.range.value as RangePreset) : 'all',
      from: this.from.value,
      to: this.to.value,
      statuses: [...this.statuses],
      name: this.name.value,
      idPrefix: this.prefix.value,
      includeEntities: this.entities.checked,
    };
  }

  setCounts(state: CountsState): void {
    this.counts = state;
    this.renderChips();
  }

  /** Shows a problem of the filter (or clears it); returns whether it was fine. */
  private validate(focus: boolean): boolean {
    const resolved = resolveFilter(this.value, Date.now());
    this.setProblem(resolved.ok ? null : resolved, focus);
    return resolved.ok;
  }

  private apply(): void {
    if (this.validate(true)) {
      this.onApply(this.value);
    }
  }

  private setProblem(problem: { field: FilterField; problem: string } | null, focus = false): void {
    const inputs: Record<FilterField, HTMLInputElement> = { from: this.from, to: this.to, name: this.name, idPrefix: this.prefix };
    for (const [field, input] of Object.entries(inputs)) {
      const bad = problem?.field === field;
      input.classList.toggle('invalid', bad);
      input.setAttribute('aria-invalid', String(bad));
    }
    this.problem.textContent = problem?.problem ?? '';
    this.problem.hidden = !problem;
    if (problem && focus) {
      inputs[problem.field].focus();
    }
  }

  private rangeChanged(): void {
    const custom = this.range.value === 'custom';
    this.custom.hidden = !custom;
    if (custom && !this.from.value && !this.to.value) {
      // A starting point to edit: the last 24 hours, up to now.
      const now = Date.now();
      this.from.value = toLocalDateTime(now - 86_400_000);
      this.to.value = toLocalDateTime(now + 60_000);
    }
    this.validate(false);
    if (!custom) {
      this.apply();
    } else {
      this.from.focus();
    }
  }

  private toggle(status: HubRuntimeStatus | null): void {
    this.statuses = status === null ? [] : toggleStatus(this.statuses, status);
    this.renderChips();
    this.apply();
  }

  private renderChips(): void {
    const c = this.counts;
    const shown = c.kind === 'done' ? c.result : c.kind === 'loading' ? c.previous : null;
    const counts = shown?.counts ?? null;
    const chip = (status: HubRuntimeStatus | null, label: string, count: number | null, pressed: boolean): HTMLElement => {
      const key = status ?? 'all';
      const known = count !== null;
      return h(
        'button',
        {
          class: `count-chip ${status ? statusClass(status) : 'status-all'}${pressed ? ' pressed' : ''}${known && count === 0 ? ' zero' : ''}`,
          title: status ? `${pressed ? 'Remove' : 'Add'} ${label} ${pressed ? 'from' : 'to'} the status filter` : 'Every status',
          attrs: { type: 'button', 'data-status': key, 'aria-pressed': String(pressed) },
          on: { click: () => this.toggle(status) },
        },
        icon(status ? (STATUS_ICONS[status] ?? 'question') : 'layers'),
        h('span', { class: 'chip-label', text: label }),
        h('span', { class: 'count', text: known ? formatCount(count) : '–' }),
      );
    };
    const chips: HTMLElement[] = [chip(null, 'All', shown ? shown.total : null, this.statuses.length === 0)];
    for (const status of HUB_RUNTIME_STATUSES) {
      chips.push(chip(status, status === 'ContinuedAsNew' ? 'Continued as new' : status, counts ? (counts[status] ?? 0) : null, this.statuses.includes(status)));
    }
    this.chips.replaceChildren(...chips);
    this.chips.classList.toggle('counting', c.kind === 'loading');
    this.chips.setAttribute('aria-busy', String(c.kind === 'loading'));
    this.countsNote.replaceChildren();
    if (c.kind === 'loading') {
      append(this.countsNote, h('span', { class: 'counts-spinner' }, icon('loading', 'codicon-modifier-spin'), h('span', { text: 'Counting…' })));
    } else if (c.kind === 'error') {
      append(this.countsNote, h('span', { class: 'error-text' }, icon('warning'), h('span', { text: ` Counts unavailable: ${c.message}` })));
    } else if (c.kind === 'done') {
      const read = new Date(c.result.readAt);
      this.countsNote.textContent = Number.isNaN(read.getTime()) ? '' : `Counted at ${read.toLocaleTimeString('en-GB')}`;
    }
  }

  /** Shows a problem found outside the bar (a restored filter that no longer resolves). */
  showProblem(problem: { field: FilterField; problem: string }): void {
    this.setProblem(problem);
  }
}
