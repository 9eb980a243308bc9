// The timeline: the layout of ../model/timelineLayout.ts drawn as SVG, with zoom (the drawing gets
// wider and scrolls) and idle-time collapse. Clicking a bar shows its event in the history.
import { append, button, clear, h, svg } from '../dom';
import type { HistoryItem } from '../model/historyModel';
import { formatDuration } from '../model/historyModel';
import type { Span, TimelineLayout } from '../model/timelineLayout';
import { layoutTimeline, spansFromHistory } from '../model/timelineLayout';
import { formatCount, formatTimestamp } from './format';

export interface TimelineCallbacks {
  showEvent(index: number): void;
  stateChanged(): void;
  utc(): boolean;
}

const ZOOMS = [1, 1.5, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144];

const KIND_LABELS: Record<Span['kind'], string> = {
  episode: 'Orchestrator episode',
  activity: 'Activity',
  subOrchestration: 'Sub-orchestration',
  timer: 'Timer',
  event: 'External event wait',
};

export class TimelineView {
  readonly element: HTMLElement;
  private items: HistoryItem[] = [];
  private readonly scroller: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly zoomLabel: HTMLElement;
  private readonly collapseBox: HTMLInputElement;
  private lastWidth = 0;
  private dirty = true;
  private visible = false;
  layout: TimelineLayout | undefined;

  constructor(
    private readonly callbacks: TimelineCallbacks,
    public zoom: number,
    public collapseIdle: boolean,
  ) {
    this.zoom = ZOOMS.includes(zoom) ? zoom : 1;
    this.zoomLabel = h('span', { class: 'zoom-label', attrs: { 'aria-live': 'polite' } });
    this.collapseBox = h('input', { attrs: { type: 'checkbox', id: 'collapse-idle' }, on: { change: () => this.setCollapse(this.collapseBox.checked) } });
    this.collapseBox.checked = this.collapseIdle;
    this.summary = h('span', { class: 'timeline-summary muted' });
    this.scroller = h('div', { class: 'timeline-scroller', attrs: { tabindex: '0' } });
    const legend = h(
      'div',
      { class: 'legend', attrs: { 'aria-label': 'Legend' } },
      ...(['episode', 'activity', 'subOrchestration', 'timer', 'event'] as const).map((k) => h('span', { class: 'legend-item' }, h('span', { class: `swatch swatch-${k}` }), KIND_LABELS[k])),
      h('span', { class: 'legend-item' }, h('span', { class: 'swatch swatch-failed' }), 'Failed'),
    );
    this.element = h(
      'section',
      { class: 'timeline', attrs: { 'aria-label': 'Timeline' } },
      h(
        'div',
        { class: 'toolbar' },
        button('Zoom out', () => this.step(-1), { icon: 'zoom-out', iconOnly: true }),
        this.zoomLabel,
        button('Zoom in', () => this.step(1), { icon: 'zoom-in', iconOnly: true }),
        button('Fit', () => this.setZoom(1), { icon: 'screen-full', class: 'secondary small' }),
        h('label', { class: 'checkbox', attrs: { for: 'collapse-idle' } }, this.collapseBox, 'Collapse idle time'),
        this.summary,
      ),
      legend,
      this.scroller,
    );
    new ResizeObserver(() => {
      const width = this.scroller.clientWidth;
      if (width > 0 && Math.abs(width - this.lastWidth) > 8) {
        this.dirty = true;
        this.draw();
      }
    }).observe(this.scroller);
  }

  setItems(items: HistoryItem[]): void {
    this.items = items;
    this.dirty = true;
    this.draw();
  }

  /** Draws only while shown (a hidden tab costs nothing). */
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.draw();
  }

  private step(direction: 1 | -1): void {
    const at = ZOOMS.indexOf(this.zoom);
    const next = ZOOMS[Math.max(0, Math.min(ZOOMS.length - 1, (at < 0 ? 0 : at) + direction))];
    this.setZoom(next);
  }

  private setZoom(zoom: number): void {
    const before = this.scroller.scrollLeft / Math.max(1, this.scroller.scrollWidth);
    this.zoom = zoom;
    this.dirty = true;
    this.draw();
    this.scroller.scrollLeft = before * this.scroller.scrollWidth;
    this.callbacks.stateChanged();
  }

  private setCollapse(collapse: boolean): void {
    this.collapseIdle = collapse;
    this.dirty = true;
    this.draw();
    this.callbacks.stateChanged();
  }

  private draw(): void {
    this.zoomLabel.textContent = `${Math.round(this.zoom * 100)}%`;
    if (!this.visible || !this.dirty) {
      return;
    }
    const viewport = this.scroller.clientWidth || 800;
    this.lastWidth = viewport;
    this.dirty = false;
    const spans = spansFromHistory(this.items, Date.now());
    const layout = layoutTimeline(spans, { width: Math.max(200, (viewport - 24) * this.zoom), collapseIdle: this.collapseIdle, nowMs: Date.now() });
    this.layout = layout;
    const counts = new Map<string, number>();
    for (const sp of spans) {
      counts.set(sp.kind, (counts.get(sp.kind) ?? 0) + 1);
    }
    const count = (kind: string, one: string, many: string): string => {
      const n = counts.get(kind) ?? 0;
      return n ? `${formatCount(n)} ${n === 1 ? one : many}` : '';
    };
    const parts = [
      count('activity', 'activity', 'activities'),
      count('subOrchestration', 'sub-orchestration', 'sub-orchestrations'),
      count('timer', 'timer', 'timers'),
      count('event', 'external event', 'external events'),
      layout.end > layout.start ? `over ${formatDuration(layout.end - layout.start)}` : '',
      layout.breaks.length ? `${layout.breaks.length} idle gap${layout.breaks.length === 1 ? '' : 's'} collapsed` : '',
    ].filter(Boolean);
    this.summary.textContent = spans.length ? parts.join(' · ') : '';
    clear(this.scroller);
    if (spans.length === 0) {
      this.scroller.appendChild(h('p', { class: 'muted empty', text: this.items.length ? 'Nothing to draw yet: no activities, timers or events.' : 'Loading history…' }));
      return;
    }
    this.scroller.appendChild(this.svgOf(layout));
  }

  private svgOf(layout: TimelineLayout): SVGSVGElement {
    const utc = this.callbacks.utc();
    const width = Math.ceil(layout.width) + 16;
    const root = svg('svg', {
      class: 'timeline-svg',
      width,
      height: Math.ceil(layout.height),
      viewBox: `-8 0 ${width} ${Math.ceil(layout.height)}`,
      role: 'img',
      'aria-label': `Timeline of ${layout.bars.length} spans`,
    });
    const grid = svg('g', { class: 'grid' });
    for (const tick of layout.ticks) {
      append(
        grid,
        svg('line', { x1: tick.x, x2: tick.x, y1: layout.axisHeight - 4, y2: layout.height, class: 'tick-line' }),
        svg('text', { x: tick.x + 3, y: 13, class: 'tick-label' }, tick.label),
      );
    }
    const breaks = svg('g', { class: 'breaks' });
    for (const b of layout.breaks) {
      append(
        breaks,
        svg('rect', { x: b.x, y: layout.axisHeight - 4, width: Math.max(1, b.width), height: layout.height - layout.axisHeight + 4, class: 'idle-break' }, svg('title', {}, `${formatDuration(b.durationMs)} idle (collapsed)`)),
        svg('text', { x: b.x + b.width / 2, y: 13, class: 'break-label', 'text-anchor': 'middle' }, '≈'),
      );
    }
    const bars = svg('g', { class: 'bars' });
    for (const bar of layout.bars) {
      const sp = bar.span;
      const duration = formatDuration(sp.end - sp.start);
      const tip = `${KIND_LABELS[sp.kind]}: ${sp.label}\n${formatTimestamp(new Date(sp.start).toISOString(), utc)} · ${sp.open ? `${duration} so far` : duration}${sp.failed ? ' · failed' : ''}${sp.childInstanceId ? `\n${sp.childInstanceId}` : ''}`;
      const g = svg('g', { class: `bar bar-${sp.kind}${sp.failed ? ' failed' : ''}${sp.open ? ' open' : ''}`, tabindex: sp.kind === 'episode' ? -1 : 0, 'data-index': sp.index });
      append(g, svg('rect', { x: bar.x, y: bar.y, width: bar.width, height: bar.height, rx: Math.min(3, bar.height / 3) }), svg('title', {}, tip));
      if (bar.showLabel) {
        append(g, svg('text', { x: bar.x + 4, y: bar.y + bar.height / 2 + 4, class: 'bar-label' }, fitLabel(`${sp.label} · ${duration}`, bar.width - 8)));
      }
      const open = (): void => this.callbacks.showEvent(sp.index);
      g.addEventListener('click', open);
      g.addEventListener('keydown', (e) => {
        if ((e as KeyboardEvent).key === 'Enter') {
          open();
        }
      });
      bars.appendChild(g);
    }
    append(root, grid, breaks, bars, svg('line', { x1: 0, x2: layout.width, y1: layout.axisHeight - 4, y2: layout.axisHeight - 4, class: 'axis-line' }));
    return root;
  }
}

/** Cuts a label to about the characters that fit in `px` (monospace-ish estimate, 6.5 px each). */
function fitLabel(text: string, px: number): string {
  const max = Math.floor(px / 6.5);
  return text.length <= max ? text : max <= 1 ? '' : `${text.slice(0, max - 1)}…`;
}

