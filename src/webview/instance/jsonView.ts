// A collapsible, read-only JSON tree. Objects and arrays collapse; their children are created only
// when expanded (a 2,500-item array costs nothing until opened); long arrays show 200 items at a
// time (the first few at once, the rest of those 200 when the page is idle). Everything is text
// nodes.
import type { JsonValue } from '../../shared/protocol';
import { h } from '../dom';
import { formatCount } from './format';

const CHUNK = 200;
/**
 * Items of a long array or object created at once when it opens; the rest of its first chunk
 * follows when the page is idle (a value box shows about a dozen lines: the page's first paint
 * does not wait for two hundred).
 */
const FIRST_ITEMS = 30;

const whenIdle: (work: () => void) => void =
  typeof requestIdleCallback === 'function' ? (work) => requestIdleCallback(work, { timeout: 500 }) : (work) => setTimeout(work, 50);

function primitive(value: JsonValue): HTMLElement {
  if (value === null) {
    return h('span', { class: 'json-null', text: 'null' });
  }
  switch (typeof value) {
    case 'string':
      return h('span', { class: 'json-string', text: JSON.stringify(value) });
    case 'number':
      return h('span', { class: 'json-number', text: String(value) });
    case 'boolean':
      return h('span', { class: 'json-boolean', text: String(value) });
    default:
      return h('span', { text: String(value) });
  }
}

function keyLabel(key: string | number | undefined): HTMLElement | null {
  if (key === undefined) {
    return null;
  }
  return h('span', { class: typeof key === 'number' ? 'json-index' : 'json-key', text: typeof key === 'number' ? `${key}: ` : `${JSON.stringify(key)}: ` });
}

function isContainer(value: JsonValue): value is JsonValue[] | { [key: string]: JsonValue } {
  return value !== null && typeof value === 'object';
}

/** One node (and, when open, its children). `depth` levels below open at first. */
function node(value: JsonValue, key: string | number | undefined, openDepth: number): HTMLElement {
  if (!isContainer(value)) {
    return h('div', { class: 'json-line' }, keyLabel(key), primitive(value));
  }
  const isArray = Array.isArray(value);
  const entries: [string | number, JsonValue][] = isArray ? value.map((v, i) => [i, v]) : Object.entries(value);
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    return h('div', { class: 'json-line' }, keyLabel(key), h('span', { class: 'json-brace', text: `${open}${close}` }));
  }
  const summary = isArray ? `${formatCount(entries.length)} item${entries.length === 1 ? '' : 's'}` : `${formatCount(entries.length)} key${entries.length === 1 ? '' : 's'}`;
  const children = h('div', { class: 'json-children' });
  const closing = h('div', { class: 'json-line json-close' }, h('span', { class: 'json-brace', text: close }));
  const hint = h('span', { class: 'json-summary', text: ` ${summary} ${close}` });
  const toggle = h('button', { class: 'json-toggle', attrs: { type: 'button', 'aria-expanded': 'false', 'aria-label': `${summary}: expand or collapse` } });
  const wrapper = h('div', { class: 'json-node' }, h('div', { class: 'json-line' }, toggle, keyLabel(key), h('span', { class: 'json-brace', text: open }), hint), children, closing);
  let rendered = 0;
  const renderMore = (count = CHUNK): void => {
    const more = children.querySelector(':scope > .json-more');
    more?.remove();
    const until = Math.min(entries.length, rendered + count);
    for (; rendered < until; rendered++) {
      const [k, v] = entries[rendered];
      children.appendChild(node(v, k, openDepth - 1));
    }
    if (rendered < entries.length) {
      const left = entries.length - rendered;
      children.appendChild(
        h('button', { class: 'json-more link-button', text: `Show ${formatCount(Math.min(CHUNK, left))} more of ${formatCount(left)}`, attrs: { type: 'button' }, on: { click: () => renderMore() } }),
      );
    }
  };
  const setOpen = (isOpen: boolean): void => {
    if (isOpen && rendered === 0) {
      if (entries.length > FIRST_ITEMS) {
        renderMore(FIRST_ITEMS);
        whenIdle(() => {
          if (rendered === FIRST_ITEMS) {
            renderMore(CHUNK - FIRST_ITEMS);
          }
        });
      } else {
        renderMore();
      }
    }
    toggle.setAttribute('aria-expanded', String(isOpen));
    wrapper.classList.toggle('open', isOpen);
  };
  toggle.addEventListener('click', () => setOpen(toggle.getAttribute('aria-expanded') !== 'true'));
  setOpen(openDepth > 0);
  return wrapper;
}

/** The tree of a value; the first `openDepth` levels start expanded. */
export function jsonTree(value: JsonValue, openDepth = 2): HTMLElement {
  return h('div', { class: 'json-tree', attrs: { role: 'group' } }, node(value, undefined, openDepth));
}

/** A history event's columns, with JSON text in string columns (Input, Result…) shown as JSON. */
export function eventValue(event: JsonValue): JsonValue {
  if (!isContainer(event) || Array.isArray(event)) {
    return event;
  }
  const out: { [key: string]: JsonValue } = {};
  for (const [k, v] of Object.entries(event)) {
    out[k] = typeof v === 'string' ? parseJsonText(v) : v;
  }
  return out;
}

function parseJsonText(text: string): JsonValue {
  const t = text.trim();
  if (!/^[[{"]/.test(t) || t.length > 2_000_000) {
    return text;
  }
  try {
    return JSON.parse(t) as JsonValue;
  } catch {
    return text;
  }
}
