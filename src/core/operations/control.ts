// raise-event, terminate, suspend, resume (reference §5.4–5.6): one message to the instance's
// control queue, ExecutionId null (any execution), after checking the instance can take it.
import type { InstanceStatus, OperationOptions, RuntimeStatus } from '../model';
import type { TaskHub } from '../hub';
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
): Promise<ControlResult> {
  if (!o.instanceId) {
    throw new ValidationError('id', 'The instance id is required.');
  }
  throwIfAborted(o.signal);
  const status: InstanceStatus = await getInstance(hub, o.instanceId, {}, { signal: o.signal });
  if (!o.force && !allowed.includes(status.runtimeStatus as RuntimeStatus)) {
    throw new ConflictError(
      `Cannot ${action.verb} instance '${o.instanceId}': it is ${status.runtimeStatus}; only ${allowed.join(', ')} instances can be ${action.done}. ` +
        'Pass --force to send the message anyway.',
    );
  }
  const sent = await sendControlMessage(hub, { instanceId: o.instanceId, executionId: null }, event(new Date()), { signal: o.signal });
  o.onProgress?.({ message: `Sent to ${sent.queue}` });
  return { instanceId: o.instanceId, previousStatus: String(status.runtimeStatus), queue: sent.queue };
}

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
  return sendToInstance(hub, o, ACTIVE_STATUSES, { verb: 'raise an event to', done: 'sent events' }, (now) => eventRaisedEvent(o.eventName, data, now));
}

export interface ReasonOptions extends ControlOptions {
  reason?: string | null;
}

export function terminateInstance(hub: TaskHub, o: ReasonOptions): Promise<ControlResult> {
  return sendToInstance(hub, o, ACTIVE_STATUSES, { verb: 'terminate', done: 'terminated' }, (now) => executionTerminatedEvent(o.reason ?? null, now));
}

export function suspendInstance(hub: TaskHub, o: ReasonOptions): Promise<ControlResult> {
  return sendToInstance(hub, o, ['Running', 'Pending', 'ContinuedAsNew'], { verb: 'suspend', done: 'suspended' }, (now) => executionSuspendedEvent(o.reason ?? null, now));
}

export function resumeInstance(hub: TaskHub, o: ReasonOptions): Promise<ControlResult> {
  return sendToInstance(hub, o, ['Suspended'], { verb: 'resume', done: 'resumed' }, (now) => executionResumedEvent(o.reason ?? null, now));
}

export interface WaitOptions extends OperationOptions {
  instanceId: string;
  until: (status: InstanceStatus) => boolean;
  timeoutMs: number;
  intervalMs?: number;
}

/** Polls the instance until `until` holds or the timeout passes (as `func durable terminate` waits). */
export async function waitForStatus(hub: TaskHub, o: WaitOptions): Promise<{ status: InstanceStatus; timedOut: boolean }> {
  const deadline = Date.now() + o.timeoutMs;
  const interval = o.intervalMs ?? 1000;
  for (;;) {
    const status = await getInstance(hub, o.instanceId, {}, { signal: o.signal });
    if (o.until(status)) {
      return { status, timedOut: false };
    }
    if (Date.now() + interval > deadline) {
      return { status, timedOut: true };
    }
    o.onProgress?.({ message: `Waiting: instance is ${status.runtimeStatus}` });
    await sleep(interval, o.signal);
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
