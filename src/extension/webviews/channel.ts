// The host's end of a webview's protocol (src/shared/protocol.ts): validates every message the
// page sends before anything acts on it, answers each request exactly once (a result or an
// error), answers `ready` with `hello`, and holds notifications until the page is ready.
// Independent of which page it serves: the instance page and, later, the hub page use it alike.
import type { ErrorInfo, HostMessage, NotificationType, ParamsOf, ReplyMessage, RequestType, ResultOf, ViewProtocol } from '../../shared/protocol';
import { PROTOCOL_VERSION, ProtocolError, parsePageMessage, requestIdOf } from '../../shared/protocol';

/** A handler per request method of a view, typed from the protocol's declarations. */
export type RequestHandlers<T extends Record<string, RequestType<string, unknown, unknown>>> = {
  [K in keyof T]: (params: ParamsOf<T[K]>) => Promise<ResultOf<T[K]>>;
};

/** What became of one incoming message (tests assert on it). */
export type ReceiveOutcome =
  | { kind: 'ready' }
  | { kind: 'reply'; reply: ReplyMessage }
  /** Not acted on. `reply` is the error reply sent when the message carried a request id. */
  | { kind: 'rejected'; reason: string; reply?: ReplyMessage };

export interface ChannelPort {
  postMessage(message: HostMessage): Thenable<boolean> | Promise<boolean>;
}

export interface ChannelOptions<T extends Record<string, RequestType<string, unknown, unknown>>> {
  protocol: ViewProtocol;
  requests: T;
  handlers: RequestHandlers<T>;
  /** The params of `hello`, computed when the page says it is ready. */
  hello: () => unknown;
  /** Maps a handler's error to what the page is told (message already masked). */
  describeError: (e: unknown) => ErrorInfo;
  /** Where rejected messages are reported. */
  warn: (text: string) => void;
}

export class WebviewChannel<T extends Record<string, RequestType<string, unknown, unknown>>> {
  private ready = false;
  private queued: HostMessage[] = [];
  private readonly handlerByMethod = new Map<string, (params: unknown) => Promise<unknown>>();
  private disposed = false;

  constructor(
    private readonly port: ChannelPort,
    private readonly o: ChannelOptions<T>,
  ) {
    for (const [key, type] of Object.entries(o.requests)) {
      const handler = o.handlers[key as keyof T] as unknown as (params: unknown) => Promise<unknown>;
      this.handlerByMethod.set(type.method, handler);
    }
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** The page went away (hidden without retained context, or reloading): queue until it is back. */
  pageGone(): void {
    this.ready = false;
  }

  /** Handles one message from the page; resolves once it is answered (or rejected). */
  async receive(raw: unknown): Promise<ReceiveOutcome> {
    let message;
    try {
      message = parsePageMessage(this.o.protocol, raw);
    } catch (e) {
      const reason = e instanceof ProtocolError ? e.message : `invalid message: ${String(e)}`;
      this.o.warn(`Rejected a message from the ${this.o.protocol.view} page: ${reason}`);
      const id = requestIdOf(raw);
      if (id === undefined) {
        return { kind: 'rejected', reason };
      }
      const reply: ReplyMessage = { type: 'reply', id, ok: false, error: { message: `Rejected: ${reason}`, code: 'BadRequest' } };
      this.post(reply);
      return { kind: 'rejected', reason, reply };
    }
    if (message.type === 'ready') {
      this.ready = true;
      this.post({ type: 'hello', protocol: PROTOCOL_VERSION, params: this.o.hello() });
      for (const queued of this.queued.splice(0)) {
        this.post(queued);
      }
      return { kind: 'ready' };
    }
    const handler = this.handlerByMethod.get(message.method);
    let reply: ReplyMessage;
    try {
      if (!handler) {
        throw new ProtocolError(`no handler for ${message.method}`);
      }
      reply = { type: 'reply', id: message.id, ok: true, result: (await handler(message.params)) ?? {} };
    } catch (e) {
      reply = { type: 'reply', id: message.id, ok: false, error: this.o.describeError(e) };
    }
    this.post(reply);
    return { kind: 'reply', reply };
  }

  /** Sends a notification now, or when the page is ready. */
  notify<N extends NotificationType<string, unknown>>(type: N, params: ParamsOf<N>): void {
    const message: HostMessage = { type: 'notify', method: type.method, params };
    if (this.ready) {
      this.post(message);
    } else if (this.queued.length < 100) {
      this.queued.push(message);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.queued = [];
  }

  private post(message: HostMessage): void {
    if (this.disposed) {
      return;
    }
    // A hidden or closing webview drops messages; the page asks again when it is back.
    void Promise.resolve(this.port.postMessage(message)).catch(() => undefined);
  }
}
