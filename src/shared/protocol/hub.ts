// The task hub page's messages (see kit.ts for the envelope and the schema helpers).
//
// The page resolves its time range to concrete dates once, when the user applies a filter, so the
// list, the counts, a bulk preview and the bulk action itself all run the very same query.
import type { Infer, PageState, ParamsOf, ViewProtocol } from './kit';
import { HUB_TARGET_FIELDS, notification, request, s, targetFromState, viewProtocol } from './kit';

export const HUB_VIEW_TYPE = 'durableExplorer.hub';

/** Core's RUNTIME_STATUSES (src/shared may not import core values). A unit test keeps them equal. */
export const HUB_RUNTIME_STATUSES = ['Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Canceled', 'Terminated', 'Pending', 'Suspended'] as const;
export type HubRuntimeStatus = (typeof HUB_RUNTIME_STATUSES)[number];

/** ISO-8601 date-time; the host parses it again (Date.parse) and refuses what it can't read. */
const isoDate = s.string({ min: 10, max: 40 });

export const hubQuerySchema = s.object({
  /** Created at or after; null = no lower bound. */
  createdAfter: s.nullable(isoDate),
  /** Created at or before; null = no upper bound. */
  createdBefore: s.nullable(isoDate),
  /** Any of these; empty = every status. */
  statuses: s.array(s.oneOf(HUB_RUNTIME_STATUSES), { max: HUB_RUNTIME_STATUSES.length }),
  /** Orchestrator or entity name, exact; null = any. */
  name: s.nullable(s.string({ min: 1, max: 256 })),
  instanceIdPrefix: s.nullable(s.string({ min: 1, max: 1024 })),
  includeEntities: s.boolean(),
});
export type HubQuery = Infer<typeof hubQuerySchema>;

/** Which hub a page shows: stored with setState, so the serializer can restore it after a reload. */
export const hubTargetSchema = s.object(HUB_TARGET_FIELDS);
export type HubTarget = Infer<typeof hubTargetSchema>;

export type HubPageState = PageState<HubTarget>;

export function hubTargetFromState(state: unknown): HubTarget | undefined {
  return targetFromState(state, hubTargetSchema);
}

export interface HubPageSettings {
  /** Rows per list request. */
  pageSize: number;
  /** The tree's time window, the page's default range. */
  timeWindowDays: number;
  /** The tree's entity setting, the page's default. */
  showEntities: boolean;
  /** "Load all and sort" reads at most this many rows. */
  loadAllLimit: number;
  /** Default "stuck" threshold. */
  stuckThresholdMinutes: number;
}

export interface HubHello {
  target: HubTarget;
  connectionLabel: string;
  /** Partition (control queue) count; null when storage has no record of it. */
  partitionCount: number | null;
  settings: HubPageSettings;
  /** Set when the page cannot show its hub (gone after a reload, …). */
  unavailable?: string;
}

/** One list row. customStatus is a one-line preview (the instance page has the whole value). */
export interface HubInstanceRow {
  instanceId: string;
  name: string;
  runtimeStatus: string;
  createdTime: string | null;
  lastUpdatedTime: string | null;
  completedTime: string | null;
  customStatus: string | null;
  isEntity: boolean;
}

export interface HubInstancesResult {
  rows: HubInstanceRow[];
  continuationToken: string | null;
}

export interface HubLoadAllResult {
  rows: HubInstanceRow[];
  /** False when more than the limit matched: nothing is sorted then, the page keeps paging. */
  complete: boolean;
  limit: number;
}

export interface HubCountsResult {
  /** Rows per RuntimeStatus value (only the statuses present). */
  counts: Record<string, number>;
  total: number;
  readAt: string;
}

export interface StuckRow extends HubInstanceRow {
  /** The control queue the instance's messages go to. */
  controlQueue: string;
}

export interface QueueDepth {
  queue: string;
  /** Approximate message count (Azure Storage's own figure); null when the queue does not exist. */
  messages: number | null;
}

export interface HubStuckResult {
  rows: StuckRow[];
  /** True when more instances matched than were returned. */
  truncated: boolean;
  /** Each control queue, then the work-item queue. */
  queues: QueueDepth[];
  lastUpdatedBefore: string;
  readAt: string;
}

export const HUB_BULK_ACTIONS = ['terminate', 'suspend', 'resume', 'rewind', 'raiseEvent', 'purge'] as const;
export type HubBulkActionName = (typeof HUB_BULK_ACTIONS)[number];

export const BULK_MAX_IDS = 10_000;
export const BULK_MAX_CONCURRENCY = 64;

const reason = s.nullable(s.string({ max: 4096 }));

export const hubBulkActionSchema = s.union('action', {
  terminate: s.object({ action: s.oneOf(['terminate']), reason }),
  suspend: s.object({ action: s.oneOf(['suspend']), reason }),
  resume: s.object({ action: s.oneOf(['resume']), reason }),
  rewind: s.object({ action: s.oneOf(['rewind']), reason }),
  raiseEvent: s.object({ action: s.oneOf(['raiseEvent']), eventName: s.string({ min: 1, max: 256 }), eventData: s.string({ max: 1_000_000 }) }),
  purge: s.object({ action: s.oneOf(['purge']) }),
});
export type HubBulkAction = Infer<typeof hubBulkActionSchema>;

export const hubBulkTargetSchema = s.union('kind', {
  ids: s.object({ kind: s.oneOf(['ids']), ids: s.array(s.string({ min: 1, max: 1024 }), { max: BULK_MAX_IDS }) }),
  filter: s.object({ kind: s.oneOf(['filter']), query: hubQuerySchema }),
});
export type HubBulkTarget = Infer<typeof hubBulkTargetSchema>;

/** Unique per page; names the operation in progress notifications and in `hub/cancelBulk`. */
const operationId = s.string({ min: 1, max: 64 });

export type BulkOutcome = 'succeeded' | 'failed' | 'skipped';

export interface BulkItem {
  instanceId: string;
  outcome: BulkOutcome;
  /** What happened, one line (an error, or why it was skipped). */
  message: string;
}

export interface BulkSummary {
  operationId: string;
  action: HubBulkActionName;
  /** Instances attempted (for a filter: matched so far). */
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: boolean;
  message: string;
}

export interface BulkProgress {
  operationId: string;
  done: number;
  /** Known for a selection, or the preview count of a filter (instances may come and go). */
  total: number | null;
  /** Items finished since the last notification. */
  items: BulkItem[];
}

export const HubRequests = {
  /** One page of the filtered list; `continuationToken: null` reads from the start. */
  instances: request<HubInstancesResult>()(
    'hub/instances',
    s.object({
      query: hubQuerySchema,
      continuationToken: s.nullable(s.string({ min: 1, max: 8192 })),
      pageSize: s.optional(s.int({ min: 1, max: 1000 })),
    }),
  ),
  /** Every matching row up to `limit`, for "load all and sort". */
  loadAll: request<HubLoadAllResult>()('hub/loadAll', s.object({ query: hubQuerySchema, limit: s.int({ min: 1, max: 50_000 }) })),
  /**
   * Counts per status (a `$select=RuntimeStatus` scan). A newer request of the same slot cancels an
   * older one: the chips follow the filter as it changes; a bulk preview is counted on its own.
   */
  counts: request<HubCountsResult>()('hub/counts', s.object({ query: hubQuerySchema, slot: s.optional(s.oneOf(['chips', 'preview'])) })),
  /** Running/Pending instances not updated for `thresholdMinutes`, with the control-queue depths. */
  stuck: request<HubStuckResult>()(
    'hub/stuck',
    s.object({ thresholdMinutes: s.int({ min: 1, max: 525_600 }), limit: s.optional(s.int({ min: 1, max: 5000 })) }),
  ),
  /** Runs an action on a selection or on every instance matching a filter (the page confirmed it). */
  bulk: request<BulkSummary>()(
    'hub/bulk',
    s.object({
      operationId,
      action: hubBulkActionSchema,
      target: hubBulkTargetSchema,
      concurrency: s.optional(s.int({ min: 1, max: BULK_MAX_CONCURRENCY })),
    }),
  ),
  /** Stops a bulk action: nothing new starts; what is in flight finishes and is reported. */
  cancelBulk: request<{ cancelled: boolean }>()('hub/cancelBulk', s.object({ operationId })),
  /** Opens (or reveals) an instance's page. */
  openInstance: request<Record<string, never>>()('hub/openInstance', s.object({ instanceId: s.string({ min: 1, max: 1024 }) })),
  /** Copies instance ids to the clipboard, one per line. */
  copyIds: request<Record<string, never>>()('hub/copyIds', s.object({ ids: s.array(s.string({ min: 1, max: 1024 }), { max: BULK_MAX_IDS }) })),
};

export type HubBulkParams = ParamsOf<typeof HubRequests.bulk>;

export const HubNotifications = {
  /** Read everything again (shown again from the tree, an instance changed elsewhere, …). */
  refresh: notification<{ reason: string }>()('hub/refresh'),
  settings: notification<HubPageSettings>()('hub/settings'),
  bulkProgress: notification<BulkProgress>()('hub/bulkProgress'),
};

export const HUB_PROTOCOL: ViewProtocol = viewProtocol('hub', Object.values(HubRequests));
