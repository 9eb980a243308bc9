// raise-event, terminate, suspend, resume (reference §5.4–5.6): one message to the instance's
// control queue, ExecutionId null (any execution), after checking the instance can take it.
import type { InstanceStatus, OperationOptions, RuntimeStatus } from '../model';
import type { TaskHub } from '../hub';
import type { ClientInstanceStatus, InstanceClient } from '../client';
import type { MessageEvent } from '../format/messages';
import { ACTIVE_STATUSES } from '../model';
import { ConflictError, ValidationError, throwIfAborted } from '../errors';
import { eventRaisedEvent, executionResumedEvent, executionSuspendedEvent, executionTerminatedEvent } from '../format/messages';
import { getInstance } from '../instances';
import { sendControlMessage } from './send';
import { validateJsonText } from './start';

export interface ControlResult {
  instanceId: string;
  previousStatus: string;
  queue: string;
}

interface ControlOptions extends OperationOptions {
  instanceId: string;
  /** Send even when the status says the runtime will ignore or reject the message. */
  force?: boolean;
}

async function sendToInstance(
  hub: TaskHub,
  o: ControlOptions,
  allowed: readonly RuntimeStatus[],
  action: { verb: string; done: string },
  event: (now: Date) => MessageEvent,
  knownStatus?: string,
): Promise<ControlResult> {
  if (!o.instanceId) {
    throw new ValidationError('id', 'The instance id is required.');
  }
  throwIfAborted(o.signal);
  // A bulk action over a listing already holds each row's RuntimeStatus: no second read for it.
  const status = knownStatus ?? (await getInstance(hub, o.instanceId, {}, { signal: o.signal })).runtimeStatus;
  if (!o.force && !allowed.includes(status as RuntimeStatus)) {
    throw new ConflictError(
      `Cannot ${action.verb} instance '${o.instanceId}': it is ${status}; only ${allowed.join(', ')} instances can be ${action.done}.`,
      { cliHint: 'Pass --force to send the message anyway.' },
    );
  }
  const sent = await sendControlMessage(hub, { instanceId: o.instanceId, executionId: null }, event(new Date()), { signal: o.signal });
  o.onProgress?.({ message: `Sent to ${sent.queue}` });
  return { instanceId: o.instanceId, previousStatus: String(status), queue: sent.queue };
}

/** The actions of this file by name, for bulk actions. */
export type ControlAction =
  | { kind: 'terminate' | 'suspend' | 'resume'; reason?: string | null }
  | { kind: 'raiseEvent'; eventName: string; eventData: string | null };

/**
 * One control action for a bulk action that has just read the instance's Instances row (its
 * RuntimeStatus, from a query or a batched read): the same checks and message as the single
 * operations, without reading the row again. Without `knownStatus` it reads it, as they do.
 */
export function sendControlAction(hub: TaskHub, instanceId: string, action: ControlAction, knownStatus?: string): Promise<ControlResult> {
  switch (action.kind) {
    case 'terminate':
      return sendToInstance(hub, { instanceId }, ACTIVE_STATUSES, TERMINATE, (now) => executionTerminatedEvent(action.reason ?? null, now), knownStatus);
    case 'suspend':
      return sendToInstance(hub, { instanceId }, SUSPENDABLE, SUSPEND, (now) => executionSuspendedEvent(action.reason ?? null, now), knownStatus);
    case 'resume':
      return sendToInstance(hub, { instanceId }, RESUMABLE, RESUME, (now) => executionResumedEvent(action.reason ?? null, now), knownStatus);
    case 'raiseEvent': {
      if (!action.eventName) {
        throw new ValidationError('event-name', 'The event name is required.');
      }
      const data = validateJsonText(action.eventData, 'event-data');
      return sendToInstance(hub, { instanceId }, ACTIVE_STATUSES, RAISE, (now) => eventRaisedEvent(action.eventName, data, now), knownStatus);
    }
  }
}

const TERMINATE = { verb: 'terminate', done: 'terminated' };
const SUSPEND = { verb: 'suspend', done: 'suspended' };
const RESUME = { verb: 'resume', done: 'resumed' };
const RAISE = { verb: 'raise an event to', done: 'sent events' };
const SUSPENDABLE: readonly RuntimeStatus[] = ['Running', 'Pending', 'ContinuedAsNew'];
const RESUMABLE: readonly RuntimeStatus[] = ['Suspended'];

export interface RaiseEventOptions extends ControlOptions {
  eventName: string;
  /** Serialized JSON text of the event data, or null. */
  eventData: string | null;
}

export function raiseEvent(hub: TaskHub, o: RaiseEventOptions): Promise<ControlResult> {
  if (!o.eventName) {
    throw new ValidationError('event-name', 'The event name is required.');
  }
  const data = validateJsonText(o.eventData, 'event-data');
  return sendToInstance(hub, o, ACTIVE_STATUSES, RAISE, (now) => eventRaisedEvent(o.eventName, data, now));
}

export interface ReasonOptions extends ControlOptions {
  reason?: string | null;
}

export function terminateInstance(hub: TaskHub, o: ReasonOptions): Promise<ControlResult> {
  return sendToInstance(hub, o, ACTIVE_STATUSES, TERMINATE, (now) => executionTerminatedEvent(o.reason ?? null, now));
}

export function suspendInstance(hub: TaskHub, o: ReasonOptions): Promise<ControlResult> {
  return sendToInstance(hub, o, SUSPENDABLE, SUSPEND, (now) => executionSuspendedEvent(o.reason ?? null, now));
}

export function resumeInstance(hub: TaskHub, o: ReasonOptions): Promise<ControlResult> {
  return sendToInstance(hub, o, RESUMABLE, RESUME, (now) => executionResumedEvent(o.reason ?? null, now));
}

export interface WaitOptions<S extends ClientInstanceStatus = InstanceStatus> extends OperationOptions {
  instanceId: string;
  until: (status: S) => boolean;
  timeoutMs: number;
  intervalMs?: number;
}

/** What a wait polls: a task hub in storage, or an instance client of either transport. */
export type StatusSource = TaskHub | InstanceClient;

/** One read of the instance's status from a hub or a client (NotFoundError when there is none). */
export function readStatus(source: TaskHub, instanceId: string, q: { showInput?: boolean; showOutput?: boolean }, signal?: AbortSignal): Promise<InstanceStatus>;
export function readStatus(source: StatusSource, instanceId: string, q: { showInput?: boolean; showOutput?: boolean }, signal?: AbortSignal): Promise<ClientInstanceStatus>;
export function readStatus(source: StatusSource, instanceId: string, q: { showInput?: boolean; showOutput?: boolean }, signal?: AbortSignal): Promise<ClientInstanceStatus> {
  return 'transport' in source ? source.getInstance({ instanceId, ...q, signal }) : getInstance(source, instanceId, q, { signal });
}

/** Polls the instance until `until` holds or the timeout passes (as `func durable terminate` waits). */
export function waitForStatus(source: TaskHub, o: WaitOptions): Promise<{ status: InstanceStatus; timedOut: boolean }>;
export function waitForStatus(source: StatusSource, o: WaitOptions<ClientInstanceStatus>): Promise<{ status: ClientInstanceStatus; timedOut: boolean }>;
export async function waitForStatus(source: StatusSource, o: WaitOptions<never>): Promise<{ status: ClientInstanceStatus; timedOut: boolean }> {
  // Either overload's `until` takes what `readStatus` gives for its source.
  const until = o.until as (status: ClientInstanceStatus) => boolean;
  const deadline = Date.now() + o.timeoutMs;
  const interval = o.intervalMs ?? 1000;
  for (;;) {
    const status = await readStatus(source, o.instanceId, {}, o.signal);
    if (until(status)) {
      return { status, timedOut: false };
    }
    // As the runtime's wait loop: the last check falls on the deadline, not an interval before it.
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      return { status, timedOut: true };
    }
    o.onProgress?.({ message: `Waiting: instance is ${status.runtimeStatus}` });
    await sleep(Math.min(interval, remaining), o.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  }).then(() => throwIfAborted(signal));
}
