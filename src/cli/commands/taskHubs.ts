// list-task-hubs and delete-task-hub: commands on whole hubs (no instance, no opened hub handle).
import { CancelledError, deleteTaskHub, listTaskHubs, openTaskHub } from '../../core';
import type { FlagSpec } from '../args';
import { EXIT_CANCELLED, formatTable } from '../output';
import type { CliCommand } from './common';
import { YES_FLAG, assertSasAllowsDelete, chooseHubName, confirm, connect, refuseHost } from './common';

/** Accepted so that a --host on these commands is refused with the reason, not as an unknown flag. */
const REFUSED_HOST_FLAGS: readonly FlagSpec[] = [
  { name: 'host', kind: 'string', value: 'URL', description: 'Refused: this command needs storage (a host\'s HTTP management API has no such operation).' },
  { name: 'code', kind: 'string', value: 'KEY', description: 'Refused, as --host.' },
];

export const listTaskHubsCommand: CliCommand = {
  name: 'list-task-hubs',
  summary: 'List the task hubs in the storage account.',
  description:
    'A task hub is found by its <hub>Instances and <hub>History tables. LAYOUT is where its partition count lives: ' +
    "'table' (<hub>Partitions, current runtimes), 'blob' (<hub>-leases/taskhub.json, older ones) or 'unknown'.\n" +
    '--task-hub-name is accepted (as on every command) and ignored.',
  flags: REFUSED_HOST_FLAGS,
  examples: ['durable list-task-hubs', 'durable list-task-hubs --connection-string-setting MyStorage --json'],
  async run(ctx) {
    refuseHost(ctx, 'Listing task hubs', 'the HTTP management API of a host works on its task hub and cannot list the account\'s');
    const { clients } = await connect(ctx);
    const hubs = await listTaskHubs(clients, { signal: ctx.signal });
    if (ctx.json) {
      ctx.printJson({ taskHubs: hubs.map((h) => ({ name: h.name, partitionCount: h.partitionCount, layout: h.layout })) });
    } else if (hubs.length === 0) {
      ctx.out(`No task hubs found in storage account '${clients.accountName}'.\n`);
    } else {
      ctx.out(
        formatTable(
          [{ header: 'NAME' }, { header: 'PARTITIONS', align: 'right' }, { header: 'LAYOUT' }],
          hubs.map((h) => [h.name, h.partitionCount === null ? '-' : String(h.partitionCount), h.layout]),
        ),
      );
    }
    return 0;
  },
};

export const deleteTaskHubCommand: CliCommand = {
  name: 'delete-task-hub',
  summary: "Delete a task hub: all its tables, queues and blobs.",
  description: 'Asks for confirmation; without a terminal, --yes is required. Re-running an interrupted delete finishes it.',
  flags: [YES_FLAG, ...REFUSED_HOST_FLAGS],
  examples: ['durable delete-task-hub --task-hub-name UserTest'],
  async run(ctx) {
    refuseHost(ctx, 'Deleting a task hub', 'the HTTP management API has no operation that deletes one');
    const connected = await connect(ctx);
    const name = await chooseHubName(ctx, connected);
    // Fails with the list of existing hubs when the name is wrong.
    await openTaskHub({ clients: connected.clients, name, signal: ctx.signal });
    assertSasAllowsDelete(connected, 'delete-task-hub');
    const ok = await confirm(ctx, {
      style: 'yes',
      action: `delete task hub '${name}' (all its tables, queues and blobs) from storage account '${connected.clients.accountName}'`,
      whenNotInteractive: 'refuse',
      command: 'delete-task-hub',
    });
    if (!ok) {
      return 1;
    }
    let result;
    try {
      result = await deleteTaskHub(connected.clients, { name, signal: ctx.signal, onProgress: (p) => ctx.progress.update(p.message) });
    } catch (e) {
      if (e instanceof CancelledError) {
        ctx.progress.clear();
        const deleted = (e.partial as { deleted?: string[] } | undefined)?.deleted ?? [];
        if (ctx.json) {
          ctx.printJson({ taskHub: name, deleted, cancelled: true });
        }
        ctx.err(`error: Delete cancelled after deleting ${deleted.length} resources. Run the same command again to finish the job.\n`);
        return EXIT_CANCELLED;
      }
      throw e;
    } finally {
      ctx.progress.clear();
    }
    if (ctx.json) {
      ctx.printJson({ taskHub: result.taskHub, deleted: result.deleted });
    } else {
      ctx.out(`Task hub '${result.taskHub}' successfully deleted.\n`);
    }
    return 0;
  },
};
