// Enqueues a management message on the instance's control queue, as DTAS's client does:
// Base64 body, TTL -1, messages over 45 KB offloaded to a gzipped blob behind a wrapper.
//
// A queue send is not idempotent: when storage took the message but the answer was lost (a reset
// or a timeout after the request went out), a retry enqueues it twice. Whether that matters
// depends on the event (checked against Azure/durabletask, src/DurableTask.Core and
// src/DurableTask.AzureStorage; faults.test.ts shows the duplicates):
// - ExecutionStarted: harmless. The worker drops a second start of the same execution
//   (TaskOrchestrationDispatcher: "Duplicate start event"; reference §5.3 DedupeExecutionStartedMessagesAsync).
// - ExecutionTerminated: harmless. The first one ends the execution; later ones find it Terminated
//   and are discarded (IsExecutableInstanceAsync: "Instance is Terminated"); within one batch
//   CompleteOrchestration runs once (executionCompletedOrTerminated).
// - ExecutionSuspended / ExecutionResumed: harmless, they set a flag (IsSuspended) to the same value.
// - GenericEvent (rewind's wake-up): harmless, the orchestrator ignores its content.
// - EventRaised: NOT harmless. The orchestration receives the event twice, and a second
//   WaitForExternalEvent of that name would consume the copy. So raise-event is sent at most
//   once: tried without the SDK's retries, and retried here only when the failure proves storage
//   never took the message (refused connection, 503 ServerBusy, 429); otherwise the error says the
//   event may or may not have been delivered.
import type { TaskHub } from '../hub';
import type { MessageEvent, OrchestrationInstanceRef } from '../format/messages';
import { buildMessage, encodeQueueBody, largeMessageBlobName, largeMessageWrapper, needsOffload } from '../format/messages';
import { hubResourceNames } from '../format/names';
import { controlQueueFor } from '../format/partition';
import { blobUrl, gzip } from '../format/payload';
import { CancelledError, NotFoundError, UnreachableError } from '../errors';
import { isNotFound, toDurableError } from '../storage/errors';


export interface SentMessage {
  queue: string;
  activityId: string;
  /** Set when the message was offloaded to `{h}-largemessages`. */
  blobName?: string;
  blobUrl?: string;
}

export async function sendControlMessage(
  hub: TaskHub,
  target: OrchestrationInstanceRef,
  event: MessageEvent,
  opts: { signal?: AbortSignal; visibilityTimeoutSeconds?: number } = {},
): Promise<SentMessage> {
  const names = hubResourceNames(hub.name);
  const queueName = controlQueueFor(hub.name, target.instanceId, hub.partitionCount);
  const message = buildMessage(target, event);
  let body = message.json;
  const sent: SentMessage = { queue: queueName, activityId: message.activityId };

  if (needsOffload(message.json)) {
    const blobName = largeMessageBlobName(message);
    const container = hub.clients.container(names.largeMessagesContainer);
    try {
      await container.createIfNotExists({ abortSignal: opts.signal });
      const content = await gzip(Buffer.from(message.json, 'utf8'));
      const blob = container.getBlockBlobClient(blobName);
      await blob.uploadData(content, { abortSignal: opts.signal });
      sent.blobName = blobName;
      // The runtime's GetBlobUrl form (each segment Uri.EscapeDataString-ed), not the SDK's.
      sent.blobUrl = blobUrl(container.url, blobName);
    } catch (e) {
      throw toDurableError(e, { endpoint: hub.clients.endpoints.blob, what: `blob '${names.largeMessagesContainer}/${blobName}'`, secrets: hub.clients.secrets });
    }
    body = largeMessageWrapper(blobName);
  }

  const sendOptions = { messageTimeToLive: -1, visibilityTimeout: opts.visibilityTimeoutSeconds, abortSignal: opts.signal };
  try {
    if (event.eventType === 'EventRaised') {
      await sendAtMostOnce(hub, queueName, encodeQueueBody(body), sendOptions);
    } else {
      await hub.clients.queue(queueName).sendMessage(encodeQueueBody(body), sendOptions);
    }
  } catch (e) {
    if (sent.blobName && neverEnqueued(e, event.eventType === 'EventRaised')) {
      // The message never reached the queue, so nothing will ever read its blob: remove it
      // rather than leave it orphaned (best effort: the error below is what matters).
      await deleteUnsentBlob(hub, names.largeMessagesContainer, sent.blobName);
    }
    if (isNotFound(e)) {
      throw new NotFoundError(
        `Control queue '${queueName}' does not exist. The task hub '${hub.name}' may use a different partition count ` +
          `(using ${hub.partitionCount}, from ${hub.partitionCountSource}) or was never started.`,
      );
    }
    throw toDurableError(e, { endpoint: hub.clients.endpoints.queue, what: `queue '${queueName}'`, secrets: hub.clients.secrets });
  }
  return sent;
}

/**
 * The send failed in a way that proves the message is not on the queue, so its blob can go. A 4xx
 * answer (other than 408/429) is final and not retried: the queue is missing or the credentials
 * may not send (an earlier attempt, if any, failed transiently, and one that was taken despite
 * that went to the same missing or refused queue).
 * With the at-most-once sender every attempt was provably not sent (it retries nothing else);
 * with the retrying client an earlier attempt may have been taken with its answer lost, so a
 * refused connection at the end proves nothing there. Anything else (a lost answer, a 500, a
 * cancel mid-request) may have enqueued it: the blob stays, as the message may need it.
 */
function neverEnqueued(e: unknown, atMostOnce: boolean): boolean {
  const status = (e as { statusCode?: number }).statusCode;
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return true;
  }
  return atMostOnce && provablyNotSent(e);
}

async function deleteUnsentBlob(hub: TaskHub, containerName: string, blobName: string): Promise<void> {
  try {
    // Not the caller's signal: a cancel that came mid-send should still clean up.
    await hub.clients.container(containerName).deleteBlob(blobName);
  } catch {
    // Left behind; purging the instance (its `{id}/message-…` blobs) removes it.
  }
}

/** Failures that prove storage never took the request: no connection, or the service refused it. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function provablyNotSent(e: unknown): boolean {
  const err = e as { statusCode?: number; code?: string };
  return err.statusCode === 503 || err.statusCode === 429 || NOT_SENT_CODES.has(err.code ?? '');
}

/** The answer was lost after the request may have reached storage. */
function maybeSent(e: unknown): boolean {
  const err = e as { statusCode?: number; code?: string; name?: string };
  return err.name !== 'AbortError' && !provablyNotSent(e) && (err.statusCode === undefined || err.statusCode === 500);
}

async function sendAtMostOnce(
  hub: TaskHub,
  queueName: string,
  text: string,
  options: { messageTimeToLive: number; visibilityTimeout?: number; abortSignal?: AbortSignal },
): Promise<void> {
  const { maxTries, retryDelayMs, maxRetryDelayMs } = hub.clients.policy;
  for (let attempt = 1; ; attempt++) {
    try {
      await hub.clients.queueSendOnce(queueName).sendMessage(text, options);
      return;
    } catch (e) {
      if (attempt < maxTries && provablyNotSent(e) && !options.abortSignal?.aborted) {
        await sleep(Math.min(retryDelayMs * 2 ** (attempt - 1), maxRetryDelayMs), options.abortSignal);
        continue;
      }
      if (maybeSent(e)) {
        const cause = toDurableError(e, { endpoint: hub.clients.endpoints.queue, what: `queue '${queueName}'`, secrets: hub.clients.secrets });
        const message =
          `${cause.message.replace(/\.$/, '')}; the event may or may not have been delivered (storage did not confirm it). ` +
          'Check the instance history before raising it again.';
        throw (e as { statusCode?: number }).statusCode === 500 ? new Error(message, { cause: e }) : new UnreachableError(hub.clients.endpoints.queue, message, { cause: e });
      }
      throw e;
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
