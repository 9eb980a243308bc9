// The value sections of the instance page: input, output (or failure details) and custom status, as
// collapsible JSON trees with Copy and "Open as JSON document". Rebuilt only when a value changed.
import type { InstanceSnapshot, JsonValue, ValueSection, ValueView } from '../../shared/protocol';
import { button, clear, h } from '../dom';
import { jsonTree } from './jsonView';
import { formatCount } from './format';

export const SECTION_TITLES: Record<ValueSection, string> = { input: 'Input', output: 'Output', customStatus: 'Custom status', failure: 'Failure details' };

export interface ValueSectionsHost {
  copy(section: ValueSection): void;
  open(section: ValueSection): void;
  /** Sections the user closed. */
  closed(): readonly ValueSection[];
  setOpen(section: ValueSection, open: boolean): void;
}

export class ValueSections {
  readonly element = h('div', { class: 'values' });
  private sectionKeys = new Map<ValueSection, string>();

  constructor(private readonly o: ValueSectionsHost) {}

  render(s: InstanceSnapshot | undefined): void {
    if (!s) {
      clear(this.element);
      this.sectionKeys.clear();
      return;
    }
    const sections: [ValueSection, ValueView][] = [['input', s.input]];
    if (s.failure) {
      sections.push(['failure', s.failure]);
    } else {
      sections.push(['output', s.output]);
    }
    sections.push(['customStatus', s.customStatus]);
    const keys = sections.map(([name, view]) => `${name}:${view.size}:${view.kind === 'value' ? JSON.stringify(view.value) : view.text.slice(0, 200)}`);
    const same = keys.length === this.sectionKeys.size && sections.every(([name], k) => this.sectionKeys.get(name) === keys[k]);
    if (same) {
      return;
    }
    this.sectionKeys = new Map(sections.map(([name], k) => [name, keys[k]]));
    clear(this.element);
    for (const [name, view] of sections) {
      this.element.appendChild(this.section(name, view, s));
    }
  }

  private section(name: ValueSection, view: ValueView, s: InstanceSnapshot): HTMLElement {
    const empty = view.kind === 'value' && view.value === null;
    if (empty) {
      // Nothing to open: one quiet line.
      const none = name === 'output' && !s.terminal ? 'no output yet' : 'none';
      return h('div', { class: `value-empty-row section-${name}` }, h('span', { class: 'section-title', text: SECTION_TITLES[name] }), h('span', { class: 'muted', text: none }));
    }
    const stop = (e: Event): void => {
      e.preventDefault();
      e.stopPropagation();
    };
    const tools = h(
      'span',
      { class: 'section-tools' },
      button(`Copy ${SECTION_TITLES[name].toLowerCase()}`, (e) => {
        stop(e);
        this.o.copy(name);
      }, { icon: 'copy', iconOnly: true }),
      button(`Open ${SECTION_TITLES[name].toLowerCase()} as JSON document`, (e) => {
        stop(e);
        this.o.open(name);
      }, { icon: 'go-to-file', iconOnly: true }),
    );
    const size = view.size > 1024 ? `${(view.size / 1024).toFixed(view.size > 10240 ? 0 : 1)} KB` : '';
    const summary = h(
      'summary',
      { class: `section-summary${name === 'failure' ? ' failure' : ''}` },
      h('span', { class: 'section-title', text: SECTION_TITLES[name] }),
      size ? h('span', { class: 'muted', text: size }) : null,
      h('span', { class: 'spacer' }),
      tools,
    );
    let body: HTMLElement;
    if (view.kind === 'truncated') {
      body = h('div', {}, h('p', { class: 'muted', text: `Large value (${formatCount(view.size)} characters): the beginning is shown; open it as a JSON document to see it all.` }), h('pre', { class: 'value-text', text: view.text }));
    } else if (typeof view.value === 'string' && name === 'failure') {
      body = h('pre', { class: 'value-text failure-text', text: view.value });
    } else {
      // Big values open one level only (their first items render; the rest on demand).
      body = jsonTree(view.value as JsonValue, view.size > 20_000 ? 1 : 2);
    }
    const details = h('details', { class: `value-section section-${name}`, attrs: { open: !this.o.closed().includes(name) || name === 'failure' } }, summary, h('div', { class: 'value-body' }, body));
    details.addEventListener('toggle', () => {
      this.o.setOpen(name, details.open);
    });
    return details;
  }
}
