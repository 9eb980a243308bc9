// The confirmation form of a bulk action, in a modal <dialog>: what will be acted on (the selected
// ids, or every instance matching the filter with a fresh count first), what the action needs
// (reason, or event name and JSON data checked as typed), and a confirm button that names the
// action and the count. Purge by filter runs on finished statuses only, and says so.
import type { HubBulkAction, HubBulkActionName, HubBulkTarget, HubQuery } from '../../shared/protocol/hub';
import { BULK_MAX_IDS } from '../../shared/protocol/hub';
import { jsonProblem } from '../../shared/validation';
import { append, button, clear, h, icon } from '../dom';
import { BULK_ACTION_SPECS, confirmLabel } from '../model/bulkModel';
import { describeQuery, purgeQuery } from '../model/hubFilter';
import { formatCount, plural, visibleText } from '../model/hubFormat';

export type BulkTargetChoice = { kind: 'ids'; ids: string[] } | { kind: 'filter'; query: HubQuery };

export interface BulkFormDeps {
  /** A fresh count of the instances matching a query. */
  countMatching(query: HubQuery): Promise<number>;
  formatTime(iso: string): string;
  /** Starts the action (the form has closed). `total` is the count the user confirmed. */
  submit(action: HubBulkAction, target: HubBulkTarget, total: number): void;
}

let formSeq = 0;

export function showBulkForm(dialog: HTMLDialogElement, action: HubBulkActionName, choice: BulkTargetChoice, deps: BulkFormDeps): void {
  const spec = BULK_ACTION_SPECS[action];
  const uid = `bulk-${++formSeq}`;
  clear(dialog);
  let count: number | null = choice.kind === 'ids' ? choice.ids.length : null;
  let target: HubBulkTarget;
  const notes: HTMLElement[] = [];
  const targetText = h('div', { class: 'bulk-target-text' });
  const countLine = h('div', { class: 'bulk-count-line', attrs: { 'aria-live': 'polite' } });
  if (choice.kind === 'ids') {
    target = { kind: 'ids', ids: choice.ids };
    const shown = choice.ids.slice(0, 3).map(visibleText).join(', ');
    const more = choice.ids.length > 3 ? ` and ${formatCount(choice.ids.length - 3)} more` : '';
    append(targetText, h('strong', { text: `The ${plural(choice.ids.length, 'selected instance')}` }), h('span', { class: 'muted', text: `: ${shown}${more}` }));
    if (choice.ids.length > BULK_MAX_IDS) {
      notes.push(h('p', { class: 'error-text', text: `At most ${formatCount(BULK_MAX_IDS)} instances can be acted on by id: use "All instances matching the filter" instead.` }));
    }
  } else {
    let query = choice.query;
    if (action === 'purge') {
      const adjusted = purgeQuery(query);
      query = adjusted.query;
      if (adjusted.note) {
        notes.push(h('p', { class: 'warning-text bulk-purge-note' }, icon('info'), h('span', { text: ` ${adjusted.note}` })));
      }
    }
    target = { kind: 'filter', query };
    append(targetText, h('strong', { text: 'Every instance matching the filter' }), h('div', { class: 'muted bulk-query', text: describeQuery(query, deps.formatTime) }));
  }

  const fields = h('div', { class: 'form-fields' });
  let valid = (): boolean => true;
  let collect: () => HubBulkAction;
  const confirm = button(confirmLabel(action, choice.kind, count), () => submit(), { class: `bulk-confirm ${spec.destructive ? 'danger' : 'primary'}`, icon: spec.icon });
  const cancel = button('Cancel', () => dialog.close(), { class: 'secondary' });
  const refresh = (): void => {
    const label = confirm.querySelector('span:last-child');
    if (label) {
      label.textContent = confirmLabel(action, choice.kind, count);
    }
    const tooMany = choice.kind === 'ids' && choice.ids.length > BULK_MAX_IDS;
    confirm.disabled = count === null || count === 0 || tooMany || !valid();
  };

  switch (action) {
    case 'raiseEvent': {
      const name = h('input', { class: 'input', attrs: { id: `${uid}-event`, type: 'text', placeholder: 'e.g. Approval', maxlength: 256, 'aria-required': 'true', spellcheck: 'false', 'aria-describedby': `${uid}-event-problem` } });
      const data = h('textarea', { class: 'input mono', attrs: { id: `${uid}-data`, rows: 4, placeholder: 'JSON, e.g. true or {"approved": true}; empty for null', spellcheck: 'false', 'aria-describedby': `${uid}-data-problem` } });
      const nameProblem = h('div', { class: 'field-problem', attrs: { id: `${uid}-event-problem`, 'aria-live': 'polite' } });
      const dataProblem = h('div', { class: 'field-problem', attrs: { id: `${uid}-data-problem`, 'aria-live': 'polite' } });
      let touched = false;
      const check = (): void => {
        const problem = jsonProblem(data.value);
        nameProblem.textContent = touched && !name.value.trim() ? 'The event name is required.' : '';
        dataProblem.textContent = problem ?? '';
        data.classList.toggle('invalid', !!problem);
        data.setAttribute('aria-invalid', String(!!problem));
        refresh();
      };
      name.addEventListener('input', () => {
        touched = true;
        check();
      });
      data.addEventListener('input', check);
      valid = () => !!name.value.trim() && jsonProblem(data.value) === null;
      collect = () => ({ action: 'raiseEvent', eventName: name.value.trim(), eventData: data.value });
      append(fields, h('label', { attrs: { for: name.id }, text: 'Event name' }), name, nameProblem, h('label', { attrs: { for: data.id }, text: 'Event data (JSON)' }), data, dataProblem);
      break;
    }
    case 'purge':
      collect = () => ({ action: 'purge' });
      break;
    default: {
      const reason = h('textarea', { class: 'input', attrs: { id: `${uid}-reason`, rows: 2, maxlength: 4096, placeholder: 'Optional; recorded in each instance' } });
      append(fields, h('label', { attrs: { for: reason.id }, text: 'Reason' }), reason);
      const named = action;
      collect = () => ({ action: named, reason: reason.value.trim() ? reason.value : null });
    }
  }

  const submit = (): void => {
    refresh();
    if (confirm.disabled || count === null) {
      return;
    }
    const params = collect();
    const total = count;
    dialog.close();
    deps.submit(params, target, total);
  };

  const titleId = `${uid}-title`;
  append(
    dialog,
    h(
      'form',
      {
        class: `bulk-form${spec.destructive ? ' destructive' : ''}`,
        attrs: { method: 'dialog', 'aria-labelledby': titleId },
        on: {
          submit: (e) => {
            e.preventDefault();
            submit();
          },
        },
      },
      h('div', { class: 'form-title' }, icon(spec.destructive ? 'warning' : spec.icon), h('strong', { attrs: { id: titleId }, text: `${spec.label}${action === 'raiseEvent' ? '' : ' instances'}` })),
      h('p', { class: 'form-description', text: spec.describe }),
      h('div', { class: 'bulk-target' }, icon(choice.kind === 'ids' ? 'checklist' : 'filter'), h('div', {}, targetText, countLine)),
      ...notes,
      fields,
      h('div', { class: 'form-buttons' }, confirm, cancel),
    ),
  );
  dialog.setAttribute('aria-labelledby', titleId);
  dialog.addEventListener('close', () => clear(dialog), { once: true });
  refresh();
  if (!dialog.open) {
    dialog.showModal();
  }
  (dialog.querySelector<HTMLElement>('input, textarea') ?? cancel).focus();

  if (target.kind === 'filter') {
    const query = target.query;
    append(countLine, icon('loading', 'codicon-modifier-spin'), h('span', { text: ' Counting the matching instances…' }));
    deps.countMatching(query).then(
      (n) => {
        count = n;
        countLine.replaceChildren(n === 0 ? h('span', { class: 'warning-text', text: 'No instances match now.' }) : h('span', { text: `${plural(n, 'instance')} match now.` }));
        refresh();
      },
      (e: unknown) => {
        countLine.replaceChildren(
          h('span', { class: 'error-text', text: `Could not count the matching instances: ${(e as Error).message}` }),
          button('Count again', () => showBulkForm(dialog, action, choice, deps), { class: 'secondary small' }),
        );
      },
    );
  }
}
