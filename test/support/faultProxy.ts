// A fault-injecting HTTP proxy between the storage SDKs and Azurite, on loopback only. One listener
// per service forwards to Azurite's blob, queue or table port; a programmable schedule decides, per
// request, whether to pass it through or to fail it: reset the connection before storage sees the
// request, drop the response after storage applied it (the "did it happen?" case), delay it, hang,
// or answer 500 / 503 / 429 with Retry-After. It counts what it saw and what it injected, so a test
// can assert that its faults really happened and how many attempts the client made.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ServiceName = 'blob' | 'queue' | 'table';
export const SERVICES: readonly ServiceName[] = ['blob', 'queue', 'table'];

// Connections are dropped with destroy() (FIN), not resetAndDestroy() (RST): the client sees the
// same ECONNRESET "socket hang up", and with RST the test process intermittently spun at 100% CPU
// in Node's exit-time handle cleanup after the suite had finished (Node 20, cf. nodejs/node#47748).
export type Fault =
  /** Drop the client connection; nothing reaches storage. */
  | { kind: 'reset' }
  /** Forward, let storage apply the request, then close the client connection without the response. */
  | { kind: 'drop-response' }
  /** Forward after a pause. */
  | { kind: 'delay'; ms: number }
  /** Never answer (until the proxy closes); nothing reaches storage. */
  | { kind: 'hang' }
  /** Answer with this status (storage never sees the request), as a throttled or failing service would. */
  | { kind: 'status'; status: 500 | 503 | 429; retryAfterSeconds?: number };

/** `status` faults are counted per status: `status-503`, … */
export function faultLabel(f: Fault): string {
  return f.kind === 'status' ? `status-${f.status}` : f.kind;
}

export interface SeenRequest {
  /** 1-based, over all services. */
  n: number;
  service: ServiceName;
  method: string;
  /** The URL path, percent-decoded (e.g. `/devstoreaccount1/MyHubInstances(PartitionKey='a',RowKey='')`). */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  /** What was done with it: `forwarded`, or the fault label. */
  outcome?: string;
}

export interface FaultRule {
  service?: ServiceName;
  method?: string;
  /** Tested against the decoded path. */
  path?: RegExp | string;
  when?: (r: SeenRequest) => boolean;
  /** Fault the nth request matching the criteria above (1-based, default 1)… */
  nth?: number;
  /** …and this many after it (default 1; Infinity: every one from the nth on). */
  times?: number;
  fault: Fault;
}

export interface RandomFaults {
  seed: number;
  /** Chance that a matching request is faulted, 0..1. */
  probability: number;
  /** Picked uniformly for each faulted request. */
  faults: readonly Fault[];
  when?: (r: SeenRequest) => boolean;
  /** Stop injecting after this many faults (default unlimited). */
  max?: number;
}

interface ArmedRule extends FaultRule {
  matched: number;
  fired: number;
}

/** mulberry32: a small seeded PRNG, so a failing random schedule can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface UpstreamAccount {
  connectionString: string;
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
}

export interface ProxyStats {
  requests: number;
  /** Requests that reached storage (forwarded, delayed, or forwarded and then dropped). */
  forwarded: number;
  /** Injected faults by label (`reset`, `drop-response`, `delay`, `hang`, `status-500`, …). */
  injected: Record<string, number>;
}

const ERROR_TEXT: Record<number, { code: string; message: string }> = {
  500: { code: 'InternalError', message: 'The server encountered an internal error. Please retry the request.' },
  503: { code: 'ServerBusy', message: 'The server is currently unable to receive requests. Please retry your request.' },
  429: { code: 'TooManyRequests', message: 'Too many requests. Retry after the time given.' },
};

export class FaultProxy {
  readonly log: SeenRequest[] = [];
  readonly injected: Record<string, number> = {};
  private rules: ArmedRule[] = [];
  private random: { spec: RandomFaults; next: () => number; fired: number } | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<http.ServerResponse>();
  private readonly agent = new http.Agent({ keepAlive: true });
  private closed = false;

  private readonly servers = {} as Record<ServiceName, http.Server>;
  /** Proxy endpoints, e.g. `http://127.0.0.1:40123/devstoreaccount1`. */
  readonly endpoints = {} as Record<ServiceName, string>;

  private constructor(private readonly upstream: UpstreamAccount) {}

  /** Starts one listener per service on free 127.0.0.1 ports, forwarding to `upstream`. */
  static async start(upstream: UpstreamAccount): Promise<FaultProxy> {
    const proxy = new FaultProxy(upstream);
    for (const service of SERVICES) {
      const server = http.createServer((req, res) => proxy.handle(service, req, res));
      server.on('connection', (socket: Socket) => proxy.track(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      proxy.servers[service] = server;
      const target = new URL(upstreamEndpoint(upstream, service));
      proxy.endpoints[service] = `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname.replace(/\/$/, '')}`;
    }
    return proxy;
  }

  /** The upstream connection string with the proxy's endpoints (same account and key). */
  get connectionString(): string {
    return this.upstream.connectionString
      .replace(/BlobEndpoint=[^;]+/, `BlobEndpoint=${this.endpoints.blob}`)
      .replace(/QueueEndpoint=[^;]+/, `QueueEndpoint=${this.endpoints.queue}`)
      .replace(/TableEndpoint=[^;]+/, `TableEndpoint=${this.endpoints.table}`);
  }

  /** Adds rules to the schedule; each fires for its nth..nth+times-1 matching requests. */
  schedule(...rules: FaultRule[]): this {
    this.rules.push(...rules.map((r) => ({ ...r, matched: 0, fired: 0 })));
    return this;
  }

  /** Faults matching requests at random, reproducibly from the seed (rules take precedence). */
  randomFaults(spec: RandomFaults): this {
    this.random = { spec, next: seededRandom(spec.seed), fired: 0 };
    return this;
  }

  /** Removes every rule and the random schedule: from now on everything passes through. */
  clearFaults(): this {
    this.rules = [];
    this.random = undefined;
    return this;
  }

  /** Forgets what was seen and injected. */
  resetStats(): this {
    this.log.length = 0;
    for (const key of Object.keys(this.injected)) {
      delete this.injected[key];
    }
    return this;
  }

  get stats(): ProxyStats {
    return {
      requests: this.log.length,
      forwarded: this.log.filter((r) => r.outcome === 'forwarded' || r.outcome === 'delay' || r.outcome === 'drop-response').length,
      injected: { ...this.injected },
    };
  }

  /** Total injected faults. */
  get faultCount(): number {
    return Object.values(this.injected).reduce((a, b) => a + b, 0);
  }

  /** The requests seen that match, e.g. to count a client's attempts. */
  requests(filter: { service?: ServiceName; method?: string; path?: RegExp | string } = {}): SeenRequest[] {
    return this.log.filter((r) => matches(r, filter));
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const res of this.hanging) {
      res.socket?.destroy();
    }
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.agent.destroy();
    await Promise.all(SERVICES.map((s) => new Promise<void>((resolve) => this.servers[s].close(() => resolve()))));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    // A reset client connection is expected here; never let it crash the test process.
    socket.on('error', () => undefined);
  }

  private pick(seen: SeenRequest): Fault | undefined {
    // Every rule counts every request it matches (so `nth` means the nth such request, whatever
    // other rules did with the earlier ones); the first rule that is due fires.
    let due: ArmedRule | undefined;
    for (const rule of this.rules) {
      if (!matches(seen, rule) || (rule.when && !rule.when(seen))) {
        continue;
      }
      rule.matched++;
      if (!due && rule.matched >= (rule.nth ?? 1) && rule.fired < (rule.times ?? 1)) {
        due = rule;
      }
    }
    if (due) {
      due.fired++;
      return due.fault;
    }
    const random = this.random;
    if (random && (!random.spec.when || random.spec.when(seen)) && (random.spec.max === undefined || random.fired < random.spec.max)) {
      // Two draws per request whatever the outcome, so a schedule replays identically from its seed.
      const hit = random.next() < random.spec.probability;
      const which = Math.floor(random.next() * random.spec.faults.length);
      if (hit && random.spec.faults.length > 0) {
        random.fired++;
        return random.spec.faults[which];
      }
    }
    return undefined;
  }

  private handle(service: ServiceName, req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://proxy');
    let path = url.pathname;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      // Keep the raw path when it is not valid percent-encoding.
    }
    const seen: SeenRequest = { n: this.log.length + 1, service, method: req.method ?? 'GET', path, query: url.search.replace(/^\?/, '') };
    this.log.push(seen);
    const fault = this.pick(seen);
    seen.outcome = fault ? faultLabel(fault) : 'forwarded';
    if (fault) {
      this.injected[seen.outcome] = (this.injected[seen.outcome] ?? 0) + 1;
    }

    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      switch (fault?.kind) {
        case 'reset':
          req.socket.destroy();
          return;
        case 'hang':
          this.hanging.add(res);
          res.on('close', () => this.hanging.delete(res));
          return;
        case 'status':
          this.answerError(service, res, fault.status, fault.retryAfterSeconds);
          return;
        case 'delay':
          setTimeout(() => this.forward(service, req, res, body, false), fault.ms);
          return;
        case 'drop-response':
          this.forward(service, req, res, body, true);
          return;
        default:
          this.forward(service, req, res, body, false);
      }
    });
  }

  private answerError(service: ServiceName, res: http.ServerResponse, status: number, retryAfterSeconds?: number): void {
    const { code, message } = ERROR_TEXT[status];
    const headers: Record<string, string> = { 'x-ms-error-code': code, 'x-ms-request-id': `fault-${this.log.length}` };
    if (retryAfterSeconds !== undefined) {
      headers['retry-after'] = String(retryAfterSeconds);
    }
    // Tables answer in JSON, blobs and queues in XML, as the real services do.
    const body =
      service === 'table'
        ? JSON.stringify({ 'odata.error': { code, message: { lang: 'en-US', value: message } } })
        : `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
    headers['content-type'] = service === 'table' ? 'application/json;odata=minimalmetadata' : 'application/xml';
    res.writeHead(status, headers).end(body);
  }

  /** Sends the request to Azurite; with `drop`, reads the whole answer and then kills the client connection instead. */
  private forward(service: ServiceName, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, drop: boolean): void {
    if (this.closed) {
      req.socket.destroy();
      return;
    }
    const target = new URL(upstreamEndpoint(this.upstream, service));
    const headers = { ...req.headers, host: target.host };
    const upstreamReq = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent: this.agent },
      (upstreamRes) => {
        if (drop) {
          upstreamRes.resume();
          upstreamRes.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.rawHeaders);
        upstreamRes.pipe(res);
      },
    );
    // Storage unreachable behind the proxy: the client sees a dropped connection.
    upstreamReq.on('error', () => req.socket.destroy());
    upstreamReq.end(body);
  }
}

function upstreamEndpoint(u: UpstreamAccount, service: ServiceName): string {
  return service === 'blob' ? u.blobEndpoint : service === 'queue' ? u.queueEndpoint : u.tableEndpoint;
}

function matches(r: SeenRequest, f: { service?: ServiceName; method?: string; path?: RegExp | string }): boolean {
  if (f.service && f.service !== r.service) {
    return false;
  }
  if (f.method && f.method.toUpperCase() !== r.method.toUpperCase()) {
    return false;
  }
  if (f.path !== undefined) {
    return typeof f.path === 'string' ? r.path.includes(f.path) : f.path.test(r.path);
  }
  return true;
}
