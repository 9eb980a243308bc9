// Building the page with DOM APIs only: text goes in as text nodes / textContent, never as markup,
// so instance data (ids, names, payloads full of `<script>`) can never become HTML. Attributes are
// set one by one, and `style`/`on*` attributes are refused (styles come from the stylesheet,
// classes and CSSOM; handlers from addEventListener), which also keeps the strict CSP happy.

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string | number | boolean | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (e: HTMLElementEventMap[K]) => void };
}

function checkAttribute(name: string): void {
  if (/^on/i.test(name) || name.toLowerCase() === 'style' || name.toLowerCase() === 'srcdoc') {
    throw new Error(`refusing to set attribute '${name}'`);
  }
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) {
    el.className = props.class;
  }
  if (props.text !== undefined) {
    el.textContent = props.text;
  }
  if (props.title !== undefined) {
    el.title = props.title;
  }
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) {
      continue;
    }
    checkAttribute(name);
    el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [event, handler] of Object.entries(props.on ?? {})) {
    el.addEventListener(event, handler as EventListener);
  }
  append(el, ...children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    checkAttribute(name);
    el.setAttribute(name, String(value));
  }
  append(el, ...children);
  return el;
}

/** A codicon (from the bundled @vscode/codicons stylesheet). */
export function icon(name: string, extraClass = ''): HTMLSpanElement {
  if (!/^[a-z0-9-]+$/.test(name)) {
    throw new Error(`bad icon name '${name}'`);
  }
  return h('span', { class: `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

/** A button with an optional codicon; `label` is its accessible name (and text unless iconOnly). */
export function button(label: string, onClick: (e: MouseEvent) => void, o: { icon?: string; iconOnly?: boolean; class?: string; title?: string; disabled?: boolean } = {}): HTMLButtonElement {
  const b = h(
    'button',
    {
      class: `${o.iconOnly ? 'icon-button' : 'button'}${o.class ? ` ${o.class}` : ''}`,
      title: o.title ?? (o.iconOnly ? label : undefined),
      attrs: { type: 'button', 'aria-label': o.iconOnly ? label : undefined, disabled: o.disabled },
      on: { click: onClick },
    },
    o.icon ? icon(o.icon) : null,
    o.iconOnly ? null : h('span', { text: label }),
  );
  return b;
}

export function clear(el: Element): void {
  el.replaceChildren();
}
