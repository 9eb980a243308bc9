// The storage-only commands of a task hub that work on its data as a whole: purge history by filter
// and delete the task hub. Both need a storage connection (storageHub refuses a running host's hub).
import { TERMINAL_STATUSES, deleteTaskHub, purgeInstances } from '../../core';
import type { RuntimeStatus } from '../../core';
import { storageHub } from '../tree/nodes';
import type { CommandDeps } from './index';
import type { CommandHandler } from './runner';
import { withProgress } from './runner';
import { pickHub } from './targets';
import type { Ui } from './ui';
import { confirmOrCancel, plural, required } from './ui';
import { dateProblem } from './validation';

export function hubDataCommands(deps: CommandDeps): Record<'durableExplorer.purgeHistory' | 'durableExplorer.deleteTaskHub', CommandHandler> {
  const ui = (): Ui => deps.ui();
  const { tree } = deps;
  return {
    'durableExplorer.purgeHistory': async (context, arg) => {
      const operation = 'Purge history (count the matches, confirm, purge)';
      const hubNode = await pickHub(tree, ui(), arg, operation);
      const hub = storageHub(hubNode, operation);
      const statuses = required(
        await ui().showQuickPickMany(
          TERMINAL_STATUSES.map((s) => ({ label: s, picked: true })),
          { title: `Purge history of ${hubNode.info.name}: statuses`, placeHolder: 'Finished instances with these statuses' },
        ),
      ).map((i) => i.label as RuntimeStatus);
      if (statuses.length === 0) {
        required(undefined);
      }
      const createdBefore = await pickAge(ui());
      const filter = { statuses, createdBefore };
      const counted = await withProgress('Counting instances to purge…', (signal, onProgress) => purgeInstances(hub, { ...filter, dryRun: true, signal, onProgress }));
      const matched = counted.matched;
      const when = createdBefore ? ` created before ${createdBefore.toISOString()}` : '';
      if (matched === 0) {
        void ui().showInformationMessage(`No ${statuses.join('/')} instances${when} to purge in ${hubNode.info.name}.`);
        return;
      }
      await confirmOrCancel(
        ui(),
        `Purge ${plural(matched, 'instance')} from ${hubNode.info.name}?`,
        `Deletes the history, instance rows and payload blobs of every ${statuses.join(', ')} instance${when}. This cannot be undone.`,
        `Purge ${plural(matched, 'Instance')}`,
      );
      tree.refresh(hubNode);
      const result = await withProgress(`Purging ${hubNode.info.name}`, (signal, onProgress) =>
        purgeInstances(hub, { ...filter, signal, onProgress: (r) => onProgress({ ...r, total: Math.max(matched, r.done ?? 0) }) }),
      );
      context.count = result.instancesDeleted;
      tree.refresh(hubNode);
      const failures = result.failures.length > 0 ? ` ${plural(result.failures.length, 'instance')} failed; see the log.` : '';
      for (const f of result.failures) {
        deps.log.error(`Purging '${f.instanceId}' failed: ${f.error}`);
      }
      void ui().showInformationMessage(
        `Purged ${plural(result.instancesDeleted, 'instance')} (${plural(result.rowsDeleted, 'row')}, ${plural(result.blobsDeleted, 'blob')}) from ${hubNode.info.name}.${failures}`,
      );
    },

    'durableExplorer.deleteTaskHub': async (context, arg) => {
      const operation = 'Deleting a task hub';
      const hubNode = await pickHub(tree, ui(), arg, operation);
      const hub = storageHub(hubNode, operation);
      const name = hubNode.info.name;
      required(
        await ui().showInputBox({
          title: `Delete task hub ${name}`,
          prompt: `This deletes every table, queue and blob container of '${name}': all its instances and history, and any queued messages. Type the hub name to confirm.`,
          placeHolder: name,
          validateInput: (t) => (t === name ? null : `Type '${name}' exactly to confirm.`),
        }),
      );
      const result = await withProgress(`Deleting task hub ${name}`, (signal, onProgress) => deleteTaskHub(hub.clients, { name, signal, onProgress }));
      context.count = result.deleted.length;
      tree.refresh(hubNode.parent);
      void ui().showInformationMessage(`Deleted task hub '${name}' (${plural(result.deleted.length, 'resource')}).`);
    },
  };
}

async function pickAge(ui: Ui): Promise<Date | undefined> {
  const day = 86_400_000;
  const picked = required(
    await ui.showQuickPick(
      [
        { label: 'Any age', ms: 0 },
        { label: 'Older than 1 day', ms: day },
        { label: 'Older than 7 days', ms: 7 * day },
        { label: 'Older than 30 days', ms: 30 * day },
        { label: 'Older than 90 days', ms: 90 * day },
        { label: 'Created before a date…', ms: -1 },
      ],
      { title: 'Purge history: age', placeHolder: 'Which instances, by creation time' },
    ),
  );
  if (picked.ms === 0) {
    return undefined;
  }
  if (picked.ms > 0) {
    return new Date(Date.now() - picked.ms);
  }
  const text = required(await ui.showInputBox({ title: 'Purge instances created before', placeHolder: '2026-01-31', validateInput: dateProblem }));
  return new Date(text.trim());
}
