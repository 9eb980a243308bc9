// The one wrapper every command runs in: one-line error messages (details, masked, in the log),
// typed telemetry with no identifiers, and silence when the user cancels.
import * as vscode from 'vscode';
import { CancelledError, isDurableError } from '../../core';
import type { ProgressReport } from '../../core';
import type { CommandId } from '../commandIds';
import { commandShortName } from '../commandIds';
import type { Log } from '../log';
import type { Telemetry } from '../telemetry';
import { errorCode, oneLine } from '../tree/treeProvider';
import type { Ui } from './ui';
import { UserCancelledError } from './ui';

export interface CommandContext {
  /** Set by a handler: how many items it acted on (purged instances…), for telemetry. */
  count?: number;
}

export type CommandHandler = (context: CommandContext, ...args: unknown[]) => Promise<void>;

export interface RunnerDeps {
  log: Log;
  telemetry: Telemetry;
  ui: () => Ui;
}

/** The last failure each command reported (tests read it; nothing else does). */
export const lastErrors = new Map<CommandId, string>();

export function registerCommand(deps: RunnerDeps, id: CommandId, handler: CommandHandler): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    const started = Date.now();
    const context: CommandContext = {};
    const invokedFrom = args[0] && typeof args[0] === 'object' && 'type' in (args[0] as object) ? 'tree' : 'palette';
    const name = commandShortName(id);
    lastErrors.delete(id);
    try {
      await handler(context, ...args);
      deps.telemetry.send('command', { command: name, result: 'Succeeded', invokedFrom }, { durationMs: Date.now() - started, count: context.count });
    } catch (e) {
      const measurements = { durationMs: Date.now() - started, count: context.count };
      if (e instanceof UserCancelledError) {
        deps.telemetry.send('command', { command: name, result: 'Canceled', invokedFrom }, measurements);
        return;
      }
      const message = deps.log.mask(e instanceof Error ? e.message : String(e));
      if (e instanceof CancelledError) {
        // Cancelled part-way: say what was done, as an information message, not an error.
        deps.log.info(`${name}: ${message}`);
        deps.telemetry.send('command', { command: name, result: 'Canceled', invokedFrom }, measurements);
        void deps.ui().showInformationMessage(oneLine(message));
        return;
      }
      lastErrors.set(id, message);
      deps.log.error(`Command ${name} failed`, e);
      deps.telemetry.send('command', { command: name, result: 'Failed', errorCode: errorCode(e), invokedFrom }, measurements);
      const shown = isDurableError(e) ? oneLine(message) : `${name}: ${oneLine(message)}`;
      void deps.ui().showErrorMessage(shown, 'Show Log').then((choice) => {
        if (choice === 'Show Log') {
          deps.log.channel.show(true);
        }
      });
    }
  });
}

/**
 * Runs long work under a cancellable notification. The core sees an AbortSignal; its progress
 * reports become "Purged 300 / 1,200".
 */
export function withProgress<T>(
  title: string,
  work: (signal: AbortSignal, onProgress: (report: ProgressReport) => void) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    let lastPercent = 0;
    const onProgress = (report: ProgressReport): void => {
      const counts =
        report.done !== undefined && report.total ? `${report.done.toLocaleString('en-US')} / ${report.total.toLocaleString('en-US')}` : undefined;
      const percent = report.done !== undefined && report.total ? Math.min(100, (report.done / report.total) * 100) : undefined;
      const increment = percent !== undefined ? Math.max(0, percent - lastPercent) : undefined;
      if (percent !== undefined) {
        lastPercent = percent;
      }
      progress.report({ message: counts ?? report.message, increment });
    };
    return work(controller.signal, onProgress).finally(() => subscription.dispose());
  });
}
