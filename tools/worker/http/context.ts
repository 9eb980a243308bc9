// The request as the route handlers see it, and what they share: the status lookup, the
// host's status groups and the JSON response helper.
import type { IncomingHttpHeaders } from 'node:http';
import type { InstanceStatus, ManagementUrls, RuntimeStatus, TaskHub } from '../../../src/core';
import { ACTIVE_STATUSES, NotFoundError, getInstance } from '../../../src/core';
import type { FunctionApp } from '../samples';
import type { QueryValues } from './dotnet';
import type { ApiResponse } from './payloads';

/** What a handler knows of its request: parsed by httpApi.ts, which also resolves the hub. */
export interface ApiContext {
  readonly query: QueryValues;
  readonly headers: IncomingHttpHeaders;
  /** The request's absolute URL: the Location of a 202 status. */
  readonly requestUrl: string;
  readonly signal: AbortSignal;
  readonly app: FunctionApp;
  readBody(): Promise<string>;
  /** The hub named by `taskHub` (else the default), or undefined when storage has none. */
  hub(): Promise<TaskHub | undefined>;
  /** The hub, created when missing, as DurableTask.AzureStorage's EnsureTaskHubAsync does on a start. */
  ensureHub(): Promise<TaskHub>;
  /** The instance's management links (taskHub, connection, code) on the host the client called. */
  urls(instanceId: string): ManagementUrls;
}

export const json = (status: number, body: ApiResponse['body'], headers?: Record<string, string>): ApiResponse => ({ status, body, ...(headers ? { headers } : {}) });

/** IsCompletedStatus of HttpApiHandler (Failed included). */
export const COMPLETED: readonly string[] = ['Completed', 'Terminated', 'Canceled', 'Failed'];
/** DurableClient.IsOrchestrationSuspendable. */
export const SUSPENDABLE: readonly string[] = ['Running', 'Pending', 'ContinuedAsNew'];
/** DurableClient.IsOrchestrationRunning: Running, Pending, Suspended or ContinuedAsNew. */
export const isRunning = (s: InstanceStatus): boolean => ACTIVE_STATUSES.includes(s.runtimeStatus as RuntimeStatus);

/** The instance on the request's hub, or undefined when the hub or the instance does not exist (the host answers both alike). */
export async function findStatus(ctx: ApiContext, instanceId: string, q: { showInput?: boolean; showOutput?: boolean } = {}): Promise<{ hub: TaskHub; status: InstanceStatus } | undefined> {
  const hub = await ctx.hub();
  if (!hub) {
    return undefined;
  }
  try {
    return { hub, status: await getInstance(hub, instanceId, q, { signal: ctx.signal }) };
  } catch (e) {
    if (e instanceof NotFoundError) {
      return undefined;
    }
    throw e;
  }
}
