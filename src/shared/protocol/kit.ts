// The message protocol between the extension host and its webviews, used by both sides.
//
// Envelope (every view):
//   page → host   { type: 'ready', protocol }                         once the page listens
//                 { type: 'request', id, method, params }              expects exactly one reply
//   host → page   { type: 'hello', ... }                              answers `ready` (view-specific params)
//                 { type: 'reply', id, ok: true, result }             / { ..., ok: false, error }
//                 { type: 'notify', method, params }                  queued by the host until `ready`
//
// A view's messages are declared once with `request()` / `notification()`: the method name, a
// schema for the params (the host validates every incoming message against it before acting,
// and rejects anything else: unknown methods, unknown keys, wrong types, oversized strings), and
// the result type (checked by TypeScript only; the host is trusted). The instance page's messages
// are in instance.ts, the task hub page's in hub.ts; each builds its own `ViewProtocol`.
//
// Pure: no `vscode`, no Node built-ins, nothing from core. Type-only imports are fine.

export const PROTOCOL_VERSION = 1;

// ---- Schemas ------------------------------------------------------------------------------------

/** Thrown by schemas and `parsePageMessage`; the message says where and what was expected. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** Validates an unknown value and returns it typed, or throws ProtocolError. */
export type Schema<T> = ((value: unknown, path: string) => T) & { readonly optional?: boolean };
export type OptionalSchema<T> = Schema<T | undefined> & { readonly optional: true };
export type Infer<S> = S extends Schema<infer T> ? T : never;

type Shape = Record<string, Schema<unknown>>;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends { readonly optional: true } ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { readonly optional: true } ? K : never }[keyof S];
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> };

function fail(path: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new ProtocolError(`${path || 'message'}: expected ${expected}, got ${got}`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Longest string any schema accepts unless it says otherwise. */
export const DEFAULT_MAX_STRING = 4096;

export const s = {
  string(o: { min?: number; max?: number } = {}): Schema<string> {
    const min = o.min ?? 0;
    const max = o.max ?? DEFAULT_MAX_STRING;
    return (value, path) => {
      if (typeof value !== 'string') {
        fail(path, 'a string', value);
      }
      if (value.length < min || value.length > max) {
        throw new ProtocolError(`${path}: expected ${min}–${max} characters, got ${value.length}`);
      }
      return value;
    };
  },
  int(o: { min?: number; max?: number } = {}): Schema<number> {
    const min = o.min ?? Number.MIN_SAFE_INTEGER;
    const max = o.max ?? Number.MAX_SAFE_INTEGER;
    return (value, path) => {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        fail(path, 'an integer', value);
      }
      if (value < min || value > max) {
        throw new ProtocolError(`${path}: expected an integer from ${min} to ${max}, got ${value}`);
      }
      return value;
    };
  },
  boolean(): Schema<boolean> {
    return (value, path) => (typeof value === 'boolean' ? value : fail(path, 'a boolean', value));
  },
  /** One of a fixed set of strings. */
  oneOf<const T extends readonly string[]>(values: T): Schema<T[number]> {
    return (value, path) => {
      if (typeof value !== 'string' || !values.includes(value)) {
        throw new ProtocolError(`${path}: expected one of ${values.join(', ')}, got ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value}`);
      }
      return value as T[number];
    };
  },
  nullable<T>(inner: Schema<T>): Schema<T | null> {
    return (value, path) => (value === null ? null : inner(value, path));
  },
  /** The key may be absent (or undefined). */
  optional<T>(inner: Schema<T>): OptionalSchema<T> {
    const schema = (value: unknown, path: string): T | undefined => (value === undefined ? undefined : inner(value, path));
    return Object.assign(schema, { optional: true as const });
  },
  /** A plain object with exactly these keys (unknown keys are rejected). */
  object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
    return (value, path) => {
      if (!isPlainObject(value)) {
        fail(path, 'an object', value);
      }
      for (const key of Object.keys(value)) {
        if (!Object.prototype.hasOwnProperty.call(shape, key)) {
          throw new ProtocolError(`${path ? `${path}.` : ''}${key}: unexpected property`);
        }
      }
      const out: Record<string, unknown> = {};
      for (const [key, schema] of Object.entries(shape)) {
        const v = schema(value[key], path ? `${path}.${key}` : key);
        if (v !== undefined) {
          out[key] = v;
        } else if (!schema.optional) {
          fail(path ? `${path}.${key}` : key, 'a value', undefined);
        }
      }
      return out as ObjectOf<S>;
    };
  },
  /** Objects told apart by a string property (`action`, `kind`, …), each with its own shape. */
  union<K extends string, M extends Record<string, Schema<object>>>(key: K, variants: M): Schema<{ [V in keyof M]: Infer<M[V]> }[keyof M]> {
    return (value, path) => {
      if (!isPlainObject(value)) {
        fail(path, 'an object', value);
      }
      const tag = value[key];
      if (typeof tag !== 'string' || !Object.prototype.hasOwnProperty.call(variants, tag)) {
        throw new ProtocolError(`${path ? `${path}.` : ''}${key}: expected one of ${Object.keys(variants).join(', ')}`);
      }
      return variants[tag](value, path) as { [V in keyof M]: Infer<M[V]> }[keyof M];
    };
  },
  array<T>(item: Schema<T>, o: { max?: number } = {}): Schema<T[]> {
    const max = o.max ?? 1000;
    return (value, path) => {
      if (!Array.isArray(value)) {
        fail(path, 'an array', value);
      }
      if (value.length > max) {
        throw new ProtocolError(`${path}: expected at most ${max} items, got ${value.length}`);
      }
      return value.map((v, i) => item(v, `${path}[${i}]`));
    };
  },
};

// ---- Message types ------------------------------------------------------------------------------

export interface RequestType<M extends string = string, P = unknown, R = unknown> {
  readonly kind: 'request';
  readonly method: M;
  readonly params: Schema<P>;
  /** Never set: carries the result type. */
  readonly result?: R;
}

export interface NotificationType<M extends string = string, P = unknown> {
  readonly kind: 'notification';
  readonly method: M;
  /** Never set: carries the params type (host → page notifications are not validated). */
  readonly paramsType?: P;
}

/** Declares a page → host request. `R` is the reply's result type. */
export function request<R>() {
  return <M extends string, P>(method: M, params: Schema<P>): RequestType<M, P, R> => ({ kind: 'request', method, params });
}

/** Declares a host → page notification. */
export function notification<P>() {
  return <M extends string>(method: M): NotificationType<M, P> => ({ kind: 'notification', method });
}

export type ParamsOf<T> = T extends RequestType<string, infer P, unknown> ? P : T extends NotificationType<string, infer P> ? P : never;
export type ResultOf<T> = T extends RequestType<string, unknown, infer R> ? R : never;

/** The requests one view accepts, by method. */
export interface ViewProtocol {
  readonly view: string;
  readonly requests: ReadonlyMap<string, RequestType>;
}

export function viewProtocol(view: string, requests: readonly RequestType<string, unknown, unknown>[]): ViewProtocol {
  return { view, requests: new Map(requests.map((r) => [r.method, r])) };
}

// ---- Envelopes ----------------------------------------------------------------------------------

export interface ReadyMessage {
  type: 'ready';
  protocol: number;
}

export interface RequestMessage<P = unknown> {
  type: 'request';
  id: number;
  method: string;
  params: P;
}

export type PageMessage = ReadyMessage | RequestMessage;

export interface ErrorInfo {
  message: string;
  /** 'BadRequest' for a rejected message; a DurableError code; 'Other'. */
  code: string;
}

export type ReplyMessage = { type: 'reply'; id: number; ok: true; result: unknown } | { type: 'reply'; id: number; ok: false; error: ErrorInfo };

export interface NotifyMessage<P = unknown> {
  type: 'notify';
  method: string;
  params: P;
}

export interface HelloMessage<P = unknown> {
  type: 'hello';
  protocol: number;
  params: P;
}

export type HostMessage = ReplyMessage | NotifyMessage | HelloMessage;

/** The largest request id a page may use (ids count up from 1). */
export const MAX_REQUEST_ID = 2 ** 31 - 1;

const envelope = s.union('type', {
  ready: s.object({ type: s.oneOf(['ready']), protocol: s.int({ min: 0, max: 1000 }) }),
  request: s.object({
    type: s.oneOf(['request']),
    id: s.int({ min: 1, max: MAX_REQUEST_ID }),
    method: s.string({ min: 1, max: 100 }),
    // Validated against the method's own schema below.
    params: (value: unknown) => value,
  }),
});

/**
 * Validates a message from a page: the envelope, the method (known to `protocol`) and its params.
 * Throws ProtocolError; `requestIdOf` recovers the id of a rejected request, to reply with an error.
 */
export function parsePageMessage(protocol: ViewProtocol, raw: unknown): PageMessage {
  const message = envelope(raw, '') as ReadyMessage | RequestMessage;
  if (message.type === 'ready') {
    if (message.protocol !== PROTOCOL_VERSION) {
      throw new ProtocolError(`protocol: this host speaks version ${PROTOCOL_VERSION}, the page ${message.protocol}`);
    }
    return message;
  }
  const type = protocol.requests.get(message.method);
  if (!type) {
    throw new ProtocolError(`method: '${message.method.slice(0, 100)}' is not a ${protocol.view} request`);
  }
  return { type: 'request', id: message.id, method: message.method, params: type.params(message.params, 'params') };
}

/** The id of something that looks like a request (so a rejected one still gets its error reply). */
export function requestIdOf(raw: unknown): number | undefined {
  if (isPlainObject(raw) && raw.type === 'request' && typeof raw.id === 'number' && Number.isInteger(raw.id) && raw.id >= 1 && raw.id <= MAX_REQUEST_ID) {
    return raw.id;
  }
  return undefined;
}

/** A light check of what the host sends (the page trusts the host, but not a stray message). */
export function isHostMessage(raw: unknown): raw is HostMessage {
  if (!isPlainObject(raw)) {
    return false;
  }
  switch (raw.type) {
    case 'reply':
      return typeof raw.id === 'number' && typeof raw.ok === 'boolean';
    case 'notify':
      return typeof raw.method === 'string';
    case 'hello':
      return typeof raw.protocol === 'number';
    default:
      return false;
  }
}

// ---- Shared value types -------------------------------------------------------------------------

/** A JSON value, or a raw string where stored text was not JSON (core's JsonValue). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A stored value as sent to a page: the value itself, or — above the host's size limit — the start
 * of its pretty-printed text ("Open as JSON document" shows it whole).
 */
export type ValueView = { kind: 'value'; value: JsonValue; size: number } | { kind: 'truncated'; text: string; size: number };

// ---- Saved page state ---------------------------------------------------------------------------

/** Which connection and hub a page is about: the fields every page's saved target starts with. */
export const HUB_TARGET_FIELDS = {
  connectionId: s.string({ min: 1, max: 512 }),
  hubName: s.string({ min: 1, max: 128 }),
};

/** What a page keeps with setState: which subject it shows (the host checks it), and its UI state. */
export interface PageState<Target> {
  v: 1;
  target: Target;
  /** The page's own business; the host never reads it. */
  ui?: Record<string, unknown>;
}

/** The target in a saved page state, or undefined when the state is not one this version wrote. */
export function targetFromState<T>(state: unknown, schema: Schema<T>): T | undefined {
  if (!isPlainObject(state) || state.v !== 1) {
    return undefined;
  }
  try {
    return schema(state.target, 'target');
  } catch {
    return undefined;
  }
}
