// What every part of the worker shares: the function app, the log, the stop flag; and the
// ExecutionStarted members the dispatcher itself creates.
import type { FieldValue } from '../seed/hubWriter';
import { json } from '../seed/hubWriter';
import type { ParentRef } from './messages';
import type { FunctionApp } from './samples';

export interface WorkerContext {
  app: FunctionApp;
  log: (line: string) => void;
  /** True once the worker is asked to stop: finish the current batch, start no new one. */
  shouldStop: () => boolean;
}

export interface StartedSpec {
  instanceId: string;
  executionId: string;
  name: string;
  version: string;
  input: string | null;
  parent: ParentRef | null;
  tags: Record<string, string> | null;
}

function parentJson(p: ParentRef | null): unknown {
  return p
    ? { Name: p.name, OrchestrationInstance: { InstanceId: p.instance.instanceId, ExecutionId: p.instance.executionId }, TaskScheduleId: p.taskScheduleId, Version: p.version }
    : null;
}

/** The members of an ExecutionStartedEvent the dispatcher creates (ContinueAsNew, entity auto-start). */
export function startedFields(s: StartedSpec): Record<string, FieldValue> {
  return {
    OrchestrationInstance: json({ InstanceId: s.instanceId, ExecutionId: s.executionId }),
    ParentInstance: json(parentJson(s.parent)),
    Name: s.name,
    Version: s.version,
    Input: s.input,
    Tags: json(s.tags),
    ParentTraceContext: json(null),
    GenerateNewTrace: false,
  };
}

