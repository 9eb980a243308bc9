// Activation: wires the tree, the commands and the services together. Thin on purpose — every
// storage operation is in src/core; the Azure SDKs load on the first tree expansion, not here.
import * as vscode from 'vscode';
import { COMMAND_IDS, VIEW_ID } from './commandIds';
import { registerCommands } from './commands';
import { ManagementUrlService } from './commands/managementUrls';
import { lastErrors } from './commands/runner';
import { StatusFollower } from './commands/statusFollower';
import type { Ui } from './commands/ui';
import { vscodeUi } from './commands/ui';
import { EmulatorLauncher } from './connections/emulator';
import { ConnectionManager } from './connections/manager';
import { InstanceDocuments } from './instanceDocument';
import { Log } from './log';
import type { RecordedEvent } from './telemetry';
import { Telemetry } from './telemetry';
import type { TreeNode } from './tree/nodes';
import { TaskHubTreeProvider } from './tree/treeProvider';
import type { ReceiveOutcome } from './webviews/channel';
import type { InstancePageInfo } from './webviews/instancePages';
import { InstancePages } from './webviews/instancePages';
import type { PageInfo } from './webviews/pageRegistry';
import type { HubTarget } from '../shared/protocol';
import { HubPages } from './webviews/hubPages';

/** What `activate` returns: hooks for the extension's own tests in the extension host. */
export interface DurableExplorerApi {
  readonly commandIds: readonly string[];
  readonly tree: TaskHubTreeProvider;
  readonly connections: ConnectionManager;
  /** Replaces every prompt (tests answer them); `undefined` restores VS Code's. */
  setUi(ui: Ui | undefined): void;
  setTelemetrySink(sink: ((event: RecordedEvent) => void) | undefined): void;
  /** Resolves when no instance status is being followed. */
  statusSettled(): Promise<void>;
  lastError(command: string): string | undefined;
  readLog(): string;
  /** The open instance pages (tests read their HTML and talk to them as the page would). */
  readonly instancePages: {
    info(): InstancePageInfo[];
    /** Handles `message` as if the page of `instanceId` had posted it; resolves with the outcome. */
    receive(instanceId: string, message: unknown): Promise<ReceiveOutcome>;
    /** Restores a page from a saved state, as the serializer does after a window reload. */
    restore(state: unknown): Promise<void>;
    closeAll(): void;
  };
  /** The open task hub pages, likewise. */
  readonly hubPages: {
    info(): PageInfo<HubTarget>[];
    receive(hubName: string, message: unknown): Promise<ReceiveOutcome>;
    restore(state: unknown): Promise<void>;
    closeAll(): void;
  };
}

export function activate(context: vscode.ExtensionContext): DurableExplorerApi {
  const started = Date.now();
  const log = new Log();
  const telemetry = new Telemetry();
  let ui: Ui = vscodeUi;
  const logged: string[] = [];
  const managementUrls = new ManagementUrlService(context.secrets, log);
  const connections = new ConnectionManager(context.globalState, context.secrets, log, managementUrls);
  const tree = new TaskHubTreeProvider(connections, log, telemetry);
  const treeView = vscode.window.createTreeView<TreeNode>(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  const follower = new StatusFollower(tree, log, () => ui);
  const documents = new InstanceDocuments();
  const emulator = new EmulatorLauncher(context.globalStorageUri.fsPath);
  const pages = new InstancePages({ extensionUri: context.extensionUri, log, telemetry, ui: () => ui, tree, follower, documents, managementUrls });
  const hubPages = new HubPages({ extensionUri: context.extensionUri, log, telemetry, ui: () => ui, tree, openInstance: (hubNode, instanceId) => void pages.show(hubNode, instanceId) });
  context.subscriptions.push(log, telemetry, connections, tree, treeView, documents, emulator, pages, hubPages, { dispose: () => follower.dispose() });
  context.subscriptions.push(
    ...registerCommands({ log, telemetry, ui: () => ui, tree, treeView: treeView as vscode.TreeView<unknown>, connections, follower, documents, emulator, pages, hubPages, managementUrls }),
  );
  // Mirror log lines for tests that assert nothing secret was logged.
  const originalMask = log.mask.bind(log);
  log.mask = (text: string): string => {
    const masked = originalMask(text);
    if (logged.length < 5000) {
      logged.push(masked);
    }
    return masked;
  };
  telemetry.send('activate', {}, { durationMs: Date.now() - started });
  log.info(`Activated in ${Date.now() - started} ms`);
  return {
    commandIds: COMMAND_IDS,
    tree,
    connections,
    setUi: (next) => (ui = next ?? vscodeUi),
    setTelemetrySink: (sink) => telemetry.setSink(sink),
    statusSettled: () => follower.settled(),
    lastError: (command) => lastErrors.get(command as never),
    readLog: () => logged.join('\n'),
    instancePages: {
      info: () => pages.info(),
      receive: (instanceId, message) => pages.receive(instanceId, message),
      restore: (state) => pages.restore(state),
      closeAll: () => pages.closeAll(),
    },
    hubPages: {
      info: () => hubPages.info(),
      receive: (hubName, message) => hubPages.receive(hubName, message),
      restore: (state) => hubPages.restore(state),
      closeAll: () => hubPages.closeAll(),
    },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
