// purge-history: delete one instance's data (--id) or every finished instance matching a filter.
// Interrupted purges report what was done; running the same command again finishes the job.
import { CancelledError, TERMINAL_STATUSES } from '../../core';
import type { ClientPurgeResult, PurgeResult, RuntimeStatus } from '../../core';
import { UsageError } from '../args';
import { EXIT_CANCELLED } from '../output';
import type { CliCommand, CommandContext } from './common';
import { DATE_HELP, HOST_KEY_FLAG, VIA_HOST_FLAG, YES_FLAG, assertSasAllowsDelete, confirm, openInstanceClient } from './common';
import { parseInstanceFilter } from './instances';

const FILTER_FLAGS = ['created-after', 'created-before', 'runtime-status', 'dry-run'];

/** "created between A and B", "created before B", … for messages. */
export function describeRange(after?: Date, before?: Date): string {
  if (after && before) {
    return `created between ${after.toISOString()} and ${before.toISOString()}`;
  }
  if (after) {
    return `created after ${after.toISOString()}`;
  }
  if (before) {
    return `created before ${before.toISOString()}`;
  }
  return 'created at any time';
}

/** What a purge reports, the same fields over both transports: the host gives the instance count only (the rest null, no failures). */
interface PurgeReport {
  instancesDeleted: number;
  rowsDeleted: number | null;
  blobsDeleted: number | null;
  failures: PurgeResult['failures'];
}

function purgeReport(r: ClientPurgeResult): PurgeReport {
  return { instancesDeleted: r.instancesDeleted, rowsDeleted: r.rowsDeleted ?? null, blobsDeleted: r.blobsDeleted ?? null, failures: r.failures ?? [] };
}

function printCounts(ctx: CommandContext, r: PurgeReport): void {
  ctx.out(`Instances deleted: ${r.instancesDeleted}\n`);
  if (r.rowsDeleted !== null && r.blobsDeleted !== null) {
    ctx.out(`Rows deleted: ${r.rowsDeleted}\nBlobs deleted: ${r.blobsDeleted}\n`);
  }
}

function reportFailures(ctx: CommandContext, r: PurgeReport): number {
  if (r.failures.length === 0) {
    return 0;
  }
  for (const f of r.failures.slice(0, 20)) {
    ctx.warn(`could not purge '${f.instanceId}': ${f.error}`);
  }
  if (r.failures.length > 20) {
    ctx.warn(`… and ${r.failures.length - 20} more.`);
  }
  ctx.err(`error: ${r.failures.length} instance${r.failures.length === 1 ? '' : 's'} could not be purged; run the command again to retry.\n`);
  return 1;
}

function isPurgeResult(x: unknown): x is PurgeResult {
  return typeof x === 'object' && x !== null && typeof (x as PurgeResult).instancesDeleted === 'number';
}

/** Ctrl-C mid-purge: say what was done, and that re-running finishes the job. */
function reportCancelled(ctx: CommandContext, e: CancelledError): number {
  const partial = isPurgeResult(e.partial) ? e.partial : undefined;
  ctx.progress.clear();
  if (ctx.json) {
    ctx.printJson({ ...(partial ?? {}), cancelled: true });
  }
  const done = partial ? `${partial.instancesDeleted} instances and ${partial.rowsDeleted} rows were deleted before stopping. ` : '';
  ctx.err(`error: Purge cancelled. ${done}Run the same command again to finish the job.\n`);
  return EXIT_CANCELLED;
}

export const purgeHistoryCommand: CliCommand = {
  name: 'purge-history',
  summary: 'Delete the history and data of finished instances.',
  description:
    'With --id, purges that one instance. Otherwise purges every instance matching the filters; the statuses default to ' +
    `all finished ones (${TERMINAL_STATUSES.join(', ')}), and only those may be given.\n` +
    `${DATE_HELP}\n` +
    'Asks for confirmation; without a terminal, --yes is required.\n' +
    'With --host, the host purges: by filter it needs --created-after and refuses --dry-run, and it reports the number of ' +
    'instances deleted only (rowsDeleted, blobsDeleted and matched are null in the JSON output).',
  flags: [
    { name: 'id', kind: 'string', value: 'ID', description: 'Purge this one instance.' },
    { name: 'force', kind: 'boolean', description: 'With --id: purge even if the instance is still active.' },
    { name: 'created-after', kind: 'string', value: 'DATE', description: 'Only instances created at or after this time.' },
    { name: 'created-before', kind: 'string', value: 'DATE', description: 'Only instances created at or before this time.' },
    { name: 'runtime-status', kind: 'list', value: 'STATUS', description: 'Only these finished statuses (space- or comma-separated).' },
    { name: 'dry-run', kind: 'boolean', description: 'Count the matching instances; delete nothing.' },
    YES_FLAG,
    VIA_HOST_FLAG,
    HOST_KEY_FLAG,
  ],
  examples: [
    'durable purge-history --created-before 2018-11-14T19:35:00.0000000Z --runtime-status failed',
    'durable purge-history --created-before 30d --dry-run',
    'durable purge-history --id order-42 --yes',
  ],
  async run(ctx) {
    const id = ctx.flags.string('id');
    if (id !== undefined) {
      const mixed = FILTER_FLAGS.filter((f) => ctx.flags.has(f));
      if (mixed.length > 0) {
        throw new UsageError(`--id purges one instance; it cannot be combined with ${mixed.map((f) => `--${f}`).join(', ')}.`, 'purge-history');
      }
      return purgeOne(ctx, id);
    }
    if (ctx.flags.boolean('force')) {
      throw new UsageError('--force applies to purging one instance (--id) only.', 'purge-history');
    }
    return purgeByFilter(ctx);
  },
};

async function purgeOne(ctx: CommandContext, id: string): Promise<number> {
  const opened = await openInstanceClient(ctx);
  if (opened.storage) {
    assertSasAllowsDelete(opened.storage, 'purge-history');
  }
  const ok = await confirm(ctx, {
    style: 'yes',
    action: `purge instance '${id}' from ${opened.where}`,
    whenNotInteractive: 'refuse',
    command: 'purge-history',
  });
  if (!ok) {
    return 1;
  }
  let result: PurgeReport;
  try {
    result = purgeReport(await opened.client.purgeInstance({ instanceId: id, force: ctx.flags.boolean('force'), signal: ctx.signal }));
  } catch (e) {
    if (e instanceof CancelledError) {
      return reportCancelled(ctx, e);
    }
    throw e;
  }
  if (ctx.json) {
    ctx.printJson(result);
  } else {
    printCounts(ctx, result);
  }
  return reportFailures(ctx, result);
}

async function purgeByFilter(ctx: CommandContext): Promise<number> {
  const filter = parseInstanceFilter(ctx);
  const dryRun = ctx.flags.boolean('dry-run');
  const statuses: readonly RuntimeStatus[] = filter.statuses && filter.statuses.length > 0 ? filter.statuses : TERMINAL_STATUSES;
  const what = `${statuses.join(', ')} instances ${describeRange(filter.createdAfter, filter.createdBefore)}`;
  const opened = await openInstanceClient(ctx);
  if (!dryRun) {
    if (opened.storage) {
      assertSasAllowsDelete(opened.storage, 'purge-history');
    }
    const ok = await confirm(ctx, {
      style: 'yes',
      action: `purge the history of all ${what} in ${opened.where}`,
      whenNotInteractive: 'refuse',
      command: 'purge-history',
    });
    if (!ok) {
      return 1;
    }
  }
  let result;
  try {
    result = await opened.client.purgeInstances({
      ...filter,
      dryRun,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress.update(p.message),
    });
  } catch (e) {
    if (e instanceof CancelledError) {
      return reportCancelled(ctx, e);
    }
    throw e;
  } finally {
    ctx.progress.clear();
  }
  const report = purgeReport(result);
  if (ctx.json) {
    ctx.printJson({ ...report, matched: result.matched ?? null, dryRun: result.dryRun ?? dryRun });
  } else if (dryRun) {
    ctx.out(`Dry run: ${result.matched} ${what} would be purged from ${opened.where}. Nothing was deleted.\n`);
  } else {
    ctx.out(`Purged the history of ${what} in ${opened.where}.\n`);
    printCounts(ctx, report);
  }
  return reportFailures(ctx, report);
}
