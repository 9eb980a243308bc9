// The task hub page's list: rows in server order as pages arrive (deduplicated by instance id),
// an optional client-side sort once every matching row is loaded, and a selection by instance id
// (so it survives sorting and paging) with shift-click ranges. Pure; 50,000 rows stay cheap.
import type { HubInstanceRow } from '../../shared/protocol/hub';

export const SORT_KEYS = ['instanceId', 'name', 'runtimeStatus', 'createdTime', 'lastUpdatedTime', 'duration', 'customStatus'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';
export interface SortState {
  key: SortKey;
  dir: SortDir;
}

export type HeaderState = 'none' | 'some' | 'all';

const FINISHED = new Set(['Completed', 'Failed', 'Canceled', 'Terminated']);

export function isFinished(status: string): boolean {
  return FINISHED.has(status);
}

function time(iso: string | null): number {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? NaN : t;
}

/** completed − created for a finished instance, now − created otherwise; NaN when unknown. */
export function rowDurationMs(row: HubInstanceRow, now: number): number {
  const created = time(row.createdTime);
  if (Number.isNaN(created)) {
    return NaN;
  }
  const end = isFinished(row.runtimeStatus) ? time(row.completedTime ?? row.lastUpdatedTime) : now;
  return Number.isNaN(end) ? NaN : Math.max(0, end - created);
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export class HubListModel<T extends HubInstanceRow = HubInstanceRow> {
  /** Server order. */
  private rows: T[] = [];
  private readonly indexById = new Map<string, number>();
  /** View position → index in `rows`, when sorted. */
  private order: Int32Array | null = null;
  private sortState: SortState | null = null;
  private readonly selected = new Set<string>();
  /** The instance id of the last plain click: one end of a shift-click range. */
  private anchor: string | null = null;

  get count(): number {
    return this.rows.length;
  }

  get sort(): SortState | null {
    return this.sortState;
  }

  /** The row at a view position. */
  at(pos: number): T {
    return this.rows[this.order ? this.order[pos] : pos];
  }

  /** The view position of an instance, -1 if it is not loaded. */
  positionOf(instanceId: string): number {
    const index = this.indexById.get(instanceId);
    if (index === undefined) {
      return -1;
    }
    return this.order ? this.order.indexOf(index) : index;
  }

  has(instanceId: string): boolean {
    return this.indexById.has(instanceId);
  }

  /** Adds a page; a row already loaded is updated in place (it moved between pages). Returns the rows added. */
  append(rows: readonly T[], now = Date.now()): number {
    let added = 0;
    for (const row of rows) {
      const index = this.indexById.get(row.instanceId);
      if (index !== undefined) {
        this.rows[index] = row;
      } else {
        this.indexById.set(row.instanceId, this.rows.length);
        this.rows.push(row);
        added++;
      }
    }
    this.resort(now);
    return added;
  }

  /** Everything again (a refresh, "load all"); the selection keeps the ids still present. */
  replace(rows: readonly T[], now = Date.now()): void {
    this.rows = [];
    this.indexById.clear();
    this.append(rows, now);
    for (const id of [...this.selected]) {
      if (!this.indexById.has(id)) {
        this.selected.delete(id);
      }
    }
    if (this.anchor !== null && !this.indexById.has(this.anchor)) {
      this.anchor = null;
    }
  }

  clear(): void {
    this.replace([]);
    this.sortState = null;
    this.order = null;
  }

  // ---- Sorting ----------------------------------------------------------------------------------

  setSort(sort: SortState | null, now = Date.now()): void {
    this.sortState = sort;
    this.resort(now);
  }

  /** A header click: a new column sorts ascending, the same column flips. */
  toggleSort(key: SortKey, now = Date.now()): SortState {
    const next: SortState = this.sortState?.key === key ? { key, dir: this.sortState.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' };
    this.setSort(next, now);
    return next;
  }

  private resort(now: number): void {
    const sort = this.sortState;
    if (!sort) {
      this.order = null;
      return;
    }
    const n = this.rows.length;
    // Keys are computed once per row (dates parsed once), not in every comparison.
    const numeric = sort.key === 'createdTime' || sort.key === 'lastUpdatedTime' || sort.key === 'duration';
    const nums = numeric ? new Float64Array(n) : null;
    const strs: string[] = numeric ? [] : new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const row = this.rows[i];
      if (nums) {
        nums[i] = sort.key === 'duration' ? rowDurationMs(row, now) : time(sort.key === 'createdTime' ? row.createdTime : row.lastUpdatedTime);
      } else {
        strs[i] = (sort.key === 'customStatus' ? row.customStatus : sort.key === 'name' ? row.name : sort.key === 'runtimeStatus' ? row.runtimeStatus : row.instanceId) ?? '';
      }
    }
    const sign = sort.dir === 'asc' ? 1 : -1;
    const indices = Array.from({ length: n }, (_, i) => i);
    indices.sort((a, b) => {
      let c: number;
      if (nums) {
        const x = nums[a];
        const y = nums[b];
        // Unknown values go last in either direction.
        if (Number.isNaN(x) || Number.isNaN(y)) {
          c = Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
          return c !== 0 ? c : a - b;
        }
        c = (x - y) * sign;
      } else {
        const x = strs[a];
        const y = strs[b];
        if (!x || !y) {
          c = !x ? (!y ? 0 : 1) : -1;
          return c !== 0 ? c : a - b;
        }
        c = collator.compare(x, y) * sign;
      }
      // Stable: server order breaks ties.
      return c !== 0 ? c : a - b;
    });
    this.order = Int32Array.from(indices);
  }

  // ---- Selection --------------------------------------------------------------------------------

  get selectedCount(): number {
    return this.selected.size;
  }

  isSelected(pos: number): boolean {
    return this.selected.has(this.at(pos).instanceId);
  }

  isSelectedId(instanceId: string): boolean {
    return this.selected.has(instanceId);
  }

  setSelected(pos: number, on: boolean): void {
    const id = this.at(pos).instanceId;
    if (on) {
      this.selected.add(id);
    } else {
      this.selected.delete(id);
    }
  }

  /**
   * A click on a row's checkbox. Plain: toggles the row and makes it the anchor. With shift: every
   * row from the anchor to this one takes the state this row toggles to.
   */
  click(pos: number, shift: boolean): void {
    if (pos < 0 || pos >= this.rows.length) {
      return;
    }
    const target = !this.isSelected(pos);
    const anchorPos = shift && this.anchor !== null ? this.positionOf(this.anchor) : -1;
    if (anchorPos >= 0) {
      const [from, to] = anchorPos <= pos ? [anchorPos, pos] : [pos, anchorPos];
      for (let k = from; k <= to; k++) {
        this.setSelected(k, target);
      }
    } else {
      this.setSelected(pos, target);
    }
    this.anchor = this.at(pos).instanceId;
  }

  /** The header checkbox: every loaded row, or none. */
  selectAll(on: boolean): void {
    if (!on) {
      this.selected.clear();
      return;
    }
    for (const row of this.rows) {
      this.selected.add(row.instanceId);
    }
  }

  headerState(): HeaderState {
    if (this.selected.size === 0 || this.rows.length === 0) {
      return 'none';
    }
    return this.selected.size >= this.rows.length && this.rows.every((r) => this.selected.has(r.instanceId)) ? 'all' : 'some';
  }

  /** The selected ids in view order. */
  selectedIds(): string[] {
    const out: string[] = [];
    for (let pos = 0; pos < this.rows.length && out.length < this.selected.size; pos++) {
      const id = this.at(pos).instanceId;
      if (this.selected.has(id)) {
        out.push(id);
      }
    }
    return out;
  }

  clearSelection(): void {
    this.selected.clear();
    this.anchor = null;
  }
}
