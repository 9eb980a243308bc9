// Failures that look like the .NET ones the Functions runtime records: an exception type, its
// message and stack, serialized as DurableTask.Core `Utils.SerializeCause` does (Json.NET of the
// exception, ISerializable members) for `Details`, plus `FailureDetails`.
import type { FailureDetailsSpec } from '../seed/hubWriter';

/** An error with a .NET exception type, thrown by sample activities and orchestrators. */
export class DotnetError extends Error {
  constructor(
    readonly dotnetType: string,
    message: string,
    /** .NET-style stack (`   at Namespace.Type.Method(...) in file:line N`). */
    readonly dotnetStack: string | null = null,
    /** The assembly of the type, for the serialized `$type`. */
    readonly assembly = dotnetType.startsWith('System.') ? 'System.Private.CoreLib' : 'SampleFunctions',
    readonly hresult = -2146233079,
  ) {
    super(message);
    this.name = dotnetType;
  }
}

/** Durable Functions' `FunctionFailedException`, what an awaited failed activity or sub-orchestration throws. */
export const FUNCTION_FAILED = 'Microsoft.Azure.WebJobs.Extensions.DurableTask.FunctionFailedException';
const DF_ASSEMBLY = 'Microsoft.Azure.WebJobs.Extensions.DurableTask';

export function functionFailed(message: string, stack: string | null = null): DotnetError {
  return new DotnetError(FUNCTION_FAILED, message, stack, DF_ASSEMBLY, -2146233088);
}

export function asDotnet(e: unknown): DotnetError {
  if (e instanceof DotnetError) {
    return e;
  }
  const message = e instanceof Error ? e.message : String(e);
  return new DotnetError('System.Exception', message, null, 'System.Private.CoreLib', -2146233088);
}

/** `Utils.SerializeCause`: Json.NET of the exception with its `$type`, as `Details` holds it. */
export function serializeCause(e: DotnetError): string {
  return JSON.stringify({
    $type: `${e.dotnetType}, ${e.assembly}`,
    ClassName: e.dotnetType,
    Message: e.message,
    Data: null,
    InnerException: null,
    HelpURL: null,
    StackTraceString: e.dotnetStack,
    RemoteStackTraceString: null,
    RemoteStackIndex: 0,
    ExceptionMethod: null,
    HResult: e.hresult,
    Source: e.assembly,
    WatsonBuckets: null,
  });
}

/** The `Message` of a serialized cause (`Utils.RetrieveCause`), or null. */
export function causeMessage(details: string | null): string | null {
  if (!details) {
    return null;
  }
  try {
    const parsed = JSON.parse(details) as { Message?: unknown };
    return typeof parsed.Message === 'string' ? parsed.Message : null;
  } catch {
    return null;
  }
}

/** `new FailureDetails(exception)`: type, message, stack. */
export function failureDetailsOf(e: DotnetError): FailureDetailsSpec {
  return { errorType: e.dotnetType, errorMessage: e.message, stackTrace: e.dotnetStack, innerFailure: null, isNonRetriable: false, properties: null };
}

/** A plausible .NET stack for a sample function. */
export function sampleStack(method: string, file: string, line: number): string {
  return (
    `   at SampleFunctions.${method} in /src/SampleFunctions/${file}:line ${line}\n` +
    '   at Microsoft.Azure.WebJobs.Host.Executors.VoidTaskMethodInvoker`2.InvokeAsync(TReflected instance, Object[] arguments) in ' +
    'C:\\projects\\azure-webjobs-sdk-rqm4t\\src\\Microsoft.Azure.WebJobs.Host\\Executors\\VoidTaskMethodInvoker.cs:line 20\n' +
    '   at Microsoft.Azure.WebJobs.Host.Executors.FunctionInvoker`2.InvokeAsync(Object instance, Object[] arguments) in ' +
    'C:\\projects\\azure-webjobs-sdk-rqm4t\\src\\Microsoft.Azure.WebJobs.Host\\Executors\\FunctionInvoker.cs:line 52'
  );
}
