// get-runtime-status: one instance's status row.
import type { ClientInstanceStatus, JsonValue } from '../../core';
import { formatKeyValues, formatTime } from '../output';
import type { CliCommand, CommandContext } from './common';
import { HOST_KEY_FLAG, ID_FLAG, VIA_HOST_FLAG, openInstanceClient } from './common';

function jsonText(value: JsonValue | undefined): string {
  return JSON.stringify(value ?? null, null, 2);
}

/** Human form: aligned `Label: value` lines; absent optional fields are left out. */
export function formatStatus(s: ClientInstanceStatus): string {
  const tags = s.tags && Object.keys(s.tags).length > 0 ? Object.entries(s.tags).map(([k, v]) => `${k}=${v}`).join(', ') : undefined;
  return formatKeyValues([
    ['Instance ID', s.instanceId],
    ['Name', s.name],
    ['Runtime status', String(s.runtimeStatus)],
    ['Created', formatTime(s.createdTime)],
    ['Last updated', formatTime(s.lastUpdatedTime)],
    ['Completed', s.completedTime && formatTime(s.completedTime) !== '-' ? formatTime(s.completedTime) : undefined],
    ['Scheduled start', s.scheduledStartTime ? formatTime(s.scheduledStartTime) : undefined],
    ['Execution ID', s.executionId ?? '-'],
    // The host transport's status has no generation.
    ['Generation', s.generation === null ? undefined : String(s.generation)],
    ['Version', s.version ? s.version : undefined],
    ['Tags', tags],
    ['Custom status', s.customStatus === null || s.customStatus === undefined ? undefined : jsonText(s.customStatus)],
    ['Input', s.input === undefined ? undefined : jsonText(s.input)],
    ['Output', s.output === undefined ? undefined : jsonText(s.output)],
  ]);
}

/** What get-runtime-status prints: the status as JSON with --json, else formatStatus. */
export function printStatus(ctx: CommandContext, status: ClientInstanceStatus): void {
  if (ctx.json) {
    ctx.printJson(status);
  } else {
    ctx.out(formatStatus(status));
  }
}

export const getRuntimeStatusCommand: CliCommand = {
  name: 'get-runtime-status',
  summary: "Show an instance's status.",
  flags: [
    ID_FLAG,
    { name: 'show-input', kind: 'boolean', description: "Include the instance's input." },
    { name: 'show-output', kind: 'boolean', description: "Include the instance's output (or failure details)." },
    VIA_HOST_FLAG,
    HOST_KEY_FLAG,
  ],
  examples: [
    'durable get-runtime-status --id 0ab8c55a66644d68a3a8b220b12d209c --show-input --show-output',
    'durable get-runtime-status --id order-42 --host https://myapp.azurewebsites.net --code <systemKey>',
  ],
  async run(ctx) {
    const id = ctx.flags.required('id');
    const q = { showInput: ctx.flags.boolean('show-input'), showOutput: ctx.flags.boolean('show-output') };
    const { client } = await openInstanceClient(ctx);
    printStatus(ctx, await client.getInstance({ instanceId: id, ...q, signal: ctx.signal }));
    return 0;
  },
};
