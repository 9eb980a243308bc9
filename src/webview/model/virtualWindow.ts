// Windowing for the history list: which rows to put in the DOM for a scroll position. Rows have a
// fixed height, expanded rows a taller fixed one, so offsets are known without measuring. Pure.

export class RowOffsets {
  /** offsets[k] = top of row k; offsets[count] = total height. */
  private readonly offsets: Float64Array;

  constructor(
    readonly count: number,
    heightOf: (k: number) => number,
  ) {
    this.offsets = new Float64Array(count + 1);
    for (let k = 0; k < count; k++) {
      this.offsets[k + 1] = this.offsets[k] + heightOf(k);
    }
  }

  get totalHeight(): number {
    return this.offsets[this.count];
  }

  top(k: number): number {
    return this.offsets[Math.max(0, Math.min(this.count, k))];
  }

  height(k: number): number {
    return this.top(k + 1) - this.top(k);
  }

  /** The row at a vertical position (clamped to the rows). */
  rowAt(y: number): number {
    if (this.count === 0) {
      return 0;
    }
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid] <= y) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /**
   * Rows [start, end) to render for a viewport at `scrollTop` of `viewportHeight`, with `overscan`
   * extra rows on each side.
   */
  window(scrollTop: number, viewportHeight: number, overscan = 10): { start: number; end: number } {
    if (this.count === 0) {
      return { start: 0, end: 0 };
    }
    const first = this.rowAt(Math.max(0, scrollTop));
    const last = this.rowAt(Math.max(0, scrollTop + Math.max(0, viewportHeight) - 1));
    return { start: Math.max(0, first - overscan), end: Math.min(this.count, last + 1 + overscan) };
  }
}
