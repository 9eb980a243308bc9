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
}

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
  const message = maskSecrets(err.message ?? String(e), ctx.secrets);
  if (err.name === 'AbortError') {
    return new CancelledError();
  }
  const what = ctx.what ? ` (${ctx.what})` : '';
  switch (err.statusCode) {
    case 401:
      return new UnauthorizedError(`Storage refused the credentials at ${ctx.endpoint}${what}: ${firstLine(message)}`, { cause: e });
    case 403:
      return new ForbiddenError(
        err.code === 'AuthenticationFailed'
          ? `Storage authentication failed at ${ctx.endpoint}: check the account key or SAS.`
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
  if (err.statusCode === undefined && (NETWORK_CODES.has(err.code ?? '') || err.name === 'RestError')) {
    return new UnreachableError(ctx.endpoint, `Storage is unreachable at ${ctx.endpoint} (${err.code ?? 'no response'}).`, { cause: e });
  }
  const wrapped = new Error(`Storage request failed${what}: ${firstLine(message)}`, { cause: e });
  return wrapped;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0].trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
