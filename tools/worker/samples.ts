// The sample function app the worker plays: orchestrators (generator functions over the replay
// context, deterministic under replay), activities, and the Counter entity. Names include the
// ones tools/seed/sampleHubs.ts writes, so seeded Running/Pending instances can progress.
import type { DurableTask, Orchestrator, OrchestrationContext } from './replay';
import { DotnetError, sampleStack } from './failures';

export interface ActivityContext {
  hubName: string;
  instanceId: string;
  executionId: string | null;
  name: string;
  /** True when a rewind rewrote any History row of the calling orchestration. */
  hasBeenRewound(): Promise<boolean>;
}

export type Activity = (input: unknown, ctx: ActivityContext) => unknown | Promise<unknown>;

/** An entity operation: the state (parsed, undefined when the entity does not exist) and the operation input. */
export type EntityOperation = (state: unknown, input: unknown) => { state: unknown; result?: unknown };

export interface FunctionApp {
  orchestrators: Record<string, Orchestrator>;
  activities: Record<string, Activity>;
  /** Entity name (lower case) → operation name (lower case) → operation. */
  entities: Record<string, Record<string, EntityOperation>>;
}

const SECOND = 1000;
const HOUR = 3600 * SECOND;

function after(ctx: OrchestrationContext, ms: number): Date {
  return new Date(ctx.currentUtcDateTime.getTime() + ms);
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function num(value: unknown, fallback: number): number {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
}

/** A JSON object `{"data":"…"}` whose JSON text is `length` characters long. */
export function largeJson(label: string, length: number): Record<string, string> {
  const unit = `${label}-0123456789abcdefghijklmnopqrstuvwxyz;`;
  const size = Math.max(0, length - '{"data":""}'.length);
  return { data: unit.repeat(Math.ceil(size / unit.length)).slice(0, size) };
}

// ---------------------------------------------------------------------------------------------
// Orchestrators

/** Function chaining: SayHello for each city in turn. */
function* helloCities(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  const cities = Array.isArray(input) && input.length > 0 ? input.map(String) : ['Tokyo', 'Seattle', 'London'];
  const greetings: unknown[] = [];
  for (const city of cities) {
    greetings.push(yield ctx.callActivity('SayHello', city));
  }
  return greetings;
}

/** Fan-out/fan-in: N ProcessItem activities in parallel (input: N, default 5); the sum of their results. */
function* fanOutFanIn(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  const count = Math.max(0, Math.floor(num(typeof input === 'object' && input ? record(input).count : input, 5)));
  const tasks = Array.from({ length: count }, (_, i) => ctx.callActivity<number>('ProcessItem', i + 1));
  const results = (yield ctx.all(tasks)) as number[];
  return results.reduce((a, b) => a + b, 0);
}

/**
 * Human interaction (the docs' approval sample): request approval, then wait for the "Approval"
 * event or a timeout (24 h; input `timeoutSeconds` shortens it), cancelling the timer if the event wins.
 */
function* approvalWorkflow(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  const options = record(input);
  yield ctx.callActivity('RequestApproval', input ?? null);
  ctx.setCustomStatus('Waiting for approval');
  const timeout = ctx.createTimer(after(ctx, num(options.timeoutSeconds, 24 * 3600) * SECOND));
  const approval = ctx.waitForExternalEvent<unknown>('Approval');
  const winner = yield ctx.any([approval, timeout]);
  if (winner === approval) {
    timeout.cancel();
    const value = approval.result;
    const approved = value === true || (typeof value === 'string' && /^(true|approved?|yes)$/i.test(value)) || record(value).approved === true;
    ctx.setCustomStatus(approved ? 'Approved' : 'Rejected');
    return approved ? 'Approved' : 'Rejected';
  }
  ctx.setCustomStatus('Timed out');
  return 'Timed out';
}

/** Monitor: CheckStatus every `intervalSeconds` (default 5) until it reports done after `checks` (default 3) checks. */
function* monitorJob(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  const options = record(input);
  // `maxChecks` is the name tools/seed/sampleHubs.ts uses for the same bound.
  const checks = Math.max(1, Math.floor(num(options.checks ?? options.maxChecks ?? (typeof input === 'number' ? input : undefined), 3)));
  const interval = num(options.intervalSeconds, 5) * SECOND;
  const jobId = typeof options.jobId === 'string' ? options.jobId : ctx.instanceId;
  for (let check = 1; ; check++) {
    const status = record(yield ctx.callActivity('CheckStatus', { jobId, check, doneAfter: checks }));
    ctx.setCustomStatus({ jobId, checks: check, of: checks, done: status.done === true });
    if (status.done === true) {
      return { jobId, checks: check, status: 'done' };
    }
    yield ctx.createTimer(after(ctx, interval));
  }
}

/** Sub-orchestrations: `children` (default 3) ChildOrchestration instances; child `failChild` (1-based) fails until rewound. */
function* parentOrchestration(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  const options = record(input);
  const children = Math.max(0, Math.floor(num(options.children ?? (typeof input === 'number' ? input : undefined), 3)));
  const failChild = num(options.failChild, 0);
  const tasks = Array.from({ length: children }, (_, i) => ctx.callSubOrchestrator('ChildOrchestration', { index: i + 1, fail: i + 1 === failChild }));
  return yield ctx.all(tasks);
}

function* childOrchestration(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  const options = record(input);
  return yield ctx.callActivity('ChildWork', { index: num(options.index, 0), fail: options.fail === true });
}

function* alwaysFails(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  return yield ctx.callActivity('FailingActivity', input ?? null);
}

function* failsUntilRewound(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  const result = yield ctx.callActivity('FlakyActivity', input ?? null);
  return { result, rewound: true };
}

/**
 * Large payloads: Transform (whose result has `activityResultSize` characters when given), then
 * an output of `outputSize` characters (default 70,000).
 */
function* bigData(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  const options = record(input);
  yield ctx.callActivity('Transform', options.activityResultSize === undefined ? { chunk: 1 } : { chunk: 1, size: options.activityResultSize });
  return largeJson('output', Math.floor(num(options.outputSize, 70_000)));
}

// Seeded scenarios (tools/seed/sampleHubs.ts), kept action-for-action compatible with their histories.

function* processOrder(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  const order = record(input);
  yield ctx.callActivity('ReserveInventory', { orderId: order.orderId });
  const charged = yield ctx.callActivity('ChargeCard', { orderId: order.orderId, amount: order.amount ?? 99.5 });
  return { orderId: order.orderId, status: charged };
}

function* processOrderIsolated(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  return yield ctx.callActivity('ChargeCard', input ?? null);
}

function* processBatch(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  const items = Array.isArray(record(input).items) ? (record(input).items as unknown[]) : [];
  return yield ctx.all(items.map((item) => ctx.callSubOrchestrator('ProcessItem', { item })));
}

function* processItem(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  return yield ctx.callActivity('ValidateItem', input ?? null);
}

function* singleActivity(activity: string, ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  return yield ctx.callActivity(activity, input ?? null);
}

function* reminder(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  yield ctx.createTimer(after(ctx, 72 * HOUR));
  return yield ctx.callActivity('SendReminder', input ?? null);
}

function* monitor(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  yield ctx.createTimer(after(ctx, HOUR));
  return yield ctx.callActivity('CheckStatus', { jobId: record(input).target ?? ctx.instanceId, check: 1, doneAfter: 1 });
}

/**
 * An eternal orchestration: Increment, then continue as new with the result. With input
 * `{"value": n, "until": m}` it stops (completes with the value) once the value reaches m.
 */
function* counterOrchestration(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  const options = record(input);
  const bounded = typeof input === 'object' && input !== null;
  const next = num(yield ctx.callActivity('Increment', bounded ? num(options.value, 0) : num(input, 0)), 0);
  if (bounded && next >= num(options.until, Infinity)) {
    return next;
  }
  ctx.continueAsNew(bounded ? { ...options, value: next } : next);
  return null;
}

/** Sends the "Approval" event to another instance (EventSent). */
function* sendApproval(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  const options = record(input);
  yield* [];
  ctx.sendEvent(String(options.instanceId), 'Approval', options.approved ?? true);
  return 'sent';
}

function* eternalWorker(ctx: OrchestrationContext, input: unknown): Generator<DurableTask<unknown>, unknown, unknown> {
  const iteration = num(record(input).iteration, 1);
  yield ctx.callActivity('DoWork', { iteration });
  yield ctx.createTimer(after(ctx, 10 * 60 * SECOND));
  ctx.continueAsNew({ iteration: iteration + 1 });
  return null;
}

function* cancellable(): Generator<DurableTask<unknown>, unknown, unknown> {
  yield* [];
  return null;
}

// ---------------------------------------------------------------------------------------------
// Activities

function invalidOperation(message: string, method: string, line: number): DotnetError {
  return new DotnetError('System.InvalidOperationException', message, sampleStack(method, 'Activities.cs', line));
}

async function failsUnlessRewound(ctx: ActivityContext, message: string, method: string): Promise<void> {
  if (!(await ctx.hasBeenRewound())) {
    throw invalidOperation(message, method, 88);
  }
}

const activities: Record<string, Activity> = {
  SayHello: (city) => `Hello ${String(city)}!`,
  ProcessItem: (item) => num(item, 0),
  // The fan-out activity of tools/seed/sampleHubs.ts histories: i → i * 2.
  ProcessWorkItem: (item) => num(item, 0) * 2,
  RequestApproval: () => null,
  CheckStatus: (input) => {
    const o = record(input);
    return { jobId: o.jobId ?? null, check: num(o.check, 1), done: num(o.check, 1) >= num(o.doneAfter, 1) };
  },
  ChildWork: async (input, ctx) => {
    const o = record(input);
    if (o.fail === true) {
      await failsUnlessRewound(ctx, `Child item ${num(o.index, 0)} failed validation.`, 'ChildWork(ChildItem item, ILogger log)');
    }
    return `Child ${num(o.index, 0)} done`;
  },
  FailingActivity: () => {
    throw invalidOperation('This activity always fails.', 'FailingActivity(Object input, ILogger log)', 64);
  },
  FlakyActivity: async (_input, ctx) => {
    await failsUnlessRewound(ctx, 'The flaky dependency is unavailable (never rewound).', 'FlakyActivity(Object input, ILogger log)');
    return 'Succeeded after rewind';
  },
  Transform: (input) => (record(input).size === undefined ? { ...record(input), transformed: true } : largeJson('activity', num(record(input).size, 0))),
  ReserveInventory: () => 'reserved',
  ChargeCard: () => 'charged',
  ValidateItem: async (input, ctx) => {
    await failsUnlessRewound(ctx, `Item ${String(record(input).item)} has no SKU`, 'ValidateItem(Item item, ILogger log)');
    return 'valid';
  },
  GenerateReport: () => 'report generated',
  SendReminder: () => 'reminder sent',
  Increment: (n) => num(n, 0) + 1,
  DoWork: () => true,
  Echo: (x) => x,
  Archive: () => 'archived',
};

// ---------------------------------------------------------------------------------------------
// Entities

const counter: Record<string, EntityOperation> = {
  add: (state, input) => ({ state: num(state, 0) + num(input, 0) }),
  reset: () => ({ state: 0 }),
  get: (state) => ({ state, result: num(state, 0) }),
  delete: () => ({ state: undefined }),
};

export const SAMPLE_APP: FunctionApp = {
  orchestrators: {
    HelloCities: helloCities,
    FanOutFanIn: fanOutFanIn,
    ApprovalWorkflow: approvalWorkflow,
    MonitorJob: monitorJob,
    ParentOrchestration: parentOrchestration,
    ChildOrchestration: childOrchestration,
    AlwaysFails: alwaysFails,
    FailsUntilRewound: failsUntilRewound,
    BigData: bigData,
    ProcessOrder: processOrder,
    ProcessOrderIsolated: processOrderIsolated,
    ProcessBatch: processBatch,
    ProcessItem: processItem,
    NightlyReport: (ctx, input) => singleActivity('GenerateReport', ctx, input),
    Reminder: reminder,
    Monitor: monitor,
    Counter: counterOrchestration,
    SendApproval: sendApproval,
    EternalWorker: eternalWorker,
    Cancellable: cancellable,
    Echo: (ctx, input) => singleActivity('Echo', ctx, input),
    ArchiveYear: (ctx, input) => singleActivity('Archive', ctx, input),
  },
  activities,
  entities: { counter },
};

/** Function names are case-insensitive in Azure Functions. */
export function findFunction<T>(table: Record<string, T>, name: string): T | undefined {
  if (Object.prototype.hasOwnProperty.call(table, name)) {
    return table[name];
  }
  const key = Object.keys(table).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : table[key];
}

