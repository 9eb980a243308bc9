// Typed errors thrown by every core operation. Callers (CLI, extension) switch on `code`,
// never on message text. Messages never contain secrets: see maskSecrets.

export type DurableErrorCode =
  | 'NotFound'
  | 'Conflict'
  | 'Validation'
  | 'Unauthorized'
  | 'Forbidden'
  | 'Unreachable'
  | 'Cancelled';

export interface DurableErrorOptions {
  cause?: unknown;
  /**
   * A sentence naming a CLI flag that would get past the error ("Pass --force to …"). The CLI
   * prints it after the message; the extension, which has no flags, leaves it out.
   */
  cliHint?: string;
}

export class DurableError extends Error {
  readonly cliHint?: string;

  constructor(
    readonly code: DurableErrorCode,
    message: string,
    options?: DurableErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = `${code}Error`;
    if (options?.cliHint) {
      this.cliHint = options.cliHint;
    }
  }
}

/** The instance, hub, table, queue or blob does not exist. */
export class NotFoundError extends DurableError {
  constructor(message: string, options?: DurableErrorOptions) {
    super('NotFound', message, options);
  }
}

/** The operation conflicts with the current state (e.g. starting over a running instance). */
export class ConflictError extends DurableError {
  constructor(message: string, options?: DurableErrorOptions) {
    super('Conflict', message, options);
  }
}

/** Bad input. `field` names the option or flag that was wrong. */
export class ValidationError extends DurableError {
  constructor(
    readonly field: string,
    message: string,
    options?: DurableErrorOptions,
  ) {
    super('Validation', message, options);
  }
}

/**
 * The operation, or one of its options, needs a storage connection: the transport in use (the HTTP
 * management API of a running host) cannot do it. A ValidationError, so the CLI treats it as a
 * usage mistake; `operation` names what was asked for.
 */
export class TransportUnsupportedError extends ValidationError {
  constructor(
    readonly operation: string,
    reason: string,
    options?: DurableErrorOptions,
  ) {
    super('transport', `${operation} needs a storage connection: ${reason}`, options);
    this.name = 'TransportUnsupportedError';
  }
}

export class UnauthorizedError extends DurableError {
  constructor(message: string, options?: DurableErrorOptions) {
    super('Unauthorized', message, options);
  }
}

export class ForbiddenError extends DurableError {
  constructor(message: string, options?: DurableErrorOptions) {
    super('Forbidden', message, options);
  }
}

/** Storage could not be reached. `endpoint` is the service URL (never a key or SAS). */
export class UnreachableError extends DurableError {
  constructor(
    readonly endpoint: string,
    message?: string,
    options?: DurableErrorOptions,
  ) {
    super('Unreachable', message ?? `Storage is unreachable at ${endpoint}`, options);
  }
}

/** The caller's AbortSignal fired. `partial` tells what was done before it stopped. */
export class CancelledError extends DurableError {
  constructor(
    message = 'The operation was cancelled.',
    readonly partial?: unknown,
  ) {
    super('Cancelled', message);
  }
}

export function isDurableError(e: unknown): e is DurableError {
  return e instanceof DurableError;
}

export function throwIfAborted(signal: AbortSignal | undefined, partial?: unknown): void {
  if (signal?.aborted) {
    throw new CancelledError(undefined, partial);
  }
}

const SECRET_PATTERNS: RegExp[] = [
  /(AccountKey=)[^;'"\s]+/gi,
  /(SharedAccessSignature=)[^;'"\s]+/gi,
  /([?&]sig=)[^&'"\s]+/gi,
  /(Authorization:\s*\S+\s+)\S+/gi,
];

/** Removes account keys, SAS signatures and any explicitly listed secret values from text. */
export function maskSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) {
      out = out.split(secret).join('***');
    }
  }
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, '$1***');
  }
  return out;
}
