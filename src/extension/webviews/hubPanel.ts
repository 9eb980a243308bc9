// One task hub page: its WebviewPanel and the host's answers to the page's requests — the filtered
// list, counts per status, the stuck instances and bulk actions — each one a core operation on the
// hub the panel was opened for. Every request is validated (src/shared/protocol/hub.ts) before it
// runs; the page never touches storage.
import type * as vscode from 'vscode';
import { BULK_ACTION_LABELS, countInstancesByStatus, findStuckInstances, iterateInstances, queryInstances, readQueueDepths, runBulkAction } from '../../core';
import type { BulkActionSpec, BulkItemResult, BulkTargetSpec, InstanceQuery, InstanceStatus, RuntimeStatus } from '../../core';
import type {
  BulkItem,
  BulkSummary,
  HubBulkParams,
  HubCountsResult,
  HubHello,
  HubInstanceRow,
  HubInstancesResult,
  HubLoadAllResult,
  HubPageSettings,
  HubQuery,
  HubStuckResult,
  HubTarget,
} from '../../shared/protocol';
import { HUB_PROTOCOL, HubNotifications, HubRequests } from '../../shared/protocol';
import type { Ui } from '../commands/ui';
import type { HubNode } from '../tree/nodes';
import type { TaskHubTreeProvider } from '../tree/treeProvider';
import type { ReceiveOutcome } from './channel';
import type { PageHostDeps } from './pageHost';
import { oneLineSummary } from './instanceData';
import { PageHost, RequestError, panelTitle } from './pageHost';

export interface HubPanelDeps extends PageHostDeps {
  ui: () => Ui;
  tree: TaskHubTreeProvider;
  settings: () => HubPageSettings;
  bulkConcurrency: () => number;
  openInstance: (hubNode: HubNode, instanceId: string) => void;
}

const CUSTOM_STATUS_PREVIEW = 200;
/** Bulk results are sent to the page in batches, at most this often. */
const PROGRESS_INTERVAL_MS = 150;

export function hubPanelKey(target: HubTarget): string {
  return JSON.stringify([target.connectionId, target.hubName]);
}

export function hubPanelTitle(target: HubTarget): string {
  return panelTitle(target.hubName, 'Task hub');
}

function parseDate(text: string | null, field: string): Date | undefined {
  if (text === null) {
    return undefined;
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new RequestError(`${field}: '${text.slice(0, 40)}' is not a date.`, 'Validation');
  }
  return new Date(ms);
}

/** The core query for a page's query (dates parsed and checked again: the page is not trusted). */
export function toInstanceQuery(q: HubQuery): InstanceQuery {
  const createdAfter = parseDate(q.createdAfter, 'createdAfter');
  const createdBefore = parseDate(q.createdBefore, 'createdBefore');
  if (createdAfter && createdBefore && createdAfter > createdBefore) {
    throw new RequestError('The time range ends before it starts.', 'Validation');
  }
  return {
    createdAfter,
    createdBefore,
    statuses: q.statuses as RuntimeStatus[],
    name: q.name ?? undefined,
    instanceIdPrefix: q.instanceIdPrefix ?? undefined,
    includeEntities: q.includeEntities,
  };
}

export function toHubRow(s: InstanceStatus): HubInstanceRow {
  return {
    instanceId: s.instanceId,
    name: s.name,
    runtimeStatus: String(s.runtimeStatus),
    createdTime: s.createdTime,
    lastUpdatedTime: s.lastUpdatedTime,
    completedTime: s.completedTime,
    customStatus: oneLineSummary(s.customStatus, CUSTOM_STATUS_PREVIEW) ?? null,
    isEntity: s.instanceId.startsWith('@'),
  };
}

function toBulkAction(p: HubBulkParams['action']): BulkActionSpec {
  switch (p.action) {
    case 'raiseEvent':
      // Core checks the name and the JSON before anything is sent.
      return { kind: 'raiseEvent', eventName: p.eventName.trim(), eventData: p.eventData.trim() ? p.eventData : null };
    case 'purge':
      return { kind: 'purge' };
    default:
      return { kind: p.action, reason: p.reason && p.reason.trim() ? p.reason : null };
  }
}

export function bulkSummaryMessage(s: Omit<BulkSummary, 'message'>): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const parts = [`${n(s.succeeded)} succeeded`, `${n(s.failed)} failed`, `${n(s.skipped)} skipped`];
  return `${BULK_ACTION_LABELS[s.action]}: ${s.cancelled ? 'cancelled after ' : ''}${n(s.total)} instance${s.total === 1 ? '' : 's'} — ${parts.join(', ')}.`;
}

export class HubPanel implements vscode.Disposable {
  readonly key: string;
  private readonly host: PageHost<typeof HubRequests>;
  /** The count in progress per slot (chips, preview). */
  private readonly counting = new Map<string, AbortController>();
  private bulk: { operationId: string; controller: AbortController } | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly target: HubTarget,
    readonly hubNode: HubNode | undefined,
    private readonly deps: HubPanelDeps,
    unavailable?: string,
  ) {
    this.key = hubPanelKey(target);
    panel.title = hubPanelTitle(target);
    this.host = new PageHost(panel, deps, {
      view: 'hub',
      documentTitle: 'Durable Functions task hub',
      protocol: HUB_PROTOCOL,
      requests: HubRequests,
      hubNode,
      unavailable,
      handlers: {
        instances: (p) => this.instances(p.query, p.continuationToken, p.pageSize),
        loadAll: (p) => this.loadAll(p.query, p.limit),
        counts: (p) => this.counts(p.query, p.slot ?? 'chips'),
        stuck: (p) => this.stuck(p.thresholdMinutes, p.limit),
        bulk: (p) => {
          let total = 0;
          return this.host.tracked(
            `bulk:${p.action.action}:${p.target.kind}`,
            async () => {
              const summary = await this.runBulk(p);
              total = summary.total;
              return summary;
            },
            () => ({ count: total }),
          );
        },
        cancelBulk: async (p) => {
          if (this.bulk?.operationId !== p.operationId) {
            return { cancelled: false };
          }
          this.bulk.controller.abort();
          return { cancelled: true };
        },
        openInstance: async (p) => {
          this.deps.openInstance(this.host.requireHub(), p.instanceId);
          return {};
        },
        copyIds: (p) =>
          this.host.tracked('copyIds', async () => {
            await this.deps.ui().writeClipboard(p.ids.join('\n'));
            return {};
          }),
      },
      hello: (): HubHello => ({
        target: this.target,
        connectionLabel: this.hubNode?.parent.spec.label ?? '',
        partitionCount: this.hubNode?.info.partitionCount ?? null,
        settings: this.deps.settings(),
        ...(unavailable ? { unavailable } : {}),
      }),
    });
    this.host.onDispose(() => [...this.counting.values()].forEach((c) => c.abort()));
  }

  get currentHtml(): string {
    return this.host.currentHtml;
  }

  receive(raw: unknown): Promise<ReceiveOutcome> {
    return this.host.receive(raw);
  }

  reveal(): void {
    this.host.reveal(() => this.host.channel.notify(HubNotifications.refresh, { reason: 'shown' }));
  }

  /** Something changed the hub elsewhere (a command in the tree): the page reads again. */
  hubChanged(reason: string): void {
    this.host.channel.notify(HubNotifications.refresh, { reason });
  }

  settingsChanged(): void {
    this.host.channel.notify(HubNotifications.settings, this.deps.settings());
  }

  onDispose(callback: () => void): void {
    this.host.onDispose(callback);
  }

  dispose(): void {
    this.host.dispose();
  }

  // ---- Requests ---------------------------------------------------------------------------------

  private async instances(q: HubQuery, continuationToken: string | null, pageSize: number | undefined): Promise<HubInstancesResult> {
    const page = await queryInstances(this.host.hub, { ...toInstanceQuery(q), continuationToken, pageSize: pageSize ?? this.deps.settings().pageSize }, { signal: this.host.signal });
    return { rows: page.items.map(toHubRow), continuationToken: page.continuationToken };
  }

  private async loadAll(q: HubQuery, limit: number): Promise<HubLoadAllResult> {
    const rows: HubInstanceRow[] = [];
    for await (const status of iterateInstances(this.host.hub, { ...toInstanceQuery(q), pageSize: 1000 }, { signal: this.host.signal })) {
      if (rows.length === limit) {
        return { rows: [], complete: false, limit };
      }
      rows.push(toHubRow(status));
    }
    return { rows, complete: true, limit };
  }

  /** A newer count of the same slot supersedes an older one (the user changed the filter meanwhile). */
  private async counts(q: HubQuery, slot: string): Promise<HubCountsResult> {
    this.counting.get(slot)?.abort();
    const controller = new AbortController();
    this.counting.set(slot, controller);
    const signal = AbortSignal.any([controller.signal, this.host.signal]);
    try {
      const counts = await countInstancesByStatus(this.host.hub, toInstanceQuery(q), { signal });
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      return { counts, total, readAt: new Date().toISOString() };
    } catch (e) {
      if (controller.signal.aborted && !this.host.signal.aborted) {
        throw new RequestError('Superseded by a newer count.', 'Superseded');
      }
      throw e;
    } finally {
      if (this.counting.get(slot) === controller) {
        this.counting.delete(slot);
      }
    }
  }

  private async stuck(thresholdMinutes: number, limit: number | undefined): Promise<HubStuckResult> {
    const hub = this.host.hub;
    const lastUpdatedBefore = new Date(Date.now() - thresholdMinutes * 60_000);
    const signal = this.host.signal;
    const [found, depths] = await Promise.all([findStuckInstances(hub, { lastUpdatedBefore, limit }, { signal }), readQueueDepths(hub, { signal })]);
    return {
      rows: found.instances.map((s) => ({ ...toHubRow(s.status), controlQueue: s.controlQueue })),
      truncated: found.truncated,
      queues: depths.map((d) => ({ queue: d.queue, messages: d.approximateMessages })),
      lastUpdatedBefore: lastUpdatedBefore.toISOString(),
      readAt: new Date().toISOString(),
    };
  }

  private async runBulk(p: HubBulkParams): Promise<BulkSummary> {
    const hubNode = this.host.requireHub();
    if (this.bulk) {
      throw new RequestError('A bulk action is already running on this page; wait for it or cancel it.', 'Busy');
    }
    const action = toBulkAction(p.action);
    const target: BulkTargetSpec = p.target.kind === 'ids' ? { kind: 'ids', instanceIds: p.target.ids } : { kind: 'query', query: toInstanceQuery(p.target.query) };
    const controller = new AbortController();
    this.bulk = { operationId: p.operationId, controller };
    let pending: BulkItem[] = [];
    let done = 0;
    const total = p.target.kind === 'ids' ? new Set(p.target.ids).size : null;
    const flush = (): void => {
      if (pending.length > 0) {
        this.host.channel.notify(HubNotifications.bulkProgress, { operationId: p.operationId, done, total, items: pending });
        pending = [];
      }
    };
    const timer = setInterval(flush, PROGRESS_INTERVAL_MS);
    try {
      const result = await runBulkAction(this.host.hub, {
        action,
        target,
        concurrency: p.concurrency ?? this.deps.bulkConcurrency(),
        signal: AbortSignal.any([controller.signal, this.host.signal]),
        onItem: (item: BulkItemResult) => {
          done++;
          pending.push({ instanceId: item.instanceId, outcome: item.outcome, message: this.deps.log.mask(item.message) });
        },
      });
      flush();
      const summary: Omit<BulkSummary, 'message'> = {
        operationId: p.operationId,
        action: p.action.action,
        total: result.total,
        succeeded: result.succeeded,
        failed: result.failed,
        skipped: result.skipped,
        cancelled: result.cancelled,
      };
      this.deps.log.info(bulkSummaryMessage(summary));
      return { ...summary, message: bulkSummaryMessage(summary) };
    } finally {
      clearInterval(timer);
      flush();
      this.bulk = undefined;
      // The tree shows the new statuses (or the purged instances gone).
      this.deps.tree.refresh(hubNode);
    }
  }
}
