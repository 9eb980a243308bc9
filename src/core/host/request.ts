// Requests to the HTTP management API of a running Functions host (the Durable extension's
// HttpApiHandler, below /runtime/webhooks/durabletask), and the host's answers turned into core's
// errors. The system key travels in the x-functions-key header, never in a URL, so no URL that a
// proxy, a log or an error shows carries it; any text the host sends back is masked with it too.
// Nothing is retried: a start or an event sent twice would run twice.
import { CancelledError, ConflictError, UnauthorizedError, UnreachableError, ValidationError, maskSecrets } from '../errors';
import { managementWebhookBase } from '../managementUrls';

export interface HostEndpoint {
  /** The webhook base, `<host>/runtime/webhooks/durabletask`, without a query. */
  readonly webhook: string;
  /** The host's origin, for messages. */
  readonly origin: string;
  /** `taskHub` and `connection`, sent with every request when set. */
  readonly common: Readonly<Record<string, string>>;
  readonly code?: string;
  readonly fetch: typeof fetch;
}

export interface HostRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path segments below the webhook base, as they are (each is percent-encoded here). */
  path: readonly string[];
  query?: Record<string, string | undefined>;
  /** JSON text, sent as application/json. */
  body?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface HostResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body; undefined when the body is empty. */
  body: unknown;
  /** The body's text (masked), for messages. */
  text: string;
}

/** Header values are visible ASCII and spaces; anything else fetch refuses, quoting the value. */
const HEADER_SAFE = /^[\x20-\x7e]+$/;

export function hostEndpoint(o: { baseUrl: string; code?: string; taskHub?: string; connectionName?: string; fetch?: typeof fetch }): HostEndpoint {
  const webhook = managementWebhookBase(o.baseUrl);
  if (o.code && !HEADER_SAFE.test(o.code)) {
    throw new ValidationError('code', 'The host key has characters an HTTP header cannot carry; copy the key again.');
  }
  const common: Record<string, string> = {};
  if (o.taskHub) {
    common.taskHub = o.taskHub;
  }
  if (o.connectionName) {
    common.connection = o.connectionName;
  }
  return { webhook, origin: new URL(webhook).origin, common, code: o.code || undefined, fetch: o.fetch ?? fetch };
}

export function requestUrl(endpoint: HostEndpoint, r: Pick<HostRequest, 'path' | 'query'>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...r.query, ...endpoint.common })) {
    if (value !== undefined) {
      params.append(name, value);
    }
  }
  const query = params.toString();
  // Path segments are percent-encoded: the host decodes %XX in the path but not '+' (a form-encoded space).
  return `${endpoint.webhook}/${r.path.map(encodeURIComponent).join('/')}${query ? `?${query}` : ''}`;
}

/** The error code under a fetch failure (undici puts the socket's error in `cause`). */
function networkCode(e: unknown): string | undefined {
  const cause = (e as { cause?: { code?: unknown; errors?: Array<{ code?: unknown }> } }).cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
}

export async function sendToHost(endpoint: HostEndpoint, r: HostRequest): Promise<HostResponse> {
  if (r.signal?.aborted) {
    throw new CancelledError();
  }
  const headers: Record<string, string> = { Accept: 'application/json', ...r.headers };
  if (r.body !== undefined) {
    headers['Content-Type'] = 'application/json; charset=utf-8';
  }
  if (endpoint.code) {
    headers['x-functions-key'] = endpoint.code;
  }
  const secrets = endpoint.code ? [endpoint.code] : [];
  let response: Response;
  let text: string;
  try {
    response = await endpoint.fetch(requestUrl(endpoint, r), { method: r.method, headers, body: r.body, signal: r.signal });
    text = await response.text();
  } catch (e) {
    if (r.signal?.aborted) {
      throw new CancelledError();
    }
    const code = networkCode(e);
    const detail = code ?? maskSecrets((e as Error).message ?? String(e), secrets);
    throw new UnreachableError(
      endpoint.origin,
      `No Functions host answered at ${endpoint.origin} (${detail}). Start the function app (func start) or check the URL.`,
      { cause: e },
    );
  }
  text = maskSecrets(text, secrets);
  let body: unknown;
  if (text.trim().length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: only an error answer can be so; `text` says what came back.
    }
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** The host's error text: CreateErrorResponse's ExceptionMessage or Message, a bare JSON string, or the text. */
export function hostMessage(r: HostResponse): string {
  const body = r.body as { Message?: unknown; ExceptionMessage?: unknown } | string | undefined;
  const message = typeof body === 'string' ? body : typeof body?.ExceptionMessage === 'string' && body.ExceptionMessage ? body.ExceptionMessage : body?.Message;
  const text = typeof message === 'string' && message ? message : r.text;
  const line = text.split('\n')[0].trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line || 'no details';
}

function exceptionType(r: HostResponse): string {
  const type = (r.body as { ExceptionType?: unknown } | undefined)?.ExceptionType;
  return typeof type === 'string' ? type : '';
}

/**
 * A 500 that is the instance's state refusing the operation: DurableClient's InvalidOperationException
 * ("… because instance is in the Running state", "only supported on failed orchestration instances")
 * or a start over an instance that is still running.
 */
function isStateRefusal(r: HostResponse): boolean {
  const type = exceptionType(r);
  return type.endsWith('OrchestrationAlreadyExistsException') || (type === 'System.InvalidOperationException' && /\bstate\b|failed orchestration instances/i.test(hostMessage(r)));
}

/**
 * The error for an answer the operation did not expect. `field` names the input a 400 is about.
 * A 404 here (not an instance route) means the URL serves no management API.
 */
export function hostError(endpoint: HostEndpoint, r: HostResponse, field: string): Error {
  switch (r.status) {
    case 400:
      return new ValidationError(field, `The Functions host refused the request: ${hostMessage(r)}`);
    case 401:
    case 403:
      return new UnauthorizedError(
        `The Functions host at ${endpoint.origin} refused the request (HTTP ${r.status}): the system key is ${endpoint.code ? 'wrong' : 'missing'}.`,
        endpoint.code ? undefined : { cliHint: 'Pass the durabletask_extension system key with --code.' },
      );
    case 404:
      return new Error(`No Durable Functions management API at ${endpoint.webhook} (HTTP 404). Check the host URL.`);
    case 500:
      if (isStateRefusal(r)) {
        return new ConflictError(hostMessage(r));
      }
      return new Error(`The Functions host at ${endpoint.origin} failed: ${hostMessage(r)}`);
    default:
      return new Error(`The Functions host at ${endpoint.origin} answered HTTP ${r.status}: ${hostMessage(r)}`);
  }
}

/** A success answer whose body is not what the management API sends. */
export function unexpectedBody(endpoint: HostEndpoint, r: HostResponse, expected: string): Error {
  const shown = r.text.length > 100 ? `${r.text.slice(0, 100)}…` : r.text;
  return new Error(`The answer from ${endpoint.webhook} (HTTP ${r.status}) is not ${expected}: ${JSON.stringify(shown)}. Is this a Durable Functions host?`);
}
