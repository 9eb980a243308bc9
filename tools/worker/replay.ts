// A minimal replay engine with the semantics of DurableTask.Core's executor
// (src/DurableTask.Core/TaskOrchestrationExecutor.cs `ExecuteCore`/`ProcessEvent`) and context
// (src/DurableTask.Core/TaskOrchestrationContext.cs), as Durable Functions (in-process) drives them:
//
// * Orchestrators are generator functions; `yield task` awaits a durable task. The whole history
//   (past events, then the new ones) is replayed from the start on every episode.
// * Every action (activity, timer, sub-orchestration, sent event, completion) takes the next id
//   of one counter. History events that record an action (TaskScheduled, TimerCreated,
//   SubOrchestrationInstanceCreated, EventSent) must match the action of that id, by kind and
//   name, or the orchestration fails as non-deterministic. Actions left unmatched after the last
//   event are the episode's new decisions, in id order.
// * Completion events (TaskCompleted/Failed, SubOrchestrationInstanceCompleted/Failed,
//   TimerFired) settle the open task of their id; the orchestrator resumes synchronously.
// * The orchestration completes only when its code has returned (or thrown) *and* no task is
//   open — an un-cancelled timer keeps it Running ("HasOpenTasks").
// * EventRaised goes to the first waiter of that name or is buffered until the code waits for it
//   (DurableOrchestrationContext.RaiseEvent in the Functions extension); after continueAsNew the
//   runtime carries it over to the next execution instead.
// * ExecutionTerminated completes the orchestration as Terminated with the reason as result.
// * While suspended (ExecutionSuspended) every event but Resumed/Terminated is held and processed
//   on ExecutionResumed; pending actions are held back too (HandleExecutionSuspendedEvent).
// * GenericEvent (a rewind's wake-up, and rows a rewind rewrote) and any other type are ignored.
import type { FailureDetailsSpec } from '../seed/hubWriter';
import type { WorkerEvent } from './events';
import { intField, strField } from './events';
import { DotnetError, asDotnet, causeMessage, functionFailed, serializeCause } from './failures';

export type TaskState = 'pending' | 'completed' | 'failed' | 'canceled';

/** A durable task: what orchestrator code yields to await an activity, timer, event or sub-orchestration. */
export class DurableTask<T = unknown> {
  state: TaskState = 'pending';
  result?: T;
  error?: unknown;
  private listeners: Array<() => void> = [];

  get isCompleted(): boolean {
    return this.state !== 'pending';
  }

  /** @internal */
  settle(state: Exclude<TaskState, 'pending'>, result?: T, error?: unknown): void {
    if (this.state !== 'pending') {
      return;
    }
    this.state = state;
    this.result = result;
    this.error = error;
    const listeners = this.listeners;
    this.listeners = [];
    for (const l of listeners) {
      l();
    }
  }

  /** @internal */
  onSettled(listener: () => void): void {
    if (this.isCompleted) {
      listener();
    } else {
      this.listeners.push(listener);
    }
  }
}

export class TaskCanceledError extends Error {
  constructor() {
    super('A task was canceled.');
  }
}

/** A durable timer; cancel it when the code no longer waits for it, or the orchestration stays open. */
export class TimerTask extends DurableTask<void> {
  constructor(private readonly onCancel: () => void) {
    super();
  }

  cancel(): void {
    if (!this.isCompleted) {
      this.onCancel();
      this.settle('canceled', undefined, new TaskCanceledError());
    }
  }
}

export interface OrchestrationContext {
  readonly instanceId: string;
  readonly executionId: string;
  readonly name: string;
  readonly parentInstanceId: string | null;
  /** The time of the episode being replayed (its OrchestratorStarted event): deterministic. */
  readonly currentUtcDateTime: Date;
  readonly isReplaying: boolean;
  callActivity<T = unknown>(name: string, input?: unknown): DurableTask<T>;
  callSubOrchestrator<T = unknown>(name: string, input?: unknown, instanceId?: string): DurableTask<T>;
  createTimer(fireAt: Date): TimerTask;
  waitForExternalEvent<T = unknown>(name: string): DurableTask<T>;
  /** Completes when all complete (fails with the first failure, as `Task.WhenAll`). */
  all<T>(tasks: readonly DurableTask<T>[]): DurableTask<T[]>;
  /** Completes with the first task to complete (`Task.WhenAny`). */
  any(tasks: readonly DurableTask<unknown>[]): DurableTask<DurableTask<unknown>>;
  setCustomStatus(value: unknown): void;
  /** Completes this execution and starts a new one with `input` when the code returns. */
  continueAsNew(input: unknown): void;
  /** Sends an event to another instance (EventSent + an EventRaised message). */
  sendEvent(instanceId: string, name: string, data?: unknown): void;
}

export type Orchestrator = (ctx: OrchestrationContext, input: unknown) => Generator<DurableTask<unknown>, unknown, unknown>;

export type Action =
  | { kind: 'ScheduleTask'; id: number; name: string; input: string | null }
  | { kind: 'CreateTimer'; id: number; fireAt: Date }
  | { kind: 'CreateSubOrchestration'; id: number; name: string; instanceId: string; input: string | null }
  | { kind: 'SendEvent'; id: number; instanceId: string; name: string; input: string | null }
  | {
      kind: 'Complete';
      id: number;
      status: 'Completed' | 'Failed' | 'Terminated' | 'ContinuedAsNew';
      result: string | null;
      details: string | null;
      failureDetails: FailureDetailsSpec | null;
      /** ContinueAsNew: EventRaised events to replay in the next execution. */
      carryover: WorkerEvent[];
    };

export interface ExecutionResult {
  /** The new decisions, in id order. */
  actions: Action[];
  /** Serialized custom status, or null. */
  customStatus: string | null;
}

export interface ExecuteOptions {
  instanceId: string;
  executionId: string;
  name: string;
  parentInstanceId: string | null;
  /** The execution's events: the past ones, then the new ones from `firstNewEvent` on. */
  events: readonly WorkerEvent[];
  firstNewEvent: number;
  /** Undefined: no such orchestrator function. */
  orchestrator: Orchestrator | undefined;
  /** The message the Functions host gives for a missing orchestrator function. */
  missingFunctionMessage: () => string;
}

class NonDeterministicError extends DotnetError {
  constructor(message: string) {
    super('DurableTask.Core.Exceptions.NonDeterministicOrchestrationException', message, null, 'DurableTask.Core');
  }
}

function parseJson(text: string | null): unknown {
  if (text === null || text === '') {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `JsonDataConverter.SerializeInternal`: JSON text, null for no value. */
function serialize(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

interface OpenTask {
  task: DurableTask<unknown>;
  name: string;
  kind: 'activity' | 'orchestrator' | 'timer';
}

/** Drives one generator: resumes it whenever the task it awaits settles. */
class Runner {
  finished = false;
  faulted = false;
  value: unknown;
  error: unknown;

  constructor(private readonly gen: Generator<DurableTask<unknown>, unknown, unknown>) {}

  start(): void {
    this.resume(undefined, false);
  }

  private resume(value: unknown, isError: boolean): void {
    for (;;) {
      let r: IteratorResult<DurableTask<unknown>, unknown>;
      try {
        r = isError ? this.gen.throw(value) : this.gen.next(value);
      } catch (e) {
        this.finished = true;
        this.faulted = true;
        this.error = e;
        return;
      }
      if (r.done) {
        this.finished = true;
        this.value = r.value;
        return;
      }
      const task = r.value;
      if (!(task instanceof DurableTask)) {
        value = new TypeError('Orchestrator code must yield durable tasks (ctx.callActivity, ctx.createTimer, …).');
        isError = true;
        continue;
      }
      if (!task.isCompleted) {
        task.onSettled(() => {
          const settled = Runner.outcome(task);
          this.resume(settled.value, settled.isError);
        });
        return;
      }
      ({ value, isError } = Runner.outcome(task));
    }
  }

  private static outcome(task: DurableTask<unknown>): { value: unknown; isError: boolean } {
    return task.state === 'completed' ? { value: task.result, isError: false } : { value: task.error, isError: true };
  }
}

function* throwing(error: Error): Generator<DurableTask<unknown>, unknown, unknown> {
  if (error) {
    throw error;
  }
  yield new DurableTask();
  return undefined;
}

export function executeOrchestration(o: ExecuteOptions): ExecutionResult {
  return new Executor(o).run();
}

class Executor implements OrchestrationContext {
  readonly instanceId: string;
  readonly executionId: string;
  readonly name: string;
  readonly parentInstanceId: string | null;
  currentUtcDateTime = new Date(0);
  isReplaying = true;

  private idCounter = 0;
  private readonly actions = new Map<number, Action>();
  private readonly suspendedActions = new Map<number, Action>();
  private readonly openTasks = new Map<number, OpenTask>();
  private readonly buffered = new Map<string, Array<string | null>>();
  private readonly waiters = new Map<string, Array<DurableTask<unknown>>>();
  private readonly heldWhileSuspended: WorkerEvent[] = [];
  private suspended = false;
  private completedOrTerminated = false;
  private continueAsNewInput: { input: string | null; carryover: WorkerEvent[] } | null = null;
  private customStatus: string | null = null;
  private runner: Runner | undefined;

  constructor(private readonly o: ExecuteOptions) {
    this.instanceId = o.instanceId;
    this.executionId = o.executionId;
    this.name = o.name;
    this.parentInstanceId = o.parentInstanceId;
  }

  run(): ExecutionResult {
    try {
      this.o.events.forEach((e, i) => {
        this.isReplaying = i < this.o.firstNewEvent;
        if (e.eventType === 'OrchestratorStarted') {
          this.currentUtcDateTime = new Date(Date.parse(e.timestamp.slice(0, 23) + 'Z'));
          return;
        }
        this.processEvent(e);
        e.isPlayed = true;
      });
      // "check if workflow is completed after this replay": only with no open task.
      if (this.openTasks.size === 0 && this.runner?.finished) {
        if (this.runner.faulted) {
          this.failOrchestration(this.runner.error);
        } else {
          this.completeOrchestration(serialize(this.runner.value), null, 'Completed');
        }
      }
    } catch (e) {
      if (!(e instanceof NonDeterministicError)) {
        throw e;
      }
      this.failOrchestration(e);
    }
    return { actions: [...this.actions.values()].sort((a, b) => a.id - b.id), customStatus: this.customStatus };
  }

  // -------------------------------------------------------------------------------------------
  // Events

  private processEvent(e: WorkerEvent): void {
    const overridesSuspension = e.eventType === 'ExecutionResumed' || e.eventType === 'ExecutionTerminated';
    if (this.suspended && !overridesSuspension) {
      if (e.eventType !== 'ExecutionSuspended') {
        this.heldWhileSuspended.push(e);
      }
      return;
    }
    switch (e.eventType) {
      case 'ExecutionStarted':
        this.start(e);
        break;
      case 'ExecutionTerminated':
        this.completeOrchestration(strField(e, 'Input'), null, 'Terminated');
        break;
      case 'TaskScheduled':
        this.matchAction(e, 'ScheduleTask', 'an activity task');
        break;
      case 'TimerCreated':
        this.matchAction(e, 'CreateTimer', 'a timer task');
        break;
      case 'SubOrchestrationInstanceCreated':
        this.matchAction(e, 'CreateSubOrchestration', 'a sub-orchestration task');
        break;
      case 'EventSent':
        this.matchAction(e, 'SendEvent', 'a send event task');
        break;
      case 'TaskCompleted':
      case 'SubOrchestrationInstanceCompleted':
        this.openTask(intField(e, 'TaskScheduledId'))?.task.settle('completed', parseJson(strField(e, 'Result')));
        break;
      case 'TaskFailed':
      case 'SubOrchestrationInstanceFailed': {
        const open = this.openTask(intField(e, 'TaskScheduledId'));
        if (open) {
          // FunctionFailedException, as DurableOrchestrationContext throws it to the awaiting code.
          const cause = causeMessage(strField(e, 'Details')) ?? strField(e, 'Reason') ?? '';
          const what = open.kind === 'activity' ? 'activity' : 'orchestrator';
          open.task.settle('failed', undefined, functionFailed(`The ${what} function '${open.name}' failed: "${cause}". See the function execution logs for additional details.`));
        }
        break;
      }
      case 'TimerFired':
        this.openTask(intField(e, 'TimerId'))?.task.settle('completed', undefined);
        break;
      case 'EventRaised':
        if (this.continueAsNewInput) {
          this.continueAsNewInput.carryover.push(e);
        } else {
          this.raiseEvent(strField(e, 'Name') ?? '', strField(e, 'Input'));
        }
        break;
      case 'ExecutionSuspended':
        // After a terminate in the same batch the orchestration is over: the suspend changes
        // nothing (DTFx's executor stops at ExecutionTerminated; the event stays in history).
        if (this.completedOrTerminated) {
          break;
        }
        this.suspended = true;
        for (const [id, action] of this.actions) {
          this.suspendedActions.set(id, action);
        }
        this.actions.clear();
        break;
      case 'ExecutionResumed': {
        this.suspended = false;
        for (const [id, action] of this.suspendedActions) {
          this.actions.set(id, action);
        }
        this.suspendedActions.clear();
        while (this.heldWhileSuspended.length > 0) {
          this.processEvent(this.heldWhileSuspended.shift() as WorkerEvent);
        }
        break;
      }
      default:
        // GenericEvent, OrchestratorCompleted, ExecutionCompleted, …: nothing to replay.
        break;
    }
  }

  private start(e: WorkerEvent): void {
    const orchestrator = this.o.orchestrator;
    if (!orchestrator) {
      // The Functions host's shim throws this from the function invocation callback.
      const error = new DotnetError('DurableTask.Core.Exceptions.OrchestrationFailureException', this.o.missingFunctionMessage(), null, 'DurableTask.Core');
      this.runner = new Runner(throwing(error));
    } else {
      this.runner = new Runner(orchestrator(this, parseJson(strField(e, 'Input'))));
    }
    this.runner.start();
  }

  private openTask(id: number | null): OpenTask | undefined {
    if (id === null) {
      return undefined;
    }
    const open = this.openTasks.get(id);
    // A duplicate completion (or one for a cancelled timer) is ignored, as LogDuplicateEvent does.
    this.openTasks.delete(id);
    return open;
  }

  private matchAction(e: WorkerEvent, kind: Action['kind'], what: string): void {
    const id = e.eventId;
    const action = this.actions.get(id);
    const name = strField(e, 'Name') ?? '';
    if (!action) {
      throw new NonDeterministicError(
        `A previous execution of this orchestration scheduled ${what} with sequence ID ${id} and name '${name}', but the current replay ` +
          "execution hasn't (yet?) scheduled this task. Was a change made to the orchestrator code after this instance had already started running?",
      );
    }
    if (action.kind !== kind) {
      throw new NonDeterministicError(
        `A previous execution of this orchestration scheduled ${what} with sequence number ${id} named '${name}', but the current orchestration ` +
          `replay instead produced a ${action.kind} action with this sequence number. Was a change made to the orchestrator code after this instance had already started running?`,
      );
    }
    if ('name' in action && action.name.toLowerCase() !== name.toLowerCase()) {
      throw new NonDeterministicError(
        `A previous execution of this orchestration scheduled ${what} with sequence number ${id} named '${name}', but the current orchestration ` +
          `replay instead scheduled one named '${action.name}' with this sequence number. Was a change made to the orchestrator code after this instance had already started running?`,
      );
    }
    this.actions.delete(id);
  }

  private raiseEvent(name: string, input: string | null): void {
    const key = name.toLowerCase();
    const waiting = this.waiters.get(key);
    const waiter = waiting?.shift();
    if (waiter) {
      waiter.settle('completed', parseJson(input));
    } else {
      const queue = this.buffered.get(key) ?? [];
      queue.push(input);
      this.buffered.set(key, queue);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Completion (TaskOrchestrationContext.CompleteOrchestration / FailOrchestration)

  private completeOrchestration(result: string | null, details: string | null, status: 'Completed' | 'Failed' | 'Terminated', failureDetails: FailureDetailsSpec | null = null): void {
    const id = this.idCounter++;
    if (status === 'Completed' && this.continueAsNewInput) {
      this.actions.set(id, {
        kind: 'Complete',
        id,
        status: 'ContinuedAsNew',
        result: this.continueAsNewInput.input,
        details: null,
        failureDetails: null,
        carryover: this.continueAsNewInput.carryover,
      });
      return;
    }
    if (this.completedOrTerminated) {
      return;
    }
    this.completedOrTerminated = true;
    this.actions.set(id, { kind: 'Complete', id, status, result, details, failureDetails, carryover: [] });
  }

  private failOrchestration(error: unknown): void {
    if (error instanceof NonDeterministicError) {
      this.completeOrchestration(error.message, `Unhandled exception while executing orchestration: ${error.dotnetType}: ${error.message}`, 'Failed');
      return;
    }
    // TaskOrchestrationShim: OrchestrationFailureException("Orchestrator function '<name>' failed: <message>", SerializeCause(e)).
    const cause = asDotnet(error);
    this.completeOrchestration(`Orchestrator function '${this.name}' failed: ${cause.message}`, serializeCause(cause), 'Failed');
  }

  // -------------------------------------------------------------------------------------------
  // The context the orchestrator code sees

  callActivity<T = unknown>(name: string, input?: unknown): DurableTask<T> {
    const id = this.idCounter++;
    // Durable Functions passes the input as the single element of the parameter array.
    this.actions.set(id, { kind: 'ScheduleTask', id, name, input: JSON.stringify([input === undefined ? null : input]) });
    const task = new DurableTask<T>();
    this.openTasks.set(id, { task: task as DurableTask<unknown>, name, kind: 'activity' });
    return task;
  }

  callSubOrchestrator<T = unknown>(name: string, input?: unknown, instanceId?: string): DurableTask<T> {
    const id = this.idCounter++;
    this.actions.set(id, { kind: 'CreateSubOrchestration', id, name, instanceId: instanceId ?? `${this.instanceId}:${id}`, input: serialize(input) });
    const task = new DurableTask<T>();
    this.openTasks.set(id, { task: task as DurableTask<unknown>, name, kind: 'orchestrator' });
    return task;
  }

  createTimer(fireAt: Date): TimerTask {
    const id = this.idCounter++;
    this.actions.set(id, { kind: 'CreateTimer', id, fireAt });
    // Cancelling only forgets the open task: the TimerCreated action still goes out.
    const task = new TimerTask(() => this.openTasks.delete(id));
    this.openTasks.set(id, { task, name: 'timer', kind: 'timer' });
    return task;
  }

  waitForExternalEvent<T = unknown>(name: string): DurableTask<T> {
    const key = name.toLowerCase();
    const task = new DurableTask<T>();
    const queue = this.buffered.get(key);
    if (queue && queue.length > 0) {
      task.settle('completed', parseJson(queue.shift() ?? null) as T);
    } else {
      const waiting = this.waiters.get(key) ?? [];
      waiting.push(task as DurableTask<unknown>);
      this.waiters.set(key, waiting);
    }
    return task;
  }

  all<T>(tasks: readonly DurableTask<T>[]): DurableTask<T[]> {
    const whole = new DurableTask<T[]>();
    const check = (): void => {
      if (whole.isCompleted || !tasks.every((t) => t.isCompleted)) {
        return;
      }
      const failed = tasks.find((t) => t.state !== 'completed');
      if (failed) {
        whole.settle('failed', undefined, failed.error);
      } else {
        whole.settle('completed', tasks.map((t) => t.result as T));
      }
    };
    if (tasks.length === 0) {
      whole.settle('completed', []);
    }
    tasks.forEach((t) => t.onSettled(check));
    return whole;
  }

  any(tasks: readonly DurableTask<unknown>[]): DurableTask<DurableTask<unknown>> {
    const first = new DurableTask<DurableTask<unknown>>();
    tasks.forEach((t) => t.onSettled(() => first.settle('completed', t)));
    return first;
  }

  setCustomStatus(value: unknown): void {
    this.customStatus = value === undefined || value === null ? null : JSON.stringify(value);
  }

  continueAsNew(input: unknown): void {
    this.continueAsNewInput = { input: serialize(input), carryover: [] };
  }

  sendEvent(instanceId: string, name: string, data?: unknown): void {
    const id = this.idCounter++;
    this.actions.set(id, { kind: 'SendEvent', id, instanceId, name, input: serialize(data) });
  }
}

