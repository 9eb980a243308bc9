// POST orchestrators/{functionName}[/{instanceId}] and POST instances/{id}/restart: the start
// (HandleStartOrchestratorRequestAsync, HandleRestartInstanceRequestAsync) with the checks
// DurableClient.StartNewAsync makes, then the 202 check-status response or, with timeout and
// pollingInterval, the wait of WaitForCompletionOrCreateCheckStatusResponseAsync.
import { ValidationError, checkStatusPayload, restartInstance, startNew } from '../../../src/core';
import type { FunctionApp } from '../samples';
import { findFunction } from '../samples';
import type { ApiContext } from './context';
import { COMPLETED, findStatus, isRunning, json } from './context';
import { DotNetException, argumentException, tryParseBool, tryParseDouble } from './dotnet';
import type { ApiResponse } from './payloads';
import { errorWithException } from './payloads';
import { getStatus } from './status';

/** The 202 of CreateCheckStatusResponse: the links, Location = statusQueryGetUri, Retry-After: 10. */
function checkStatus(ctx: ApiContext, instanceId: string): ApiResponse {
  const urls = ctx.urls(instanceId);
  return json(202, checkStatusPayload(urls), { Location: urls.statusQueryGetUri, 'Retry-After': '10' });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * With `timeout` and `pollingInterval` (seconds), WaitForCompletionOrCreateCheckStatusResponseAsync:
 * polls until the instance finishes or the time is up; Completed → 200 with the output, Failed /
 * Canceled / Terminated → the status response, still running → the 202 check-status response.
 */
async function waitOrCheckStatus(ctx: ApiContext, instanceId: string): Promise<ApiResponse> {
  const timeout = tryParseDouble(ctx.query.get('timeout'));
  const interval = tryParseDouble(ctx.query.get('pollingInterval'));
  if (timeout === undefined || interval === undefined) {
    return checkStatus(ctx, instanceId);
  }
  if (interval > timeout) {
    throw argumentException(`Total timeout ${timeout} should be bigger than retry timeout ${interval}`);
  }
  const deadline = Date.now() + timeout * 1000;
  let found;
  for (;;) {
    found = await findStatus(ctx, instanceId, { showOutput: true });
    if ((found && COMPLETED.includes(found.status.runtimeStatus)) || Date.now() >= deadline || ctx.signal.aborted) {
      break;
    }
    await sleep(Math.min(interval * 1000, deadline - Date.now()), ctx.signal);
  }
  const finished = found?.status.runtimeStatus;
  if (finished === 'Completed') {
    return json(200, found?.status.output ?? null);
  }
  if (finished === 'Failed' || finished === 'Canceled' || finished === 'Terminated') {
    return getStatus(ctx, instanceId, false);
  }
  return checkStatus(ctx, instanceId);
}

/** DurableTaskExtension.ThrowIfFunctionDoesNotExist for an orchestrator (names compare case-insensitively). */
function assertOrchestratorExists(app: FunctionApp, name: string): void {
  if (!findFunction(app.orchestrators, name)) {
    const known = Object.keys(app.orchestrators);
    throw argumentException(
      `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function. Additional info: ` +
        (known.length > 0 ? `The following are the known orchestrator functions: '${known.join("', '")}'.` : 'No orchestrator functions are currently registered!'),
    );
  }
}

/** StartNewAsync's instance id checks, with the host's messages (ArgumentException(paramName, message) swapped as the host has them). */
function assertValidInstanceId(instanceId: string): void {
  if (instanceId.startsWith('@')) {
    throw argumentException("instanceId (Parameter 'Orchestration instance ids must not start with @.')");
  }
  if (/[/\\?#\u0000-\u001f\u007f-\u009f]/.test(instanceId)) {
    throw argumentException("instanceId (Parameter 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.')");
  }
  if (instanceId.length > 256) {
    throw argumentException('Instance ID lengths must not exceed 256 characters.');
  }
}

/** The host refuses to start over an instance that is still running (OverridableExistingInstanceStates = NonRunningStates). */
async function assertNotRunning(ctx: ApiContext, instanceId: string): Promise<void> {
  const existing = await findStatus(ctx, instanceId);
  if (existing && isRunning(existing.status)) {
    throw new DotNetException(
      'DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException',
      `An Orchestration instance with the status ${existing.status.runtimeStatus} already exists.`,
    );
  }
}

/** POST orchestrators/{functionName}[/{instanceId}]: the body (JSON, optional) is the input. */
export async function startOrchestration(ctx: ApiContext, functionName: string, instanceId: string | undefined): Promise<ApiResponse> {
  const text = await ctx.readBody();
  let input: string | null = null;
  if (text.trim().length > 0) {
    try {
      const value: unknown = JSON.parse(text);
      input = value === null ? null : JSON.stringify(value);
    } catch (e) {
      return errorWithException(400, 'Invalid JSON content', { type: 'Newtonsoft.Json.JsonReaderException', message: (e as Error).message });
    }
  }
  assertOrchestratorExists(ctx.app, functionName);
  if (instanceId) {
    assertValidInstanceId(instanceId);
  }
  const hub = await ctx.ensureHub();
  if (instanceId) {
    await assertNotRunning(ctx, instanceId);
  }
  const started = await startNew(hub, { name: functionName, instanceId: instanceId || undefined, input, signal: ctx.signal });
  return waitOrCheckStatus(ctx, started.instanceId);
}

const isArgumentError = (e: unknown): e is Error =>
  e instanceof ValidationError || (e instanceof DotNetException && /^System\.Argument\w*Exception$/.test(e.type));

/** POST instances/{id}/restart?restartWithNewInstanceId= (default true): the check-status response of the new run. */
export async function restart(ctx: ApiContext, instanceId: string): Promise<ApiResponse> {
  try {
    const withNewId = tryParseBool(ctx.query.get('restartWithNewInstanceId')) ?? true;
    const found = await findStatus(ctx, instanceId);
    if (!found) {
      throw argumentException(`An orchestrastion with the instanceId ${instanceId} was not found.`);
    }
    assertOrchestratorExists(ctx.app, found.status.name);
    if (!withNewId) {
      await assertNotRunning(ctx, instanceId);
    }
    const restarted = await restartInstance(found.hub, { instanceId, newInstanceId: withNewId ? true : undefined, signal: ctx.signal });
    return await waitOrCheckStatus(ctx, restarted.instanceId);
  } catch (e) {
    if (isArgumentError(e)) {
      return errorWithException(400, 'InstanceId does not match a valid orchestration instance.', {
        type: e instanceof DotNetException ? e.type : 'System.ArgumentException',
        message: e.message,
      });
    }
    throw e;
  }
}
