// The instance page's messages (see kit.ts for the envelope and the schema helpers).
import type { Infer, JsonValue, PageState, ParamsOf, ValueView, ViewProtocol } from './kit';
import { HUB_TARGET_FIELDS, notification, request, s, targetFromState, viewProtocol } from './kit';


export const INSTANCE_VIEW_TYPE = 'durableExplorer.instance';

/** Same names as src/extension/tree/contextValues.ts `InstanceAction` (the host computes them). */
export const INSTANCE_ACTIONS = ['terminate', 'suspend', 'resume', 'raiseEvent', 'rewind', 'restart', 'purge', 'forcePurge'] as const;
export type InstanceActionName = (typeof INSTANCE_ACTIONS)[number];

export const VALUE_SECTIONS = ['input', 'output', 'customStatus', 'failure'] as const;
export type ValueSection = (typeof VALUE_SECTIONS)[number];

/** Which panel a page is: stored with setState, so the serializer can restore it after a reload. */
export const panelTargetSchema = s.object({ ...HUB_TARGET_FIELDS, instanceId: s.string({ min: 1, max: 1024 }) });
export type PanelTarget = Infer<typeof panelTargetSchema>;

export type InstancePageState = PageState<PanelTarget>;

export function panelTargetFromState(state: unknown): PanelTarget | undefined {
  return targetFromState(state, panelTargetSchema);
}

export interface InstanceHello {
  target: PanelTarget;
  hubName: string;
  connectionLabel: string;
  settings: InstancePageSettings;
  /** Set when the panel cannot show its instance (its hub is gone after a reload, …). */
  unavailable?: string;
  /**
   * Set when the hub is reached through a running host's HTTP management API: what the page shows
   * differently there (the host's rewritten history, no execution id) and what it cannot do.
   */
  transportNote?: string;
}

export interface InstancePageSettings {
  /** Auto-refresh interval while the instance is not terminal; 0 = off. */
  refreshSeconds: number;
  /** How long to poll after a control action for the status to change. */
  pollTimeoutSeconds: number;
}

export interface ParentRef {
  instanceId: string;
  name: string | null;
}

export interface InstanceSnapshot {
  instanceId: string;
  name: string;
  runtimeStatus: string;
  createdTime: string | null;
  lastUpdatedTime: string | null;
  completedTime: string | null;
  scheduledStartTime: string | null;
  executionId: string | null;
  generation: number;
  version: string | null;
  tags: Record<string, string> | null;
  input: ValueView;
  output: ValueView;
  customStatus: ValueView;
  /** Failed instances: what the runtime recorded as the failure (the Output column). */
  failure: ValueView | null;
  /** Set for a sub-orchestration (from its ExecutionStarted event). */
  parent: ParentRef | null;
  isEntity: boolean;
  /** What the tree would offer for this status (actionsForStatus). */
  actions: InstanceActionName[];
  terminal: boolean;
}

export type StatusResult = { found: true; instance: InstanceSnapshot; readAt: string } | { found: false; message: string; readAt: string };

/** One history event, summarized (details load with `instance/event`). */
export interface HistoryRow {
  /** Position in the execution's history (0-based), the key for `instance/event`. */
  i: number;
  type: string;
  eventId: number;
  time: string | null;
  /** Name (activity, orchestrator, sub-orchestrator, event). */
  name?: string;
  /** TaskScheduledId of completions, TimerId of TimerFired. */
  scheduledId?: number;
  fireAt?: string;
  /** The sub-orchestration's instance id, or an EventSent target. */
  instanceId?: string;
  /** ExecutionCompleted's OrchestrationStatus. */
  status?: string;
  /** A short text preview of the input, result or reason. */
  summary?: string;
  /** Reason of a rewound row (GenericEvent "Rewound: TaskFailed"). */
  reason?: string;
}

export interface HistoryPageResult {
  /** Changes when the host starts reading the history from the beginning again. */
  generation: number;
  executionId: string | null;
  rows: HistoryRow[];
  continuationToken: string | null;
}

export interface ActionResult {
  message: string;
  /** The page polls until the status changes (control messages the runtime processes later). */
  follow: boolean;
  previousStatus: string | null;
  /** Restart as a new instance: its id. */
  newInstanceId?: string;
  /** Purged: the instance no longer exists. */
  gone?: boolean;
}

const reason = s.nullable(s.string({ max: 4096 }));
const generationRef = { generation: s.int({ min: 0 }), index: s.int({ min: 0, max: 10_000_000 }) };

export const InstanceRequests = {
  /** The instance's status and values (input, output, custom status, failure), parent and actions. */
  status: request<StatusResult>()('instance/status', s.object({})),
  /** A page of history; `continuationToken: null` starts again from the first event. */
  history: request<HistoryPageResult>()(
    'instance/history',
    s.object({
      continuationToken: s.nullable(s.string({ min: 1, max: 8192 })),
      generation: s.optional(s.int({ min: 0 })),
      pageSize: s.optional(s.int({ min: 1, max: 1000 })),
    }),
  ),
  /** One whole history event (for an expanded row). */
  event: request<{ event: JsonValue }>()('instance/event', s.object(generationRef)),
  /** A control action; the host asks nothing more (the page asked), performs it with core and answers. */
  action: request<ActionResult>()(
    'instance/action',
    s.union('action', {
      terminate: s.object({ action: s.oneOf(['terminate']), reason }),
      suspend: s.object({ action: s.oneOf(['suspend']), reason }),
      resume: s.object({ action: s.oneOf(['resume']), reason }),
      rewind: s.object({ action: s.oneOf(['rewind']), reason }),
      raiseEvent: s.object({ action: s.oneOf(['raiseEvent']), eventName: s.string({ min: 1, max: 256 }), eventData: s.string({ max: 1_000_000 }) }),
      restart: s.object({ action: s.oneOf(['restart']), newInstanceId: s.boolean() }),
      purge: s.object({ action: s.oneOf(['purge']) }),
      forcePurge: s.object({ action: s.oneOf(['forcePurge']) }),
    }),
  ),
  /** Opens a value (or the whole instance, or one event) as a read-only JSON document. */
  openDocument: request<Record<string, never>>()(
    'instance/openDocument',
    s.union('what', {
      section: s.object({ what: s.oneOf(['section']), section: s.oneOf(VALUE_SECTIONS) }),
      instance: s.object({ what: s.oneOf(['instance']) }),
      event: s.object({ what: s.oneOf(['event']), ...generationRef }),
    }),
  ),
  /**
   * Copies the instance id, a value, an event or the status URL to the clipboard (the host has the
   * whole value; the status URL may hold the app's key, which the page never sees).
   */
  copy: request<Record<string, never>>()(
    'instance/copy',
    s.union('what', {
      instanceId: s.object({ what: s.oneOf(['instanceId']) }),
      statusUrl: s.object({ what: s.oneOf(['statusUrl']) }),
      section: s.object({ what: s.oneOf(['section']), section: s.oneOf(VALUE_SECTIONS) }),
      event: s.object({ what: s.oneOf(['event']), ...generationRef }),
    }),
  ),
  /** Opens the page of another instance of the same hub (parent, child, restarted). */
  openInstance: request<Record<string, never>>()('instance/openInstance', s.object({ instanceId: s.string({ min: 1, max: 1024 }) })),
};

export type InstanceActionParams = ParamsOf<typeof InstanceRequests.action>;
export type InstanceCopyParams = ParamsOf<typeof InstanceRequests.copy>;

export const InstanceNotifications = {
  /** Read everything again (the panel was shown again from the tree, settings changed, …). */
  refresh: notification<{ reason: string }>()('instance/refresh'),
  settings: notification<InstancePageSettings>()('instance/settings'),
};

export const INSTANCE_PROTOCOL: ViewProtocol = viewProtocol('instance', Object.values(InstanceRequests));
