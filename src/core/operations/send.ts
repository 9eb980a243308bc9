// Enqueues a management message on the instance's control queue, as DTAS's client does:
// Base64 body, TTL -1, messages over 45 KB offloaded to a gzipped blob behind a wrapper.
import type { TaskHub } from '../hub';
import type { MessageEvent, OrchestrationInstanceRef } from '../format/messages';
import { buildMessage, encodeQueueBody, largeMessageBlobName, largeMessageWrapper, needsOffload } from '../format/messages';
import { hubResourceNames } from '../format/names';
import { controlQueueFor } from '../format/partition';
import { blobUrl, gzip } from '../format/payload';
import { NotFoundError } from '../errors';
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

  try {
    await hub.clients.queue(queueName).sendMessage(encodeQueueBody(body), {
      messageTimeToLive: -1,
      visibilityTimeout: opts.visibilityTimeoutSeconds,
      abortSignal: opts.signal,
    });
  } catch (e) {
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
