// Every prompt a command shows goes through this seam, so tests in the extension host can answer
// them (and fail on an unexpected one) instead of a person.
import * as vscode from 'vscode';

export interface Suggestion {
  label: string;
  description?: string;
}

export interface Ui {
  showInputBox(options: vscode.InputBoxOptions): Thenable<string | undefined>;
  showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
  showQuickPickMany<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Thenable<readonly T[] | undefined>;
  /** A modal warning; resolves to the chosen button's text, or undefined for Cancel. */
  confirm(message: string, detail: string, button: string): Thenable<string | undefined>;
  showInformationMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  showErrorMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  /** A text box whose suggestions are computed from what has been typed (Go to instance). */
  pickWithSuggestions(options: { title: string; placeholder: string; suggest: (value: string) => Promise<Suggestion[]> }): Thenable<string | undefined>;
  writeClipboard(text: string): Thenable<void>;
}

export const vscodeUi: Ui = {
  showInputBox: (options) => vscode.window.showInputBox({ ignoreFocusOut: true, ...options }),
  showQuickPick: (items, options) => vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...options }),
  showQuickPickMany: (items, options) => vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...options, canPickMany: true }),
  confirm: (message, detail, button) => vscode.window.showWarningMessage(message, { modal: true, detail }, button),
  showInformationMessage: (message, ...items) => vscode.window.showInformationMessage(message, ...items),
  showErrorMessage: (message, ...items) => vscode.window.showErrorMessage(message, ...items),
  writeClipboard: (text) => vscode.env.clipboard.writeText(text),
  pickWithSuggestions: (options) =>
    new Promise((resolve) => {
      const pick = vscode.window.createQuickPick();
      pick.title = options.title;
      pick.placeholder = options.placeholder;
      pick.ignoreFocusOut = true;
      let generation = 0;
      let settled = false;
      const finish = (value: string | undefined): void => {
        if (!settled) {
          settled = true;
          resolve(value);
          pick.dispose();
        }
      };
      const update = async (value: string): Promise<void> => {
        const mine = ++generation;
        pick.busy = true;
        try {
          const suggestions = await options.suggest(value);
          if (mine === generation) {
            const typed = value && !suggestions.some((s) => s.label === value) ? [{ label: value, description: 'go to this id' }] : [];
            pick.items = [...typed, ...suggestions];
          }
        } catch (e) {
          if (mine === generation) {
            pick.items = value ? [{ label: value, description: 'go to this id' }] : [];
            pick.placeholder = `Suggestions unavailable: ${(e as Error).message}`;
          }
        } finally {
          if (mine === generation) {
            pick.busy = false;
          }
        }
      };
      pick.onDidChangeValue((v) => void update(v));
      pick.onDidAccept(() => finish(pick.selectedItems[0]?.label ?? (pick.value || undefined)));
      pick.onDidHide(() => finish(undefined));
      pick.show();
      void update('');
    }),
};

/** Thrown when the user dismisses a prompt: the command stops without an error message. */
export class UserCancelledError extends Error {
  constructor() {
    super('Cancelled by the user.');
    this.name = 'UserCancelledError';
  }
}

export function required<T>(value: T | undefined): T {
  if (value === undefined) {
    throw new UserCancelledError();
  }
  return value;
}

/** Asks; anything but `button` cancels the command (UserCancelledError). */
export async function confirmOrCancel(ui: Ui, message: string, detail: string, button: string): Promise<void> {
  if ((await ui.confirm(message, detail, button)) !== button) {
    required(undefined);
  }
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
