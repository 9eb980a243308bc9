// Translates Azure SDK failures into core's typed errors, naming the endpoint and never a secret.
import {
  CancelledError,
  ConflictError,
  DurableError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  UnreachableError,
  maskSecrets,
} from '../errors';

interface RestLikeError {
  name?: string;
  statusCode?: number;
  code?: string;
  message?: string;
  details?: { errorCode?: string; code?: string; message?: string } & Record<string, unknown>;
}

/** The service's error code: queue/blob SDKs set `code`, the tables SDK only `details.errorCode`. */
function serviceErrorCode(err: RestLikeError): string | undefined {
  return err.code ?? err.details?.errorCode ?? err.details?.code;
}

/** A readable message: services answer in XML or JSON bodies that some SDKs pass through raw. */
export function serviceErrorMessage(err: RestLikeError): string {
  const text = err.message ?? '';
  const xml = /<Message>([\s\S]*?)<\/Message>/i.exec(text)?.[1];
  if (xml) {
    return xml.trim();
  }
  try {
    const body = JSON.parse(text) as { 'odata.error'?: { message?: { value?: string } }; error?: { message?: string } };
    const message = body['odata.error']?.message?.value ?? body.error?.message;
    if (message) {
      return message;
    }
  } catch {
    // Not JSON: the message is already text.
  }
  return text.trimStart().startsWith('<?xml') ? (err.details?.message ?? serviceErrorCode(err) ?? 'no details') : text;
}

const CREDENTIAL_CODES = new Set(['AuthenticationFailed', 'AuthorizationFailure', 'InvalidAuthenticationInfo', 'NoAuthenticationInformation']);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'REQUEST_SEND_ERROR',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

export interface ErrorContext {
  /** The service endpoint involved, shown in Unreachable errors. */
  endpoint: string;
  /** What was being done or looked for, e.g. "table 'MyHubInstances'". */
  what?: string;
  secrets?: readonly string[];
}

export function isNotFound(e: unknown): boolean {
  return (e as RestLikeError | undefined)?.statusCode === 404 || (e instanceof DurableError && e.code === 'NotFound');
}

export function isConflict(e: unknown): boolean {
  const status = (e as RestLikeError | undefined)?.statusCode;
  return status === 409 || status === 412;
}

export function toDurableError(e: unknown, ctx: ErrorContext): Error {
  if (e instanceof DurableError) {
    return e;
  }
  const err = (e ?? {}) as RestLikeError;
  const code = serviceErrorCode(err);
  const message = maskSecrets(err.message === undefined ? String(e) : serviceErrorMessage(err), ctx.secrets);
  if (err.name === 'AbortError') {
    return new CancelledError();
  }
  const what = ctx.what ? ` (${ctx.what})` : '';
  switch (err.statusCode) {
    case 401:
      return new UnauthorizedError(`Storage refused the credentials at ${ctx.endpoint}${what}: ${firstLine(message)}`, { cause: e });
    case 403:
      return new ForbiddenError(
        code && CREDENTIAL_CODES.has(code)
          ? `Storage rejected the credentials at ${ctx.endpoint} (${code}): check the account key, SAS or signed-in identity.`
          : `Access denied at ${ctx.endpoint}${what}: ${firstLine(message)}`,
        { cause: e },
      );
    case 404:
      return new NotFoundError(`Not found${what}: ${firstLine(message)}`, { cause: e });
    case 409:
    case 412:
      return new ConflictError(`Conflict${what}: ${firstLine(message)}`, { cause: e });
    default:
      break;
  }
  if (err.statusCode === undefined && (NETWORK_CODES.has(code ?? '') || err.name === 'RestError')) {
    return new UnreachableError(ctx.endpoint, `Storage is unreachable at ${ctx.endpoint} (${code ?? 'no response'}).`, { cause: e });
  }
  const detail = firstLine(message) || code || 'no details';
  if (err.statusCode === 429 || err.statusCode === 500 || err.statusCode === 503) {
    // What is left once the SDK's retries gave up (or, for a 429 from blobs or queues, which the
    // storage SDK does not retry): a throttled or failing service.
    return new Error(
      `Storage at ${ctx.endpoint} answered HTTP ${err.statusCode}${code ? ` ${code}` : ''}${what}: ${detail}. It is busy or failing; try again later.`,
      { cause: e },
    );
  }
  return new Error(`Storage request failed${what}: ${detail}`, { cause: e });
}

function firstLine(text: string): string {
  const line = text.split('\n')[0].trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
