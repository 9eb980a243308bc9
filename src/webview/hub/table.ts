// A virtualized ARIA grid: a sticky header and fixed-height rows of which only those in view (plus
// a few) are in the DOM, so 50,000 rows scroll as smoothly as 50. Used by the instance list, the
// stuck list and the bulk results. Column widths come from the stylesheet (grid templates by table
// class); rows are positioned with CSSOM transforms, which the CSP allows.
import type { Child } from '../dom';
import { append, h, icon } from '../dom';
import { RowOffsets } from '../model/virtualWindow';

export interface TableColumn<T> {
  /** The cells get `col-<id>`. */
  id: string;
  label: string;
  /** Extra class on this column's cells (`hub-row-id`, …). */
  cellClass?: string;
  /** Set when the column may be sorted (while the table's sort is enabled). */
  sortKey?: string;
  render(row: T, pos: number): Child | Child[];
  title?(row: T): string | undefined;
}

export interface TableSelection {
  isSelected(pos: number): boolean;
  click(pos: number, shift: boolean): void;
  headerState(): 'none' | 'some' | 'all';
  setAll(on: boolean): void;
  /** The accessible name of a row's checkbox. */
  label(pos: number): string;
}

export interface TableSort {
  current(): { key: string; dir: 'asc' | 'desc' } | null;
  enabled(): boolean;
  toggle(key: string): void;
}

export interface TableOptions<T> {
  /** Classes of the grid (`vt <className>`), which pick the column template. */
  className: string;
  /** Class of every body row (`hub-row`, `stuck-row`, `bulk-result`). */
  rowClass: string;
  label: string;
  columns: TableColumn<T>[];
  rowHeight?: number;
  selection?: TableSelection;
  sort?: TableSort;
  rowAttrs?(row: T, pos: number): Record<string, string>;
  /** Enter on a focused row. */
  activate?(row: T, pos: number): void;
  /** The rendered window came near the last row (infinite scroll). */
  nearEnd?(): void;
  /** Shown when there are no rows. */
  empty(): string;
}

export const ROW_HEIGHT = 28;

export class VirtualTable<T> {
  readonly element: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly headerRow: HTMLElement;
  private readonly body: HTMLElement;
  private readonly rowHeight: number;
  private count = 0;
  private get: (pos: number) => T = () => {
    throw new Error('no rows');
  };
  private offsets = new RowOffsets(0, () => 0);
  private rendered = { start: -1, end: -1 };
  /** The rows in the DOM by position; kept while scrolling (only rows coming into view are built). */
  private cache = new Map<number, HTMLElement>();
  /** The data changed: every row is built again. */
  private dirty = true;
  private frame = 0;
  /** The row that takes Tab focus (roving tabindex). */
  private focusPos = 0;
  private headerCheckbox: HTMLInputElement | undefined;
  private headerKey: string | null = null;

  constructor(private readonly o: TableOptions<T>) {
    this.rowHeight = o.rowHeight ?? ROW_HEIGHT;
    this.headerRow = h('div', { class: 'vt-row vt-header', attrs: { role: 'row', 'aria-rowindex': 1 } });
    this.body = h('div', { class: 'vt-body', attrs: { role: 'rowgroup' } });
    this.scroller = h(
      'div',
      { class: 'vt-scroller', on: { scroll: () => this.schedule() } },
      h('div', { class: 'vt-head', attrs: { role: 'rowgroup' } }, this.headerRow),
      this.body,
    );
    this.element = h(
      'div',
      { class: `vt ${o.className}`, attrs: { role: 'grid', 'aria-label': o.label, 'aria-colcount': o.columns.length + (o.selection ? 1 : 0), 'aria-multiselectable': o.selection ? 'true' : undefined } },
      this.scroller,
    );
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.renderHeader();
    new ResizeObserver(() => this.schedule(true)).observe(this.scroller);
  }

  /** New rows (or a new order); `resetScroll` goes back to the top. */
  setRows(count: number, get: (pos: number) => T, resetScroll = false): void {
    this.count = count;
    this.get = get;
    this.offsets = new RowOffsets(count, () => this.rowHeight);
    this.body.style.height = `${Math.max(count * this.rowHeight, this.rowHeight * 2)}px`;
    this.element.setAttribute('aria-rowcount', String(count + 1));
    this.focusPos = Math.min(this.focusPos, Math.max(0, count - 1));
    if (resetScroll) {
      this.scroller.scrollTop = 0;
      this.focusPos = 0;
    }
    this.renderHeader();
    this.renderNow();
  }

  /** Re-renders the rows in view (data in them changed). */
  refresh(): void {
    this.renderHeader();
    this.renderNow();
  }

  /** Updates checkboxes and row states in place (keeps focus where it is). */
  refreshSelection(): void {
    const sel = this.o.selection;
    if (!sel) {
      return;
    }
    for (const row of this.body.querySelectorAll<HTMLElement>('.vt-row[data-index]')) {
      const pos = Number(row.dataset.index);
      const on = pos < this.count && sel.isSelected(pos);
      row.classList.toggle('selected', on);
      row.setAttribute('aria-selected', String(on));
      const box = row.querySelector<HTMLInputElement>('.vt-check');
      if (box) {
        box.checked = on;
      }
    }
    this.updateHeaderCheckbox();
  }

  private renderHeader(): void {
    // Rebuilt only when sorting changes (a focused sort button keeps its focus while pages arrive).
    const sortNow = this.o.sort?.current();
    const key = `${this.o.sort?.enabled() ?? false}|${sortNow?.key ?? ''}|${sortNow?.dir ?? ''}`;
    if (key === this.headerKey) {
      this.updateHeaderCheckbox();
      return;
    }
    this.headerKey = key;
    const cells: HTMLElement[] = [];
    const sel = this.o.selection;
    if (sel) {
      this.headerCheckbox = h('input', {
        class: 'vt-check',
        attrs: { type: 'checkbox', 'aria-label': 'Select all loaded rows', title: 'Select all loaded rows' },
        on: { click: () => this.toggleAll() },
      });
      cells.push(h('div', { class: 'vt-cell col-select', attrs: { role: 'columnheader', 'aria-colindex': 1 } }, this.headerCheckbox));
    }
    const sort = this.o.sort;
    const sortable = !!sort && sort.enabled();
    const current = sort?.current() ?? null;
    this.o.columns.forEach((col, c) => {
      const colIndex = c + 1 + (sel ? 1 : 0);
      const active = current && col.sortKey && current.key === col.sortKey ? current.dir : null;
      const cell = h('div', {
        class: `vt-cell col-${col.id}`,
        attrs: { role: 'columnheader', 'aria-colindex': colIndex, 'aria-sort': active ? (active === 'asc' ? 'ascending' : 'descending') : col.sortKey && sortable ? 'none' : undefined },
      });
      if (sortable && col.sortKey && sort) {
        const key = col.sortKey;
        append(
          cell,
          h(
            'button',
            { class: `sort-button${active ? ' active' : ''}`, attrs: { type: 'button' }, title: `Sort by ${col.label.toLowerCase()}`, on: { click: () => sort.toggle(key) } },
            h('span', { text: col.label }),
            icon(active === 'desc' ? 'arrow-down' : 'arrow-up', active ? 'sort-arrow' : 'sort-arrow idle'),
          ),
        );
      } else {
        append(cell, h('span', { text: col.label }));
      }
      cells.push(cell);
    });
    this.headerRow.replaceChildren(...cells);
    this.updateHeaderCheckbox();
  }

  private updateHeaderCheckbox(): void {
    const box = this.headerCheckbox;
    const sel = this.o.selection;
    if (!box || !sel) {
      return;
    }
    const state = this.count === 0 ? 'none' : sel.headerState();
    box.checked = state === 'all';
    box.indeterminate = state === 'some';
    box.disabled = this.count === 0;
  }

  private toggleAll(): void {
    const sel = this.o.selection;
    if (!sel) {
      return;
    }
    sel.setAll(sel.headerState() !== 'all');
    this.refreshSelection();
  }

  private schedule(force = false): void {
    if (force) {
      this.dirty = true;
    }
    if (this.frame) {
      return;
    }
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** New data shows in the same task as the summary that announces it, never a frame later. */
  private renderNow(): void {
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    this.dirty = true;
    this.render();
  }

  private viewportTop(): number {
    // The body starts below the sticky header.
    return Math.max(0, this.scroller.scrollTop - this.body.offsetTop);
  }

  private render(): void {
    const height = this.scroller.clientHeight || 600;
    const range = this.offsets.window(this.viewportTop(), height, 10);
    if (range.start === this.rendered.start && range.end === this.rendered.end && !this.dirty) {
      return;
    }
    const hadFocus = this.body.contains(document.activeElement);
    if (this.dirty) {
      this.dirty = false;
      this.cache.clear();
      this.body.replaceChildren();
    }
    this.rendered = range;
    const kept = new Map<number, HTMLElement>();
    for (const [pos, el] of this.cache) {
      if (pos >= range.start && pos < range.end) {
        kept.set(pos, el);
      } else {
        el.remove();
      }
    }
    // New rows go in position order (screen readers read the DOM order).
    let previous: HTMLElement | null = null;
    for (let pos = range.start; pos < range.end; pos++) {
      let el = kept.get(pos);
      if (!el) {
        el = this.row(pos);
        kept.set(pos, el);
        if (previous) {
          previous.after(el);
        } else {
          this.body.prepend(el);
        }
      }
      previous = el;
    }
    this.cache = kept;
    this.body.querySelector('.vt-empty')?.remove();
    if (this.count === 0) {
      this.body.appendChild(h('div', { class: 'vt-empty', attrs: { role: 'row' } }, h('div', { attrs: { role: 'gridcell' }, text: this.o.empty() })));
    }
    this.updateHeaderCheckbox();
    if (hadFocus && !this.body.contains(document.activeElement)) {
      this.focusRow(this.focusPos, false);
    }
    if (this.o.nearEnd && this.count > 0 && range.end >= this.count - 20) {
      this.o.nearEnd();
    }
  }

  private row(pos: number): HTMLElement {
    const data = this.get(pos);
    const sel = this.o.selection;
    const selected = sel?.isSelected(pos) ?? false;
    const cells: HTMLElement[] = [];
    if (sel) {
      const box = h('input', {
        class: 'vt-check',
        attrs: { type: 'checkbox', 'aria-label': sel.label(pos), tabindex: '-1', checked: selected },
        on: {
          click: (e) => {
            e.stopPropagation();
            this.setFocusPos(pos);
            sel.click(pos, e.shiftKey);
            this.refreshSelection();
          },
        },
      });
      cells.push(h('div', { class: 'vt-cell col-select', attrs: { role: 'gridcell', 'aria-colindex': 1 } }, box));
    }
    this.o.columns.forEach((col, c) => {
      const content = col.render(data, pos);
      const cell = h('div', {
        class: `vt-cell col-${col.id}${col.cellClass ? ` ${col.cellClass}` : ''}`,
        title: col.title?.(data),
        attrs: { role: 'gridcell', 'aria-colindex': c + 1 + (sel ? 1 : 0) },
      });
      append(cell, ...(Array.isArray(content) ? content : [content]));
      cells.push(cell);
    });
    const el = h(
      'div',
      {
        class: `vt-row ${this.o.rowClass}${selected ? ' selected' : ''}`,
        attrs: {
          role: 'row',
          'data-index': pos,
          'aria-rowindex': pos + 2,
          'aria-selected': sel ? String(selected) : undefined,
          tabindex: pos === this.focusPos ? '0' : '-1',
          ...(this.o.rowAttrs?.(data, pos) ?? {}),
        },
        on: { focusin: () => this.setFocusPos(pos) },
      },
      ...cells,
    );
    el.style.transform = `translateY(${this.offsets.top(pos)}px)`;
    return el;
  }

  /** The row that Tab comes back to (one row has tabindex 0, the others -1). */
  private setFocusPos(pos: number): void {
    if (pos === this.focusPos) {
      return;
    }
    this.cache.get(this.focusPos)?.setAttribute('tabindex', '-1');
    this.cache.get(pos)?.setAttribute('tabindex', '0');
    this.focusPos = pos;
  }

  /** Moves the roving focus to a row, scrolling it into view (and rendering it) first. */
  private focusRow(pos: number, scroll = true): void {
    if (this.count === 0) {
      return;
    }
    pos = Math.max(0, Math.min(this.count - 1, pos));
    this.focusPos = pos;
    if (scroll) {
      const top = this.offsets.top(pos) + this.body.offsetTop;
      const headerHeight = this.body.offsetTop;
      const view = this.scroller.clientHeight;
      if (top - headerHeight < this.scroller.scrollTop) {
        this.scroller.scrollTop = top - headerHeight;
      } else if (top + this.rowHeight > this.scroller.scrollTop + view) {
        this.scroller.scrollTop = top + this.rowHeight - view;
      }
      if (this.frame) {
        cancelAnimationFrame(this.frame);
        this.frame = 0;
      }
      this.rendered = { start: -1, end: -1 };
      this.render();
    }
    for (const row of this.body.querySelectorAll<HTMLElement>('.vt-row[data-index]')) {
      row.tabIndex = Number(row.dataset.index) === pos ? 0 : -1;
    }
    this.body.querySelector<HTMLElement>(`.vt-row[data-index="${pos}"]`)?.focus({ preventScroll: true });
  }

  private onKey(e: KeyboardEvent): void {
    const row = (e.target as HTMLElement).closest<HTMLElement>('.vt-row[data-index]');
    if (!row || e.target !== row) {
      return;
    }
    const pos = Number(row.dataset.index);
    const page = Math.max(1, Math.floor(this.scroller.clientHeight / this.rowHeight) - 1);
    const moves: Record<string, number> = { ArrowDown: pos + 1, ArrowUp: pos - 1, PageDown: pos + page, PageUp: pos - page, Home: 0, End: this.count - 1 };
    if (e.key in moves) {
      e.preventDefault();
      this.focusRow(moves[e.key]);
    } else if (e.key === ' ' && this.o.selection) {
      e.preventDefault();
      this.o.selection.click(pos, e.shiftKey);
      this.refreshSelection();
    } else if (e.key === 'Enter' && this.o.activate) {
      e.preventDefault();
      this.o.activate(this.get(pos), pos);
    }
  }
}
