// The action bar and its in-page forms: each action asks for its reason or data right here (no
// modal dialogs), JSON is checked as it is typed, and destructive actions say what they do and
// confirm with a button named for the action.
import type { InstanceActionName, InstanceActionParams } from '../../shared/protocol';
import { jsonProblem } from '../../shared/validation';
import { append, button, clear, h, icon } from '../dom';

export interface ActionSpec {
  label: string;
  icon: string;
  /** Shown in the form. */
  describe: string;
  destructive: boolean;
}

export const ACTION_SPECS: Record<InstanceActionName, ActionSpec> = {
  raiseEvent: { label: 'Raise Event…', icon: 'mail', describe: 'Sends an external event to the orchestration.', destructive: false },
  suspend: { label: 'Suspend…', icon: 'debug-pause', describe: 'The orchestration stops processing until it is resumed; messages wait in its queue.', destructive: false },
  resume: { label: 'Resume…', icon: 'debug-continue', describe: 'The orchestration continues where it was suspended.', destructive: false },
  terminate: { label: 'Terminate…', icon: 'debug-stop', describe: 'The orchestration stops for good and cannot be resumed (it can be restarted).', destructive: true },
  rewind: { label: 'Rewind…', icon: 'discard', describe: 'The failed steps run again (and failed sub-orchestrations with them); the rest of the history is kept.', destructive: false },
  restart: { label: 'Restart…', icon: 'debug-restart', describe: 'Starts the same orchestrator again with the same input.', destructive: false },
  purge: { label: 'Purge…', icon: 'trash', describe: 'Deletes the instance: its history, its row and its payload blobs. This cannot be undone.', destructive: true },
  forcePurge: {
    label: 'Force Purge…',
    icon: 'trash',
    describe: 'Deletes the instance while it may still run: its history and state go, and messages still queued for it are dropped by the runtime. This cannot be undone.',
    destructive: true,
  },
};

const VERB: Record<InstanceActionName, string> = {
  raiseEvent: 'Send Event',
  suspend: 'Suspend',
  resume: 'Resume',
  terminate: 'Terminate',
  rewind: 'Rewind',
  restart: 'Restart',
  purge: 'Purge',
  forcePurge: 'Force Purge',
};

export interface ActionFormHost {
  /** Performs the action; rejects with the host's error. */
  submit(params: InstanceActionParams): Promise<void>;
  instanceId(): string;
}

/** The form of one action, inside `container` (replacing what was there). */
export function showActionForm(container: HTMLElement, action: InstanceActionName, host: ActionFormHost, onClose: () => void): void {
  const spec = ACTION_SPECS[action];
  clear(container);
  container.hidden = false;
  const error = h('div', { class: 'form-error', attrs: { role: 'alert' } });
  const fields = h('div', { class: 'form-fields' });
  let collect: () => InstanceActionParams | null;
  let valid = (): boolean => true;
  const submitButton = button(VERB[action], () => void submit(), { class: spec.destructive ? 'danger' : 'primary' });
  const cancelButton = button('Cancel', () => close(), { class: 'secondary' });

  const refreshValidity = (): void => {
    submitButton.disabled = !valid();
  };

  switch (action) {
    case 'terminate':
    case 'suspend':
    case 'resume':
    case 'rewind': {
      const reason = h('textarea', { class: 'input', attrs: { id: 'action-reason', rows: 2, placeholder: 'Optional; recorded in the instance history', maxlength: 4096 } });
      append(fields, h('label', { attrs: { for: 'action-reason' }, text: 'Reason' }), reason);
      collect = () => ({ action, reason: reason.value.trim() ? reason.value : null });
      break;
    }
    case 'raiseEvent': {
      const name = h('input', { class: 'input', attrs: { id: 'event-name', type: 'text', placeholder: 'e.g. Approval', maxlength: 256, 'aria-required': 'true' } });
      const data = h('textarea', { class: 'input mono', attrs: { id: 'event-data', rows: 4, placeholder: 'JSON, e.g. true or {"approved": true}; empty for null' } });
      const nameProblem = h('div', { class: 'field-problem', attrs: { id: 'event-name-problem', 'aria-live': 'polite' } });
      const dataProblem = h('div', { class: 'field-problem', attrs: { id: 'event-data-problem', 'aria-live': 'polite' } });
      name.setAttribute('aria-describedby', 'event-name-problem');
      data.setAttribute('aria-describedby', 'event-data-problem');
      const check = (): void => {
        const nameText = name.value.trim() ? '' : 'The event name is required.';
        const dataText = jsonProblem(data.value) ?? '';
        nameProblem.textContent = name.value || nameText === '' ? nameText : '';
        dataProblem.textContent = dataText;
        data.classList.toggle('invalid', !!dataText);
        data.setAttribute('aria-invalid', String(!!dataText));
        refreshValidity();
      };
      valid = () => !!name.value.trim() && jsonProblem(data.value) === null;
      name.addEventListener('input', check);
      data.addEventListener('input', check);
      append(fields, h('label', { attrs: { for: 'event-name' }, text: 'Event name' }), name, nameProblem, h('label', { attrs: { for: 'event-data' }, text: 'Data (JSON)' }), data, dataProblem);
      collect = () => ({ action: 'raiseEvent', eventName: name.value.trim(), eventData: data.value });
      setTimeout(() => name.focus(), 0);
      break;
    }
    case 'restart': {
      const fresh = h('input', { attrs: { type: 'radio', name: 'restart-mode', id: 'restart-new', value: 'new', checked: true } });
      const same = h('input', { attrs: { type: 'radio', name: 'restart-mode', id: 'restart-same', value: 'same' } });
      const warning = h('div', { class: 'warning-text', text: 'Its current run is replaced by a new one under the same id.' });
      warning.hidden = true;
      const update = (): void => {
        warning.hidden = !same.checked;
        submitButton.className = `button ${same.checked ? 'danger' : 'primary'}`;
        const label = submitButton.querySelector('span');
        if (label) {
          label.textContent = same.checked ? 'Restart and Replace' : 'Restart as New Instance';
        }
      };
      fresh.addEventListener('change', update);
      same.addEventListener('change', update);
      append(
        fields,
        h('div', { class: 'radio' }, fresh, h('label', { attrs: { for: 'restart-new' }, text: 'As a new instance (a new id; this one is kept)' })),
        h('div', { class: 'radio' }, same, h('label', { attrs: { for: 'restart-same' }, text: 'Under the same id (replaces this run)' })),
        warning,
      );
      collect = () => ({ action: 'restart', newInstanceId: fresh.checked });
      setTimeout(update, 0);
      break;
    }
    case 'purge':
    case 'forcePurge':
      collect = () => ({ action });
      break;
  }

  const close = (): void => {
    clear(container);
    container.hidden = true;
    onClose();
  };
  const submit = async (): Promise<void> => {
    const params = collect();
    if (!params || !valid()) {
      return;
    }
    submitButton.disabled = true;
    cancelButton.disabled = true;
    error.textContent = '';
    container.classList.add('busy');
    try {
      await host.submit(params);
      close();
    } catch (e) {
      error.textContent = (e as Error).message;
      submitButton.disabled = false;
      cancelButton.disabled = false;
    } finally {
      container.classList.remove('busy');
    }
  };

  const title = action === 'raiseEvent' ? 'Raise an event' : `${VERB[action]} this instance?`;
  append(
    container,
    h(
      'form',
      {
        class: `action-form-inner${spec.destructive ? ' destructive' : ''}`,
        attrs: { 'aria-label': title },
        on: {
          submit: (e) => {
            e.preventDefault();
            void submit();
          },
          keydown: (e) => {
            if (e.key === 'Escape') {
              close();
            }
          },
        },
      },
      h('div', { class: 'form-title' }, icon(spec.destructive ? 'warning' : spec.icon), h('strong', { text: title })),
      h('p', { class: 'form-description', text: spec.describe }),
      fields,
      error,
      h('div', { class: 'form-buttons' }, submitButton, cancelButton),
    ),
  );
  refreshValidity();
  if (action !== 'raiseEvent') {
    setTimeout(() => (container.querySelector('textarea') ?? submitButton).focus(), 0);
  }
}
