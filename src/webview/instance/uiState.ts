// The instance page's UI state (tab, filters, zoom, closed sections, scroll), kept with setState and
// read back defensively: a saved state is untrusted input like any other.
import type { ValueSection } from '../../shared/protocol';
import type { HistoryFilter } from '../model/historyModel';
import { isHistoryFilter } from '../model/historyModel';

export interface UiState {
  tab: 'history' | 'timeline';
  filter: HistoryFilter;
  order: 'asc' | 'desc';
  zoom: number;
  collapseIdle: boolean;
  utc: boolean;
  /** Value sections the user closed. */
  closed: ValueSection[];
  historyScroll: number;
}

export const DEFAULT_UI: UiState = { tab: 'history', filter: 'all', order: 'asc', zoom: 1, collapseIdle: true, utc: false, closed: [], historyScroll: 0 };

export function readUi(saved: unknown): UiState {
  const ui = { ...DEFAULT_UI };
  if (!saved || typeof saved !== 'object') {
    return ui;
  }
  const s = saved as Record<string, unknown>;
  if (s.tab === 'history' || s.tab === 'timeline') {
    ui.tab = s.tab;
  }
  if (isHistoryFilter(s.filter)) {
    ui.filter = s.filter;
  }
  if (s.order === 'asc' || s.order === 'desc') {
    ui.order = s.order;
  }
  if (typeof s.zoom === 'number' && s.zoom >= 1 && s.zoom <= 200) {
    ui.zoom = s.zoom;
  }
  if (typeof s.collapseIdle === 'boolean') {
    ui.collapseIdle = s.collapseIdle;
  }
  if (typeof s.utc === 'boolean') {
    ui.utc = s.utc;
  }
  if (Array.isArray(s.closed)) {
    ui.closed = s.closed.filter((x): x is ValueSection => x === 'input' || x === 'output' || x === 'customStatus' || x === 'failure');
  }
  if (typeof s.historyScroll === 'number' && s.historyScroll >= 0) {
    ui.historyScroll = s.historyScroll;
  }
  return ui;
}
