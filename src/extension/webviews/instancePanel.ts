// One instance page: its WebviewPanel, the static HTML shell, and the host's answers to the
// page's requests — each one an operation of the hub's InstanceClient (storage, or a running host's
// HTTP management API). The page never touches storage; everything it shows it asks for here, and
// everything it asks is validated (src/shared/protocol.ts) before anything runs.
import * as vscode from 'vscode';
import { isDurableError } from '../../core';
import type { ClientInstanceStatus, HistoryEvent, HistoryPage, InstanceClient } from '../../core';
import type {
  ActionResult,
  HistoryPageResult,
  InstanceActionParams,
  InstanceCopyParams,
  InstanceHello,
  InstancePageSettings,
  JsonValue,
  ParentRef,
  PanelTarget,
  StatusResult,
  ValueSection,
} from '../../shared/protocol';
import { INSTANCE_PROTOCOL, InstanceNotifications, InstanceRequests } from '../../shared/protocol';
import { jsonProblem } from '../../shared/validation';
import type { ManagementUrlService } from '../commands/managementUrls';
import { hubManagementUrls } from '../commands/managementUrls';
import type { StatusFollower } from '../commands/statusFollower';
import type { Ui } from '../commands/ui';
import type { InstanceDocuments } from '../instanceDocument';
import type { HubNode } from '../tree/nodes';
import type { TaskHubTreeProvider } from '../tree/treeProvider';
import type { ReceiveOutcome } from './channel';
import type { PageHostDeps } from './pageHost';
import { PageHost, RequestError, panelTitle } from './pageHost';
import { parentFromHistory, prettyJson, toHistoryRow, toSnapshot, truncateStrings } from './instanceData';

export interface InstancePanelDeps extends PageHostDeps {
  ui: () => Ui;
  tree: TaskHubTreeProvider;
  follower: StatusFollower;
  documents: InstanceDocuments;
  settings: () => InstancePageSettings;
  /** Builds the status URL the page's "Copy status URL" puts in the clipboard. */
  managementUrls: ManagementUrlService;
  /** Opens (or reveals) the page of another instance of the same hub. */
  openInstance: (hubNode: HubNode, instanceId: string) => void;
}

/** What the page says when its hub is reached through a running host (the description holds no key). */
const HOST_NOTE = (where: string): string =>
  `Read through ${where}: the history is as its HTTP management API reports it (scheduling events folded into their completions, no execution id or generation), so the timeline has less to show; a forced purge needs a storage connection.`;

const HISTORY_PAGE_SIZE = 500;
/** The page asks for full pages after its first: the next one is read ahead at this size. */
const HISTORY_READ_AHEAD_SIZE = 1000;

interface HistoryReadAhead {
  token: string;
  pageSize: number;
  page: Promise<HistoryPage>;
}

export function panelKey(target: PanelTarget): string {
  return JSON.stringify([target.connectionId, target.hubName, target.instanceId]);
}

export class InstancePanel implements vscode.Disposable {
  readonly key: string;
  private readonly host: PageHost<typeof InstanceRequests>;
  /** The last full read (with values), reused while the instance has not changed. */
  private statusCache: ClientInstanceStatus | undefined;
  private parentCache: { executionId: string | null; parent: ParentRef | null } | undefined;
  private history: { generation: number; events: HistoryEvent[]; executionId: string | null; nextToken: string | null; readAhead?: HistoryReadAhead } = {
    generation: 0,
    events: [],
    executionId: null,
    nextToken: null,
  };

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly target: PanelTarget,
    /** Undefined when the hub could not be found (a panel restored after a reload). */
    readonly hubNode: HubNode | undefined,
    private readonly deps: InstancePanelDeps,
    unavailable?: string,
  ) {
    this.key = panelKey(target);
    panel.title = panelTitle(target.instanceId, 'Instance');
    this.host = new PageHost(panel, deps, {
      view: 'instance',
      documentTitle: 'Durable Functions instance',
      protocol: INSTANCE_PROTOCOL,
      requests: InstanceRequests,
      hubNode,
      unavailable,
      handlers: {
        status: () => this.status(),
        history: (p) => this.historyPage(p.continuationToken, p.generation, p.pageSize),
        event: (p) => this.event(p.generation, p.index),
        action: (p) => this.host.tracked(`action:${p.action}`, () => this.action(p)),
        openDocument: (p) => this.host.tracked(`openDocument:${p.what}`, () => this.openDocument(p)),
        copy: (p) => this.host.tracked(`copy:${p.what}`, () => this.copy(p)),
        openInstance: async (p) => {
          this.deps.openInstance(this.host.requireHub(), p.instanceId);
          return {};
        },
      },
      hello: (): InstanceHello => ({
        target: this.target,
        hubName: this.target.hubName,
        connectionLabel: this.hubNode?.parent.spec.label ?? '',
        settings: this.deps.settings(),
        ...(unavailable ? { unavailable } : {}),
        ...(hubNode?.client.transport === 'host' ? { transportNote: HOST_NOTE(hubNode.client.description) } : {}),
      }),
    });
    this.host.onDispose(() => {
      this.history.events = [];
    });
  }

  /** The HTML last set (tests check its CSP and that it holds no instance data). */
  get currentHtml(): string {
    return this.host.currentHtml;
  }

  /** Handles a message as if the page had posted it (tests). */
  receive(raw: unknown): Promise<ReceiveOutcome> {
    return this.host.receive(raw);
  }

  reveal(): void {
    this.host.reveal(() => this.host.channel.notify(InstanceNotifications.refresh, { reason: 'shown' }));
  }

  settingsChanged(): void {
    this.host.channel.notify(InstanceNotifications.settings, this.deps.settings());
  }

  onDispose(callback: () => void): void {
    this.host.onDispose(callback);
  }

  dispose(): void {
    this.host.dispose();
  }

  private get client(): InstanceClient {
    return this.host.client;
  }

  private requireHub(): HubNode {
    return this.host.requireHub();
  }

  private get signal(): AbortSignal {
    return this.host.signal;
  }

  // ---- Requests ---------------------------------------------------------------------------------

  private async status(): Promise<StatusResult> {
    const client = this.client;
    const id = this.target.instanceId;
    const readAt = new Date().toISOString();
    let columns: ClientInstanceStatus;
    try {
      columns = await client.getInstance({ instanceId: id, signal: this.signal });
    } catch (e) {
      if (isDurableError(e) && e.code === 'NotFound') {
        this.statusCache = undefined;
        return { found: false, message: e.message, readAt };
      }
      throw e;
    }
    const cached = this.statusCache;
    const unchanged =
      cached &&
      cached.lastUpdatedTime === columns.lastUpdatedTime &&
      cached.executionId === columns.executionId &&
      cached.runtimeStatus === columns.runtimeStatus;
    // Values (possibly in blobs) are read again only when the instance changed.
    const full = unchanged ? { ...cached, customStatus: columns.customStatus } : await client.getInstance({ instanceId: id, showInput: true, showOutput: true, signal: this.signal });
    this.statusCache = full;
    return { found: true, instance: toSnapshot(full, await this.parent(full.executionId), client.transport), readAt };
  }

  private async parent(executionId: string | null): Promise<ParentRef | null> {
    if (this.parentCache && this.parentCache.executionId === executionId) {
      return this.parentCache.parent;
    }
    let parent: ParentRef | null = null;
    try {
      // ExecutionStarted is among the first events (after OrchestratorStarted).
      const page = await this.client.readHistory({ instanceId: this.target.instanceId, pageSize: 20, signal: this.signal });
      parent = parentFromHistory(page.events);
    } catch (e) {
      this.deps.log.warn(`Reading the parent of an instance failed: ${(e as Error).message}`);
    }
    this.parentCache = { executionId, parent };
    return parent;
  }

  private async historyPage(continuationToken: string | null, generation: number | undefined, pageSize: number | undefined): Promise<HistoryPageResult> {
    const client = this.client;
    if (continuationToken === null) {
      this.history = { generation: this.history.generation + 1, events: [], executionId: null, nextToken: null };
    } else if (generation !== this.history.generation || continuationToken !== this.history.nextToken) {
      // Only the token this host handed out for this reading is accepted.
      throw new RequestError('This history page is no longer current; the history is read again.', 'Stale');
    }
    const state = this.history;
    const size = pageSize ?? HISTORY_PAGE_SIZE;
    const ahead = state.readAhead;
    state.readAhead = undefined;
    // The page read ahead when the last one was sent, if it is the one asked for.
    const page =
      ahead && continuationToken !== null && ahead.token === continuationToken && ahead.pageSize === size
        ? await ahead.page
        : await client.readHistory({ instanceId: this.target.instanceId, pageSize: size, continuationToken, signal: this.signal });
    if (state !== this.history) {
      throw new RequestError('The history is being read again.', 'Stale');
    }
    const first = state.events.length;
    for (const event of page.events) {
      state.events.push(event);
    }
    state.executionId = page.executionId;
    state.nextToken = page.continuationToken;
    if (page.continuationToken !== null) {
      // The page asks for the next page as soon as it has this one: it is read meanwhile.
      const read = client.readHistory({ instanceId: this.target.instanceId, pageSize: HISTORY_READ_AHEAD_SIZE, continuationToken: page.continuationToken, signal: this.signal });
      read.catch(() => undefined); // a failure is reported when (if) that page is asked for
      state.readAhead = { token: page.continuationToken, pageSize: HISTORY_READ_AHEAD_SIZE, page: read };
    }
    return {
      generation: state.generation,
      executionId: page.executionId,
      rows: page.events.map((e, k) => toHistoryRow(e, first + k)),
      continuationToken: page.continuationToken,
    };
  }

  private eventAt(generation: number, index: number): HistoryEvent {
    if (generation !== this.history.generation || index >= this.history.events.length) {
      throw new RequestError('That history event is no longer loaded; refresh the page.', 'Stale');
    }
    return this.history.events[index];
  }

  private async event(generation: number, index: number): Promise<{ event: JsonValue }> {
    return { event: truncateStrings(this.eventAt(generation, index) as unknown as JsonValue) };
  }

  /** The whole value of a section, from the last read (a failed instance's Output is its failure). */
  private sectionValue(section: ValueSection): JsonValue {
    const status = this.statusCache;
    if (!status) {
      throw new RequestError('The instance has not been read yet.', 'Stale');
    }
    const failed = String(status.runtimeStatus) === 'Failed';
    switch (section) {
      case 'input':
        return status.input ?? null;
      case 'customStatus':
        return status.customStatus;
      case 'output':
        return failed ? null : (status.output ?? null);
      case 'failure':
        return failed ? (status.output ?? null) : null;
    }
  }

  private async openDocument(p: { what: 'section'; section: ValueSection } | { what: 'instance' } | { what: 'event'; generation: number; index: number }): Promise<Record<string, never>> {
    const hubNode = this.requireHub();
    const id = this.target.instanceId;
    if (p.what === 'instance') {
      await this.deps.documents.show(hubNode.client, hubNode.info.name, id, vscode.ViewColumn.Beside);
    } else if (p.what === 'section') {
      await this.deps.documents.showText(hubNode.info.name, `${id}-${p.section}`, prettyJson(this.sectionValue(p.section)), vscode.ViewColumn.Beside);
    } else {
      const event = this.eventAt(p.generation, p.index);
      await this.deps.documents.showText(hubNode.info.name, `${id}-event-${p.index}`, prettyJson(event as unknown as JsonValue), vscode.ViewColumn.Beside);
    }
    return {};
  }

  private async copy(p: InstanceCopyParams): Promise<Record<string, never>> {
    let text: string;
    if (p.what === 'instanceId') {
      text = this.target.instanceId;
    } else if (p.what === 'statusUrl') {
      text = (await hubManagementUrls(this.deps.managementUrls, this.requireHub(), this.target.instanceId)).urls.statusQueryGetUri;
    } else if (p.what === 'section') {
      // A string value is copied as the text it is; anything else as pretty JSON.
      const value = this.sectionValue(p.section);
      text = typeof value === 'string' ? value : prettyJson(value);
    } else {
      text = prettyJson(this.eventAt(p.generation, p.index) as unknown as JsonValue);
    }
    await this.deps.ui().writeClipboard(text);
    return {};
  }

  private async action(p: InstanceActionParams): Promise<ActionResult> {
    const hubNode = this.requireHub();
    const client = hubNode.client;
    const instanceId = this.target.instanceId;
    const signal = this.signal;
    // Over a running host the answer carries no previous status: the one last read stands in for it.
    const follow = (previous: string | undefined, label: string, message: string): ActionResult => {
      const previousStatus = previous ?? (this.statusCache ? String(this.statusCache.runtimeStatus) : '');
      this.deps.follower.follow(hubNode, instanceId, previousStatus, label);
      return { message, follow: true, previousStatus };
    };
    const reasonOf = (r: string | null): string | null => (r && r.trim() ? r : null);
    switch (p.action) {
      case 'terminate': {
        const r = await client.terminateInstance({ instanceId, reason: reasonOf(p.reason), signal });
        return follow(r.previousStatus, 'Terminating…', 'Terminate message sent; waiting for the runtime to process it.');
      }
      case 'suspend': {
        const r = await client.suspendInstance({ instanceId, reason: reasonOf(p.reason), signal });
        return follow(r.previousStatus, 'Suspending…', 'Suspend message sent; waiting for the runtime to process it.');
      }
      case 'resume': {
        const r = await client.resumeInstance({ instanceId, reason: reasonOf(p.reason), signal });
        return follow(r.previousStatus, 'Resuming…', 'Resume message sent; waiting for the runtime to process it.');
      }
      case 'rewind': {
        const r = await client.rewindInstance({ instanceId, reason: reasonOf(p.reason), signal });
        const others = (r.rewoundInstanceIds?.length ?? 1) - 1;
        return follow(r.previousStatus, 'Rewinding…', `Rewound${others > 0 ? ` (with ${others} failed sub-orchestration${others === 1 ? '' : 's'})` : ''}; waiting for the runtime to run it again.`);
      }
      case 'raiseEvent': {
        // The page checks as the user types; the host checks again (the page is not trusted).
        const problem = jsonProblem(p.eventData);
        if (problem) {
          throw new RequestError(problem, 'Validation');
        }
        if (!p.eventName.trim()) {
          throw new RequestError('The event name is required.', 'Validation');
        }
        const r = await client.raiseEvent({ instanceId, eventName: p.eventName.trim(), eventData: p.eventData.trim() ? p.eventData : null, signal });
        return follow(r.previousStatus, 'Delivering event…', `Event '${p.eventName.trim()}' sent.`);
      }
      case 'restart': {
        const r = await client.restartInstance({ instanceId, newInstanceId: p.newInstanceId ? true : undefined, signal });
        this.deps.tree.refresh(hubNode);
        return p.newInstanceId
          ? { message: `Restarted as '${r.instanceId}'.`, follow: false, previousStatus: null, newInstanceId: r.instanceId }
          : { message: 'Restarted under the same id.', follow: true, previousStatus: this.statusCache ? String(this.statusCache.runtimeStatus) : null };
      }
      case 'purge':
      case 'forcePurge': {
        const r = await client.purgeInstance({ instanceId, force: p.action === 'forcePurge', signal });
        this.deps.tree.instanceChanged(hubNode, instanceId, undefined);
        this.statusCache = undefined;
        return {
          // The host reports the number of instances deleted only.
          message:
            r.rowsDeleted !== undefined && r.blobsDeleted !== undefined
              ? `Purged: ${r.rowsDeleted.toLocaleString('en-US')} rows and ${r.blobsDeleted.toLocaleString('en-US')} blobs deleted.`
              : 'Purged through the Functions host.',
          follow: false,
          previousStatus: null,
          gone: true,
        };
      }
    }
  }
}
