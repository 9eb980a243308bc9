// wait (and start-new --wait): WaitForCompletionOrCreateCheckStatusResponseAsync from the command
// line. Completed → the output, as the runtime's 200 body; Failed, Terminated or Canceled → the
// status, as get-runtime-status prints it, exit 1; still going at the timeout → the check-status
// payload (the get-management-urls links), exit EXIT_TIMED_OUT.
import { DEFAULT_COMPLETION_INTERVAL_MS, DEFAULT_COMPLETION_TIMEOUT_MS, DEFAULT_MANAGEMENT_HOST_URL, ValidationError, checkStatusPayload, completionWaitTimes, waitForCompletion } from '../../core';
import type { InstanceClient, ManagementUrls } from '../../core';
import type { FlagSpec, Flags } from '../args';
import { EXIT_FAILURE, EXIT_OK, EXIT_TIMED_OUT } from '../output';
import type { CliCommand, CommandContext } from './common';
import { ID_FLAG, VIA_HOST_FLAG, openInstanceClient } from './common';
import { CODE_FLAG, completionLinksFor, printManagementUrls } from './managementUrls';
import { printStatus } from './status';

const DEFAULT_TIMEOUT_SECONDS = DEFAULT_COMPLETION_TIMEOUT_MS / 1000;
const DEFAULT_INTERVAL_SECONDS = DEFAULT_COMPLETION_INTERVAL_MS / 1000;
const MAX_SECONDS = 24 * 3600;

/** Seconds, fractions allowed (the runtime's timeout and retry interval are doubles: `0.5`). */
export function parseSeconds(value: string, flag: string): number {
  const text = value.trim();
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n) || n > MAX_SECONDS) {
    throw new ValidationError(flag, `--${flag} must be a number of seconds from 0 to ${MAX_SECONDS}, not '${value}'.`);
  }
  return n;
}

/** start-new's `--wait` alone → 10 s, `--wait S` → S s, absent → undefined. */
export function completionWaitSeconds(flags: Flags): number | undefined {
  const wait = flags.optional('wait');
  if (wait === undefined) {
    return undefined;
  }
  return wait === true ? DEFAULT_TIMEOUT_SECONDS : parseSeconds(wait, 'wait');
}

export const START_WAIT_FLAG: FlagSpec = {
  name: 'wait',
  kind: 'optional',
  value: 'SECONDS',
  description:
    `Then wait for the instance to finish, as 'durable wait' does (default ${DEFAULT_TIMEOUT_SECONDS} s when no value is given): ` +
    'its output, or its status if it failed, or its management URLs if it is still running.',
};

export interface CompletionWait {
  instanceId: string;
  timeoutSeconds: number;
  intervalSeconds?: number;
  /** The check-status links to print on timeout (built before waiting, so a bad --host fails first). */
  links: ManagementUrls;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** Waits and prints the outcome; returns the exit code. */
export async function waitAndPrintCompletion(ctx: CommandContext, client: InstanceClient, w: CompletionWait): Promise<number> {
  let r;
  try {
    r = await waitForCompletion(client, {
      instanceId: w.instanceId,
      timeoutMs: w.timeoutSeconds * 1000,
      ...(w.intervalSeconds !== undefined ? { intervalMs: w.intervalSeconds * 1000 } : {}),
      signal: ctx.signal,
      onProgress: (p) => ctx.progress.update(p.message),
    });
  } finally {
    ctx.progress.clear();
  }
  const status = String(r.status.runtimeStatus);
  switch (r.outcome) {
    case 'completed':
      // The 200 body is the output itself: the same JSON with or without --json.
      ctx.printJson(r.status.output ?? null);
      return EXIT_OK;
    case 'timedOut': {
      const hint = status === 'Pending' ? ' It starts once a function app host is running on this task hub.' : '';
      ctx.err(`Instance '${w.instanceId}' is still ${status} after ${plural(w.timeoutSeconds, 'second')}.${hint}\n`);
      // The runtime's 202 body: the links without rewindPostUri.
      printManagementUrls(ctx, checkStatusPayload(w.links));
      return EXIT_TIMED_OUT;
    }
    default:
      printStatus(ctx, r.status);
      ctx.err(`error: Instance '${w.instanceId}' did not complete: it is ${status}.\n`);
      return EXIT_FAILURE;
  }
}

export const waitCommand: CliCommand = {
  name: 'wait',
  summary: 'Wait for an instance to finish; print its output, or its management URLs if it is still running.',
  description:
    'As WaitForCompletionOrCreateCheckStatusResponseAsync: checks the status every --interval seconds (default ' +
    `${DEFAULT_INTERVAL_SECONDS}, or the timeout when shorter) for up to --timeout seconds (default ${DEFAULT_TIMEOUT_SECONDS}); ` +
    'fractions such as 0.5 are allowed, and the interval may not be longer than the timeout.\n' +
    'Completed: prints the output as JSON (the runtime\'s 200 body), exit 0.\n' +
    'Failed, Terminated or Canceled: prints the status with input and output as get-runtime-status does, exit 1.\n' +
    `Still running at the timeout: prints the check-status payload (its management links), exit ${EXIT_TIMED_OUT}.\n` +
    'With --host, the status is polled through that host, and the links are its own. Without --host, the links are for ' +
    `${DEFAULT_MANAGEMENT_HOST_URL}, with --code's key.`,
  flags: [
    ID_FLAG,
    { name: 'timeout', kind: 'string', value: 'SECONDS', description: `How long to wait (default ${DEFAULT_TIMEOUT_SECONDS}).` },
    { name: 'interval', kind: 'string', value: 'SECONDS', description: `Time between checks (default ${DEFAULT_INTERVAL_SECONDS}).` },
    VIA_HOST_FLAG,
    { ...CODE_FLAG, description: `The host's durabletask_extension system key: sent to --host, and put in the printed links.` },
  ],
  examples: [
    'durable wait --id 0ab8c55a66644d68a3a8b220b12d209c',
    'durable wait --id order-42 --timeout 2 --interval 0.5 --json',
    'durable wait --id order-42 --timeout 60 --host https://myapp.azurewebsites.net --code <systemKey>',
  ],
  async run(ctx) {
    const instanceId = ctx.flags.required('id');
    const timeout = ctx.flags.string('timeout');
    const interval = ctx.flags.string('interval');
    const timeoutSeconds = timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : parseSeconds(timeout, 'timeout');
    const intervalSeconds = interval === undefined ? undefined : parseSeconds(interval, 'interval');
    // Refuse a bad pair before connecting, not after.
    completionWaitTimes({ timeoutMs: timeoutSeconds * 1000, ...(intervalSeconds !== undefined ? { intervalMs: intervalSeconds * 1000 } : {}) });
    const opened = await openInstanceClient(ctx, { codeForLinks: true });
    const links = completionLinksFor(ctx, opened, instanceId);
    return waitAndPrintCompletion(ctx, opened.client, { instanceId, timeoutSeconds, ...(intervalSeconds !== undefined ? { intervalSeconds } : {}), links });
  },
};
