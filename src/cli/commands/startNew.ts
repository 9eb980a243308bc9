// start-new: enqueue an ExecutionStarted message and write the Pending instance row; with
// --wait, then wait for the instance to finish as `durable wait` does.
import { ACTIVE_STATUSES, NotFoundError } from '../../core';
import type { ClientInstanceStatus, RuntimeStatus } from '../../core';
import { parseDate, parseJsonValue, parseTags } from '../input';
import type { CliCommand } from './common';
import { HOST_KEY_FLAG, VIA_HOST_FLAG, YES_FLAG, confirm, openInstanceClient, refuseForceOverHost } from './common';
import { completionLinksFor } from './managementUrls';
import { START_WAIT_FLAG, completionWaitSeconds, waitAndPrintCompletion } from './wait';

export const startNewCommand: CliCommand = {
  name: 'start-new',
  summary: 'Start a new orchestration instance.',
  description:
    'Enqueues the start message; the orchestration runs once a function app host is running on this task hub.\n' +
    '--input: JSON is sent as is (compacted); any other text is sent as a JSON string (--input hello is ' +
    "--input '\"hello\"'), but text starting with {, [ or \" must be valid JSON and blank text is refused; " +
    '@path reads a UTF-8 JSON file, relative to the current directory.\n' +
    '--scheduled-start-time: ISO 8601 (no zone means UTC), or a delay such as 30m, 2h or 1d from now.\n' +
    '--wait: as the HTTP API\'s start with ?timeout=: prints the output when the instance completes in time (exit 0), ' +
    'its status when it fails or is terminated (exit 1), else its management URLs (exit 3; see durable wait). ' +
    'With --json only that is printed on stdout; the started line goes to stderr.\n' +
    'With --host, the host starts it: --scheduled-start-time, --tags and --force are refused, and executionId and ' +
    'createdTime are null in the JSON output.',
  flags: [
    { name: 'function-name', kind: 'string', value: 'NAME', required: true, description: 'Orchestrator function to start.' },
    { name: 'id', kind: 'string', value: 'ID', description: 'Instance id (default: a new GUID without dashes).' },
    { name: 'input', kind: 'string', value: 'VALUE', description: 'Input: JSON, text (sent as a JSON string) or @file.json.' },
    { name: 'scheduled-start-time', kind: 'string', value: 'DATE', description: 'Do not start before this time.' },
    { name: 'tags', kind: 'list', value: 'K=V', splitCommas: false, description: 'Tags: k=v,k2=v2 (or a JSON object of strings).' },
    { name: 'force', kind: 'boolean', description: 'Start even if an instance with this id is still active (overwrites it; asks first).' },
    START_WAIT_FLAG,
    YES_FLAG,
    VIA_HOST_FLAG,
    { ...HOST_KEY_FLAG, description: `${HOST_KEY_FLAG.description} Without --host, with --wait: the key in the printed links.` },
  ],
  examples: [
    'durable start-new --function-name HelloWorld --input @counter-data.json --task-hub-name TestTaskHub',
    'durable start-new --function-name Approval --id order-42 --input \'{"amount":100}\' --tags team=sales',
    'durable start-new --function-name Nightly --scheduled-start-time 2h --json',
    'durable start-new --function-name HelloCities --wait',
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
    const waitSeconds = completionWaitSeconds(f);

    const opened = await openInstanceClient(ctx, { codeForLinks: waitSeconds !== undefined });
    refuseForceOverHost(ctx, opened, 'start-new');
    const { client } = opened;
    if (force && instanceId !== undefined) {
      let existing: ClientInstanceStatus | undefined;
      try {
        existing = await client.getInstance({ instanceId, signal: ctx.signal });
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

    const result = await client.startNew({
      name,
      ...(instanceId !== undefined ? { instanceId } : {}),
      ...(input !== undefined ? { input } : {}),
      ...(scheduledStartTime ? { scheduledStartTime } : {}),
      ...(tags ? { tags } : {}),
      force,
      signal: ctx.signal,
    });
    // The host answers with the id only.
    const started = `Started '${name}'${result.createdTime ? ` at ${result.createdTime}` : ''}. Instance ID: '${result.instanceId}'.\n`;
    if (waitSeconds === undefined) {
      if (ctx.json) {
        ctx.printJson({ instanceId: result.instanceId, executionId: result.executionId ?? null, createdTime: result.createdTime ?? null });
      } else {
        ctx.out(started);
      }
      return 0;
    }
    // stdout carries what `durable wait` prints (with --json, one JSON document); the id goes first.
    (ctx.json ? ctx.err : ctx.out)(started);
    return waitAndPrintCompletion(ctx, client, {
      instanceId: result.instanceId,
      timeoutSeconds: waitSeconds,
      links: completionLinksFor(ctx, opened, result.instanceId),
    });
  },
};
