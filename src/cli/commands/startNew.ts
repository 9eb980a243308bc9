// start-new: enqueue an ExecutionStarted message and write the Pending instance row.
import { ACTIVE_STATUSES, NotFoundError, getInstance, startNew } from '../../core';
import type { InstanceStatus, RuntimeStatus } from '../../core';
import { parseDate, parseJsonValue, parseTags } from '../input';
import type { CliCommand } from './common';
import { YES_FLAG, confirm, openHub } from './common';

export const startNewCommand: CliCommand = {
  name: 'start-new',
  summary: 'Start a new orchestration instance.',
  description:
    'Enqueues the start message; the orchestration runs once a function app host is running on this task hub.\n' +
    '--input: JSON is sent as is (compacted); any other text is sent as a JSON string (--input hello is ' +
    "--input '\"hello\"'), but text starting with {, [ or \" must be valid JSON and blank text is refused; " +
    '@path reads a UTF-8 JSON file, relative to the current directory.\n' +
    '--scheduled-start-time: ISO 8601 (no zone means UTC), or a delay such as 30m, 2h or 1d from now.',
  flags: [
    { name: 'function-name', kind: 'string', value: 'NAME', required: true, description: 'Orchestrator function to start.' },
    { name: 'id', kind: 'string', value: 'ID', description: 'Instance id (default: a new GUID without dashes).' },
    { name: 'input', kind: 'string', value: 'VALUE', description: 'Input: JSON, text (sent as a JSON string) or @file.json.' },
    { name: 'scheduled-start-time', kind: 'string', value: 'DATE', description: 'Do not start before this time.' },
    { name: 'tags', kind: 'list', value: 'K=V', splitCommas: false, description: 'Tags: k=v,k2=v2 (or a JSON object of strings).' },
    { name: 'force', kind: 'boolean', description: 'Start even if an instance with this id is still active (overwrites it; asks first).' },
    YES_FLAG,
  ],
  examples: [
    'durable start-new --function-name HelloWorld --input @counter-data.json --task-hub-name TestTaskHub',
    'durable start-new --function-name Approval --id order-42 --input \'{"amount":100}\' --tags team=sales',
    'durable start-new --function-name Nightly --scheduled-start-time 2h --json',
  ],
  async run(ctx) {
    const f = ctx.flags;
    const name = f.required('function-name');
    const instanceId = f.string('id');
    const inputText = f.string('input');
    const input = inputText === undefined ? undefined : parseJsonValue(inputText, 'input', ctx.io.cwd);
    const start = f.string('scheduled-start-time');
    const scheduledStartTime = start === undefined ? undefined : parseDate(start, 'scheduled-start-time', ctx.now(), { relative: 'future' });
    const tagValues = f.list('tags');
    const tags = tagValues ? parseTags(tagValues) : undefined;
    const force = f.boolean('force');

    const { hub } = await openHub(ctx);
    if (force && instanceId !== undefined) {
      let existing: InstanceStatus | undefined;
      try {
        existing = await getInstance(hub, instanceId, {}, { signal: ctx.signal });
      } catch (e) {
        if (!(e instanceof NotFoundError)) {
          throw e;
        }
      }
      if (existing && ACTIVE_STATUSES.includes(existing.runtimeStatus as RuntimeStatus)) {
        const ok = await confirm(ctx, {
          style: 'yn',
          action: `overwrite instance '${instanceId}', which is ${existing.runtimeStatus}`,
          whenNotInteractive: 'proceed',
          command: 'start-new',
        });
        if (!ok) {
          return 1;
        }
      }
    }

    const result = await startNew(hub, {
      name,
      ...(instanceId !== undefined ? { instanceId } : {}),
      ...(input !== undefined ? { input } : {}),
      ...(scheduledStartTime ? { scheduledStartTime } : {}),
      ...(tags ? { tags } : {}),
      force,
      signal: ctx.signal,
    });
    if (ctx.json) {
      ctx.printJson({ instanceId: result.instanceId, executionId: result.executionId, createdTime: result.createdTime });
    } else {
      ctx.out(`Started '${name}' at ${result.createdTime}. Instance ID: '${result.instanceId}'.\n`);
    }
    return 0;
  },
};
