// The page's end of the protocol (src/shared/protocol.ts): says `ready`, waits for `hello`, sends
// requests and resolves each with its correlated reply, and dispatches notifications. Shared by
// every page; what a page may ask is declared in the protocol module.
import type { HelloMessage, HostMessage, NotificationType, ParamsOf, RequestType, ResultOf } from '../shared/protocol';
import { PROTOCOL_VERSION, isHostMessage } from '../shared/protocol';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** `acquireVsCodeApi` may be called once per page: this is that one call. */
let api: VsCodeApi | undefined;
export function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

/** A request the host answered with an error. */
export class RequestFailed extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'RequestFailed';
  }
}

const REQUEST_TIMEOUT_MS = 5 * 60_000;

export class PageClient<Hello> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  private readonly handlers = new Map<string, (params: unknown) => void>();
  private helloHandler: ((hello: Hello) => void) | undefined;

  constructor(private readonly host: VsCodeApi) {
    window.addEventListener('message', (e: MessageEvent<unknown>) => this.onMessage(e.data));
  }

  /** Says `ready`; `onHello` runs with the host's answer (again whenever the page is re-created). */
  start(onHello: (hello: Hello) => void): void {
    this.helloHandler = onHello;
    this.host.postMessage({ type: 'ready', protocol: PROTOCOL_VERSION });
  }

  request<T extends RequestType<string, unknown, unknown>>(type: T, params: ParamsOf<T>): Promise<ResultOf<T>> {
    const id = this.nextId++;
    return new Promise<ResultOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestFailed('The extension did not answer in time.', 'Timeout'));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.host.postMessage({ type: 'request', id, method: type.method, params });
    });
  }

  on<N extends NotificationType<string, unknown>>(type: N, handler: (params: ParamsOf<N>) => void): void {
    this.handlers.set(type.method, handler as (params: unknown) => void);
  }

  private onMessage(data: unknown): void {
    if (!isHostMessage(data)) {
      return;
    }
    const message: HostMessage = data;
    switch (message.type) {
      case 'hello':
        this.helloHandler?.((message as HelloMessage<Hello>).params);
        break;
      case 'notify':
        this.handlers.get(message.method)?.(message.params);
        break;
      case 'reply': {
        const waiting = this.pending.get(message.id);
        if (!waiting) {
          return;
        }
        this.pending.delete(message.id);
        clearTimeout(waiting.timer);
        if (message.ok) {
          waiting.resolve(message.result);
        } else {
          waiting.reject(new RequestFailed(message.error.message, message.error.code));
        }
        break;
      }
    }
  }
}
