// The Durable Functions HTTP management API (`/runtime/webhooks/durabletask/…`) as a running
// Functions host serves it, backed by core over a storage account, so a client of the real API
// (the host transport) can be tested end to end without .NET:
//
//   const api = await startManagementApi({ connectionString, defaultTaskHub: 'MyHub', port: 0 });
//   // api.url = 'http://127.0.0.1:<port>'   (what `func start` calls http://localhost:7071)
//   await api.stop();
//
// Routes, status codes, headers and bodies follow azure-functions-durable-extension's
// HttpApiHandler.cs; the system key check follows azure-functions-host (x-functions-key header,
// else the `code` query value; wrong or missing → 401 with no body). Entity routes
// (`entities/…`) and `makeprimary` are not served: they answer 404.
import { createHash, timingSafeEqual } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TaskHub } from '../../src/core';
import { ConflictError, NotFoundError, ValidationError, createStorageClients, managementUrls, maskSecrets, openTaskHub, validateHubName } from '../../src/core';
import { HubWriter } from '../seed/hubWriter';
import type { FunctionApp } from './samples';
import { SAMPLE_APP } from './samples';
import { DotNetException, QueryValues, invalidOperation } from './http/dotnet';
import type { ApiContext } from './http/context';
import { instanceOperation, purgeByFilter, purgeOne, raiseEventRoute } from './http/operations';
import { restart, startOrchestration } from './http/start';
import { getStatus, listInstances } from './http/status';
import type { ApiResponse } from './http/payloads';
import { ARGUMENTS_INCORRECT, SOMETHING_WENT_WRONG, errorWithException } from './http/payloads';

export interface ManagementApiOptions {
  /** The storage account the hubs live in. */
  connectionString: string;
  /** The hub of requests without `taskHub` (the function app's hub). */
  defaultTaskHub: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the API is for this machine only. */
  host?: string;
  /** The `durabletask_extension` system key; when set, every request must present it. */
  key?: string;
  /** The connection's app setting name: the only `connection` accepted, and the one in links. Default AzureWebJobsStorage. */
  connectionName?: string;
  /** The orchestrators a start may name (default the worker's sample app). */
  app?: FunctionApp;
  /** One line per request (method, path, status; never the query, which may hold the key). */
  log?: (line: string) => void;
}

export interface ManagementApi {
  /** The host's base URL, e.g. http://127.0.0.1:7071; the API is under /runtime/webhooks/durabletask. */
  readonly url: string;
  /** Stops listening, ends waits in progress and closes open connections. */
  stop(): Promise<void>;
}

const WEBHOOKS_PREFIX = '/runtime/webhooks/';
const EXTENSION_NAME = 'durabletask';
/** The verbs the host's webhook route accepts (HostController.ExtensionWebHookHandler); others get 405. */
const ACCEPTED_METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS']);
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const HOST_HEADER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

type Handler = (ctx: ApiContext) => Promise<ApiResponse>;

/** The handler HttpApiHandler.HandleRequestAsync picks for a path below the webhook (segments decoded), or undefined (404). */
function route(method: string, segments: readonly string[]): Handler | undefined {
  const [controller, first, second, third] = segments;
  if (segments.some((s) => s.length === 0)) {
    return undefined;
  }
  const is = (segment: string | undefined, literal: string): boolean => segment?.toLowerCase() === literal.toLowerCase();
  if (is(controller, 'orchestrators') && first && segments.length <= 3) {
    return method === 'POST' ? (ctx) => startOrchestration(ctx, first, second) : undefined;
  }
  if (is(controller, 'instances') && segments.length <= 3) {
    if (!first) {
      return method === 'GET' ? listInstances : method === 'DELETE' ? purgeByFilter : undefined;
    }
    if (!second) {
      return method === 'GET' ? (ctx) => getStatus(ctx, first) : method === 'DELETE' ? (ctx) => purgeOne(ctx, first) : undefined;
    }
    const operation = second.toLowerCase();
    if (method === 'POST' && (operation === 'terminate' || operation === 'suspend' || operation === 'resume' || operation === 'rewind')) {
      return (ctx) => instanceOperation(ctx, first, operation);
    }
    if (method === 'POST' && operation === 'restart') {
      return (ctx) => restart(ctx, first);
    }
    return undefined;
  }
  if (is(controller, 'instances') && segments.length === 4 && is(second, 'raiseEvent') && method === 'POST') {
    return (ctx) => raiseEventRoute(ctx, first, third);
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Constant-time comparison of the presented key with the configured one. */
function keyMatches(presented: string | undefined, key: string): boolean {
  if (!presented) {
    return false;
  }
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(key));
}

/** The exception's answer from HandleRequestAsync: 400 for ArgumentExceptions (core's ValidationError), else 500. */
function exceptionResponse(e: unknown, secrets: readonly string[]): ApiResponse {
  const message = maskSecrets(e instanceof Error ? e.message : String(e), secrets);
  if (e instanceof ValidationError) {
    return errorWithException(400, ARGUMENTS_INCORRECT, { type: 'System.ArgumentException', message });
  }
  if (e instanceof DotNetException) {
    const argument = /^System\.Argument\w*Exception$/.test(e.type);
    return errorWithException(argument ? 400 : 500, argument ? ARGUMENTS_INCORRECT : SOMETHING_WENT_WRONG, { type: e.type, message });
  }
  return errorWithException(500, SOMETHING_WENT_WRONG, { type: e instanceof ConflictError ? 'System.InvalidOperationException' : 'System.Exception', message });
}

function send(res: http.ServerResponse, r: ApiResponse): void {
  const headers: Record<string, string> = { ...r.headers };
  const payload = r.body === undefined ? undefined : Buffer.from(JSON.stringify(r.body), 'utf8');
  if (payload) {
    headers['Content-Type'] = 'application/json; charset=utf-8';
  }
  headers['Content-Length'] = String(payload?.length ?? 0);
  res.writeHead(r.status, headers);
  res.end(payload);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new DotNetException('System.ArgumentException', `The request body is larger than ${MAX_BODY_BYTES} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startManagementApi(o: ManagementApiOptions): Promise<ManagementApi> {
  const clients = await createStorageClients({ kind: 'connectionString', connectionString: o.connectionString });
  const connectionName = o.connectionName ?? 'AzureWebJobsStorage';
  const app = o.app ?? SAMPLE_APP;
  const secrets = [o.connectionString, ...(o.key ? [o.key] : [])];
  const stopping = new AbortController();
  // Every request's signal follows this one.
  setMaxListeners(0, stopping.signal);
  const hubs = new Map<string, TaskHub>();

  /** The opened hub, or undefined when storage has none of that name; an invalid name fails as storage would (500). */
  async function findHub(name: string): Promise<TaskHub | undefined> {
    const cached = hubs.get(name.toLowerCase());
    if (cached) {
      return cached;
    }
    try {
      validateHubName(name);
    } catch (e) {
      throw new DotNetException('Azure.RequestFailedException', (e as Error).message);
    }
    try {
      const hub = await openTaskHub({ clients, name });
      hubs.set(name.toLowerCase(), hub);
      return hub;
    } catch (e) {
      if (e instanceof NotFoundError) {
        return undefined;
      }
      throw e;
    }
  }

  async function ensureHub(name: string): Promise<TaskHub> {
    const found = await findHub(name);
    if (found) {
      return found;
    }
    // Default partition count 4, no partition owner yet: as a host leaves a hub it has just created.
    await HubWriter.create({ connectionString: o.connectionString, hubName: name, partitionCount: 4, partitionOwner: null });
    const created = await findHub(name);
    if (!created) {
      throw new Error(`Task hub '${name}' could not be created.`);
    }
    return created;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, origin: () => string): Promise<ApiResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const pathname = queryAt >= 0 ? rawUrl.slice(0, queryAt) : rawUrl;
    const query = new QueryValues(queryAt >= 0 ? rawUrl.slice(queryAt + 1) : '');
    if (!pathname.toLowerCase().startsWith(WEBHOOKS_PREFIX)) {
      return { status: 404 };
    }
    if (!ACCEPTED_METHODS.has(method)) {
      return { status: 405 };
    }
    if (o.key) {
      const header = req.headers['x-functions-key'];
      const presented = header !== undefined ? (Array.isArray(header) ? header[0] : header) : query.all('code')[0];
      if (!keyMatches(presented, o.key)) {
        return { status: 401 };
      }
    }
    const [extension, ...rest] = pathname.slice(WEBHOOKS_PREFIX.length).replace(/^\/+|\/+$/g, '').split('/');
    const handler = extension.toLowerCase() === EXTENSION_NAME && rest.length > 0 ? route(method, rest.map(decodeSegment)) : undefined;
    if (!handler) {
      return { status: 404 };
    }
    // DurableClient for the request's taskHub / connection (HttpApiHandler.GetClient): blank means the default.
    const hubParam = query.get('taskHub');
    const hubName = hubParam && hubParam.trim() ? hubParam : o.defaultTaskHub;
    const connectionParam = query.get('connection');
    if (connectionParam && connectionParam.trim() && connectionParam.toLowerCase() !== connectionName.toLowerCase()) {
      throw invalidOperation(`Unable to resolve the Azure Storage connection named '${connectionParam}'.`);
    }
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    let body: Promise<string> | undefined;
    const base = origin();
    const ctx: ApiContext = {
      query,
      headers: req.headers,
      requestUrl: new URL(rawUrl, base).href,
      signal: AbortSignal.any([stopping.signal, gone.signal]),
      app,
      readBody: () => (body ??= readBody(req)),
      hub: () => findHub(hubName),
      ensureHub: () => ensureHub(hubName),
      urls: (instanceId) => managementUrls({ hostUrl: base, instanceId, taskHub: hubName, connectionName, code: o.key }),
    };
    return handler(ctx);
  }

  const server = http.createServer((req, res) => {
    const address = server.address() as AddressInfo;
    const own = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    // Links point at the host the client called (the request's authority), as the host's do.
    const origin = (): string => (req.headers.host && HOST_HEADER.test(req.headers.host) ? `http://${req.headers.host}` : own);
    const path = (req.url ?? '/').split('?')[0];
    handle(req, res, origin)
      .catch((e: unknown) => exceptionResponse(e, secrets))
      .then((r) => {
        if (!res.headersSent && !res.destroyed) {
          send(res, r);
        }
        o.log?.(`${req.method} ${path} → ${r.status}`);
      })
      .catch((e: unknown) => o.log?.(`${req.method} ${path}: ${maskSecrets((e as Error).message, secrets)}`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  return {
    url,
    async stop() {
      stopping.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
