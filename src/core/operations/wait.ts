// Wait for an instance to finish, as WaitForCompletionOrCreateCheckStatusResponseAsync does
// (HttpApiHandler in the Functions extension): poll the status every retry interval until it is
// Completed, Failed, Terminated or Canceled or the timeout passes. The caller answers as the
// runtime does: the output when Completed, the full status when it ended otherwise, the
// check-status payload (management URLs) when it is still going.
import type { OperationOptions } from '../model';
import type { ClientInstanceStatus } from '../client';
import type { StatusSource } from './control';
import { ValidationError } from '../errors';
import { isTerminalStatus } from '../model';
import { readStatus, waitForStatus } from './control';

/** The runtime's defaults: a 10 s timeout, checked every second. */
export const DEFAULT_COMPLETION_TIMEOUT_MS = 10_000;
export const DEFAULT_COMPLETION_INTERVAL_MS = 1_000;

export type CompletionOutcome = 'completed' | 'failed' | 'terminated' | 'canceled';
export type WaitForCompletionOutcome = CompletionOutcome | 'timedOut';

export interface WaitForCompletionOptions extends OperationOptions {
  instanceId: string;
  timeoutMs: number;
  /** Time between checks; default 1 s, or the timeout when that is shorter. */
  intervalMs?: number;
}

export interface WaitForCompletionResult {
  outcome: WaitForCompletionOutcome;
  /**
   * Finished: the status with input and output (for Failed, the failure details), read once it
   * had finished. Timed out: the last status polled, without input or output.
   */
  status: ClientInstanceStatus;
}

const OUTCOMES: Readonly<Record<string, CompletionOutcome>> = {
  Completed: 'completed',
  Failed: 'failed',
  Terminated: 'terminated',
  Canceled: 'canceled',
};

/** The outcome of a finished status, undefined while the instance is still going. */
export function completionOutcome(runtimeStatus: string): CompletionOutcome | undefined {
  return isTerminalStatus(runtimeStatus) ? OUTCOMES[runtimeStatus] : undefined;
}

/** Checks the timeout and interval and fills in the default interval; both in milliseconds. */
export function completionWaitTimes(o: { timeoutMs: number; intervalMs?: number }): { timeoutMs: number; intervalMs: number } {
  if (!Number.isFinite(o.timeoutMs) || o.timeoutMs < 0) {
    throw new ValidationError('timeout', 'The timeout must be a number of seconds, 0 or more.');
  }
  if (o.intervalMs === undefined) {
    return { timeoutMs: o.timeoutMs, intervalMs: Math.min(DEFAULT_COMPLETION_INTERVAL_MS, o.timeoutMs) };
  }
  if (!Number.isFinite(o.intervalMs) || o.intervalMs <= 0) {
    throw new ValidationError('interval', 'The retry interval must be a number of seconds more than 0.');
  }
  // The runtime refuses this too (ArgumentException: the timeout "should be bigger than retry timeout").
  if (o.intervalMs > o.timeoutMs) {
    throw new ValidationError('interval', `The retry interval (${o.intervalMs / 1000} s) must not be longer than the timeout (${o.timeoutMs / 1000} s).`);
  }
  return { timeoutMs: o.timeoutMs, intervalMs: o.intervalMs };
}

/**
 * Polls until the instance has finished or the timeout passes. An unknown instance throws
 * NotFound at once (the runtime would keep polling a missing instance and time out).
 */
export async function waitForCompletion(source: StatusSource, o: WaitForCompletionOptions): Promise<WaitForCompletionResult> {
  if (!o.instanceId) {
    throw new ValidationError('id', 'The instance id is required.');
  }
  const times = completionWaitTimes(o);
  const deadline = Date.now() + times.timeoutMs;
  for (;;) {
    // Polls read the status columns only; payloads (possibly blobs) are read once, at the end.
    const polled = await waitForStatus(source, {
      instanceId: o.instanceId,
      until: (s) => isTerminalStatus(String(s.runtimeStatus)),
      timeoutMs: Math.max(0, deadline - Date.now()),
      intervalMs: times.intervalMs,
      signal: o.signal,
      onProgress: o.onProgress,
    });
    if (polled.timedOut) {
      return { outcome: 'timedOut', status: polled.status };
    }
    const status = await readStatus(source, o.instanceId, { showInput: true, showOutput: true }, o.signal);
    const outcome = completionOutcome(String(status.runtimeStatus));
    if (outcome) {
      return { outcome, status };
    }
    // Started again (restart, a start with --force) between the two reads: wait for that run.
  }
}
