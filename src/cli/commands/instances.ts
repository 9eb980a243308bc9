// get-instances: one page of instances (like `func durable`, --top 10 and a continuation token),
// or with --all every page, streamed.
import { RUNTIME_STATUSES, ValidationError } from '../../core';
import type { ClientInstanceStatus, InstanceQuery, Page, RuntimeStatus } from '../../core';
import { suggest } from '../args';
import { parseDateRange, parseInteger } from '../input';
import type { TableColumn } from '../output';
import { JsonObjectWriter, StreamingTable, formatTable, formatTime, shortValue } from '../output';
import type { CliCommand, CommandContext } from './common';
import { DATE_HELP, HOST_KEY_FLAG, VIA_HOST_FLAG, openInstanceClient } from './common';

export const DEFAULT_TOP = 10;
const ALL_PAGE_SIZE = 1000;

export function instanceColumns(showInput: boolean, showOutput: boolean): TableColumn[] {
  return [
    { header: 'INSTANCE ID' },
    { header: 'NAME' },
    { header: 'STATUS' },
    { header: 'CREATED' },
    { header: 'LAST UPDATED' },
    ...(showInput ? [{ header: 'INPUT' }] : []),
    ...(showOutput ? [{ header: 'OUTPUT' }] : []),
  ];
}

export function instanceRow(s: ClientInstanceStatus, showInput: boolean, showOutput: boolean): string[] {
  return [
    s.instanceId,
    s.name,
    String(s.runtimeStatus),
    formatTime(s.createdTime),
    formatTime(s.lastUpdatedTime),
    ...(showInput ? [shortValue(s.input, 40)] : []),
    ...(showOutput ? [shortValue(s.output, 40)] : []),
  ];
}

/** One --runtime-status value; a typo gets a suggestion (`Runing` → Running). */
function runtimeStatusFlag(value: string): RuntimeStatus {
  const known = RUNTIME_STATUSES.find((s) => s.toLowerCase() === value.trim().toLowerCase());
  if (known) {
    return known;
  }
  const guess = suggest(value.trim(), RUNTIME_STATUSES);
  throw new ValidationError(
    'runtime-status',
    `Unknown runtime status '${value}'.${guess ? ` Did you mean '${guess}'?` : ''} Valid: ${RUNTIME_STATUSES.join(', ')}.`,
  );
}

/** The filter flags shared with purge-history, parsed and validated. */
export function parseInstanceFilter(ctx: CommandContext): Pick<InstanceQuery, 'createdAfter' | 'createdBefore' | 'statuses'> {
  const range = parseDateRange(ctx.flags.string('created-after'), ctx.flags.string('created-before'), ctx.now());
  const statuses = ctx.flags.list('runtime-status')?.map(runtimeStatusFlag);
  return { ...range, ...(statuses ? { statuses } : {}) };
}

export const getInstancesCommand: CliCommand = {
  name: 'get-instances',
  summary: 'List instances, optionally filtered.',
  description:
    `${DATE_HELP}\nStatuses are case-insensitive: Running, Completed, ContinuedAsNew, Failed, Canceled, Terminated, Pending, Suspended.\n` +
    'With --host, --name and --exclude-entities are refused (the HTTP management API has no such filters), and the ' +
    'JSON fields the host does not give (executionId, completedTime, scheduledStartTime, generation, version, tags) are null.',
  flags: [
    { name: 'created-after', kind: 'string', value: 'DATE', description: 'Only instances created at or after this time.' },
    { name: 'created-before', kind: 'string', value: 'DATE', description: 'Only instances created at or before this time.' },
    { name: 'runtime-status', kind: 'list', value: 'STATUS', description: 'Only these statuses (space- or comma-separated).' },
    { name: 'top', kind: 'string', value: 'N', description: `Instances per page, 1 to 1000 (default ${DEFAULT_TOP}; ${ALL_PAGE_SIZE} with --all).` },
    { name: 'continuation-token', kind: 'string', value: 'TOKEN', allowEmpty: true, description: 'Continue from the token a previous get-instances printed.' },
    { name: 'instance-id-prefix', kind: 'string', value: 'PREFIX', description: 'Only instance ids starting with this text.' },
    { name: 'name', kind: 'string', value: 'NAME', description: 'Only instances of this orchestrator (exact name).' },
    { name: 'exclude-entities', kind: 'boolean', description: 'Leave out durable entities (@name@key ids).' },
    { name: 'show-input', kind: 'boolean', description: 'Include each instance\'s input.' },
    { name: 'show-output', kind: 'boolean', description: 'Include each instance\'s output.' },
    { name: 'all', kind: 'boolean', description: 'Every matching instance, all pages, printed as they are read.' },
    VIA_HOST_FLAG,
    HOST_KEY_FLAG,
  ],
  examples: [
    'durable get-instances --created-after 2018-03-10T13:57:31Z --created-before 2018-03-10T23:59Z --top 15',
    'durable get-instances --runtime-status failed terminated --created-after 7d',
    'durable get-instances --all --json > instances.json',
    'durable get-instances --runtime-status running --host http://localhost:7071',
  ],
  async run(ctx) {
    const f = ctx.flags;
    const filter = parseInstanceFilter(ctx);
    const all = f.boolean('all');
    const topText = f.string('top');
    const pageSize = topText === undefined ? (all ? ALL_PAGE_SIZE : DEFAULT_TOP) : parseInteger(topText, 'top', 1, 1000);
    const showInput = f.boolean('show-input');
    const showOutput = f.boolean('show-output');
    const prefix = f.string('instance-id-prefix');
    const name = f.string('name');
    const query: InstanceQuery = {
      ...filter,
      ...(prefix !== undefined ? { instanceIdPrefix: prefix } : {}),
      ...(name !== undefined ? { name } : {}),
      ...(f.boolean('exclude-entities') ? { includeEntities: false } : {}),
      showInput,
      showOutput,
    };
    const token = f.string('continuation-token') ?? null;
    // No storage call before the query: a hub that does not exist fails the query with the
    // same error as opening it would have.
    const { client } = await openInstanceClient(ctx, { forReading: true });
    const read = (continuationToken: string | null): Promise<Page<ClientInstanceStatus>> =>
      client.queryInstances({ ...query, pageSize, continuationToken, signal: ctx.signal });

    if (!all) {
      const page = await read(token);
      if (ctx.json) {
        ctx.printJson({ instances: page.items, continuationToken: page.continuationToken });
        return 0;
      }
      if (page.items.length === 0) {
        ctx.out('No instances found.\n');
      } else {
        ctx.out(formatTable(instanceColumns(showInput, showOutput), page.items.map((s) => instanceRow(s, showInput, showOutput))));
      }
      if (page.continuationToken) {
        ctx.out(`Continuation token for next set of results: '${page.continuationToken}'\n`);
      }
      return 0;
    }

    // --all: page after page, each written with one write as soon as it is read, while the next
    // page is already being read; at most two pages are ever in memory.
    let text = '';
    const buffer = (chunk: string): void => {
      text += chunk;
    };
    const flush = async (): Promise<void> => {
      if (text) {
        ctx.out(text);
        text = '';
        await ctx.io.drain?.();
      }
    };
    const writer = ctx.json ? new JsonObjectWriter(buffer).beginArray('instances') : undefined;
    const table = ctx.json ? undefined : new StreamingTable(buffer, instanceColumns(showInput, showOutput), 200);
    let pending: Promise<Page<ClientInstanceStatus>> | undefined = read(token);
    while (pending) {
      const page: Page<ClientInstanceStatus> = await pending;
      pending = page.continuationToken ? read(page.continuationToken) : undefined;
      // Awaited on the next turn; until then a failure must not count as unhandled (writing may fail first).
      pending?.catch(() => undefined);
      if (writer) {
        writer.itemsOf(page.items);
      } else {
        for (const s of page.items) {
          table?.add(instanceRow(s, showInput, showOutput));
        }
      }
      await flush();
    }
    if (writer) {
      writer.endArray().field('continuationToken', null).end();
    } else if (table && table.end() === 0) {
      buffer('No instances found.\n');
    }
    await flush();
    return 0;
  },
};
