// The HTTP management links a running Durable Functions host returns for an instance
// (`CreateHttpManagementPayload`, the 202 body of `CreateCheckStatusResponse`), built the way the
// in-process extension builds them (HttpApiHandler.GetClientResponseLinks): the webhook base, the
// instance id and the query values form-encoded as .NET's WebUtility.UrlEncode does, and the
// placeholders `{eventName}` and `{text}` left for the caller to fill in.
import { ValidationError } from './errors';

export interface ManagementUrlOptions {
  /** The function app's base URL (`http://localhost:7071`, `https://app.azurewebsites.net`). */
  hostUrl: string;
  instanceId: string;
  /** Left out of the links when undefined: the host then uses its own task hub. */
  taskHub?: string;
  /** The connection's app setting name (`AzureWebJobsStorage`, or host.json's connection name); left out when undefined, as taskHub. */
  connectionName?: string;
  /** The `durabletask_extension` system key; omitted for a local host, which needs none. */
  code?: string;
}

/** The runtime's payload, same names and order. */
export interface ManagementUrls {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  rewindPostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

/** The webhook path of Functions v2 and later (v1 used /admin/extensions/DurableTaskExtension). */
export const DURABLE_WEBHOOK_PATH = '/runtime/webhooks/durabletask';

/** Where `func start` serves a function app locally. */
export const DEFAULT_MANAGEMENT_HOST_URL = 'http://localhost:7071';

/** .NET's WebUtility.UrlEncode: letters, digits and `-_.!*()` as they are, space as `+`, the rest %XX of UTF-8. */
export function formUrlEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.!*()]/.test(c)) {
      out += c;
    } else if (c === ' ') {
      out += '+';
    } else {
      out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** `http(s)://host[:port][/path]` → origin + path without a trailing slash, ending in the webhook path. */
export function managementWebhookBase(hostUrl: string): string {
  let url: URL;
  try {
    url = new URL(hostUrl.trim());
  } catch {
    throw new ValidationError('host', `'${hostUrl}' is not a URL; use the function app's base URL, e.g. http://localhost:7071.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError('host', `'${hostUrl}' is not an http or https URL.`);
  }
  if (url.search || url.hash) {
    throw new ValidationError('host', 'The host URL must not have a query or fragment.', { cliHint: 'Pass the key with --code.' });
  }
  const path = url.pathname.replace(/\/+$/, '');
  return url.origin + (path.endsWith(DURABLE_WEBHOOK_PATH) ? path : `${path}${DURABLE_WEBHOOK_PATH}`);
}

export function managementUrls(o: ManagementUrlOptions): ManagementUrls {
  if (!o.instanceId) {
    throw new ValidationError('id', 'The instance id is required.');
  }
  const prefix = `${managementWebhookBase(o.hostUrl)}/instances/${formUrlEncode(o.instanceId)}`;
  // The host appends its webhook URL's own query (the system key) as it is; a key is base64, so only
  // characters that would end or change the query value are encoded here.
  const code = o.code ? `code=${o.code.replace(/[&#%+ ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}` : undefined;
  const query = [
    ...(o.taskHub !== undefined ? [`taskHub=${formUrlEncode(o.taskHub)}`] : []),
    ...(o.connectionName !== undefined ? [`connection=${formUrlEncode(o.connectionName)}`] : []),
    ...(code ? [code] : []),
  ].join('&');
  const plain = query ? `?${query}` : '';
  const withReason = `?reason={text}${query ? `&${query}` : ''}`;
  return {
    id: o.instanceId,
    statusQueryGetUri: `${prefix}${plain}`,
    sendEventPostUri: `${prefix}/raiseEvent/{eventName}${plain}`,
    terminatePostUri: `${prefix}/terminate${withReason}`,
    rewindPostUri: `${prefix}/rewind${withReason}`,
    purgeHistoryDeleteUri: `${prefix}${plain}`,
    restartPostUri: `${prefix}/restart${plain}`,
    suspendPostUri: `${prefix}/suspend${withReason}`,
    resumePostUri: `${prefix}/resume${withReason}`,
  };
}

/** The body of a 202 check-status response (HttpApiHandler.CreateCheckStatusResponseMessage). */
export type CheckStatusPayload = Omit<ManagementUrls, 'rewindPostUri'>;

/**
 * What the runtime's CreateCheckStatusResponse and a timed-out WaitForCompletionOrCreateCheckStatusResponse
 * return: the links without rewindPostUri, which only CreateHttpManagementPayload adds.
 */
export function checkStatusPayload(urls: ManagementUrls): CheckStatusPayload {
  return {
    id: urls.id,
    statusQueryGetUri: urls.statusQueryGetUri,
    sendEventPostUri: urls.sendEventPostUri,
    terminatePostUri: urls.terminatePostUri,
    purgeHistoryDeleteUri: urls.purgeHistoryDeleteUri,
    restartPostUri: urls.restartPostUri,
    suspendPostUri: urls.suspendPostUri,
    resumePostUri: urls.resumePostUri,
  };
}
