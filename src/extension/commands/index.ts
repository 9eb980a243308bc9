// Every command's handler. Each one asks for what it needs through `Ui`, calls one core
// operation, and updates the tree; the runner handles errors, telemetry and cancellation.
import * as vscode from 'vscode';
import type { CommandId } from '../commandIds';
import type { ConnectionManager } from '../connections/manager';
import type { EmulatorLauncher } from '../connections/emulator';
import type { InstanceDocuments } from '../instanceDocument';
import type { LoadMoreNode } from '../tree/nodes';
import { storageHub } from '../tree/nodes';
import type { TaskHubTreeProvider } from '../tree/treeProvider';
import type { HubPages } from '../webviews/hubPages';
import type { InstancePages } from '../webviews/instancePages';
import type { ManagementUrlService } from './managementUrls';
import { MANAGEMENT_URL_NAMES, hubManagementUrls, managementHost } from './managementUrls';
import type { CommandContext, CommandHandler, RunnerDeps } from './runner';
import { registerCommand } from './runner';
import type { StatusFollower } from './statusFollower';
import { connectionArg, instanceTarget, isTreeNode, pickHub, pickInstanceId } from './targets';
import type { InstanceTarget } from './targets';
import type { Ui } from './ui';
import { confirmOrCancel, required } from './ui';
import { hubDataCommands } from './hubDataCommands';
import {
  accountNameProblem,
  connectionStringProblem,
  hostUrlProblem,
  hubNameProblem,
  instanceIdProblem,
  jsonProblem,
  managementKeyProblem,
  requiredProblem,
} from './validation';

export interface CommandDeps extends RunnerDeps {
  tree: TaskHubTreeProvider;
  treeView: vscode.TreeView<unknown>;
  connections: ConnectionManager;
  follower: StatusFollower;
  documents: InstanceDocuments;
  emulator: EmulatorLauncher;
  /** The instance pages (webviews); "Open as JSON document" on a page uses `documents`. */
  pages: InstancePages;
  /** The task hub pages (webviews). */
  hubPages: HubPages;
  managementUrls: ManagementUrlService;
}

async function reason(ui: Ui, action: string): Promise<string | null> {
  const text = required(await ui.showInputBox({ title: `${action}: reason`, prompt: 'Optional; recorded in the instance history.', placeHolder: 'Reason (optional)' }));
  return text.trim() ? text : null;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const ui = (): Ui => deps.ui();
  const { tree, follower } = deps;

  const control = (
    title: string,
    pendingLabel: string,
    send: (t: InstanceTarget, ui: Ui) => Promise<unknown>,
    until?: (status: string) => boolean,
  ): CommandHandler =>
    async (_context, arg) => {
      const target = await instanceTarget(tree, ui(), arg, title);
      await send(target, ui());
      follower.follow(target.hubNode, target.instanceId, target.status, pendingLabel, until);
    };

  const handlers: Record<CommandId, CommandHandler> = {
    'durableExplorer.refresh': async (_c, arg) => {
      tree.refresh(isTreeNode(arg) ? arg : undefined);
    },

    'durableExplorer.loadMore': async (_c, arg) => {
      if (isTreeNode(arg) && arg.type === 'loadMore') {
        await tree.loadMore(arg as LoadMoreNode);
      }
    },

    'durableExplorer.addConnection': async () => {
      const choice = required(
        await ui().showQuickPick(
          [
            { label: 'Connection string…', detail: 'Kept in VS Code\'s secret storage, never in settings.', choice: 'cs' as const },
            { label: 'Storage account with Microsoft Entra ID…', detail: 'Signs in with your Microsoft account; needs the Storage Table/Queue/Blob Data roles.', choice: 'entra' as const },
            {
              label: 'Running Functions host…',
              detail: 'A function app\'s HTTP management API (func start, or an app in Azure with its system key): no storage connection.',
              choice: 'host' as const,
            },
          ],
          { title: 'Add connection', placeHolder: 'How to connect to the task hub' },
        ),
      ).choice;
      if (choice === 'host') {
        await addRunningHost();
      } else if (choice === 'cs') {
        const connectionString = required(
          await ui().showInputBox({
            title: 'Add connection: connection string',
            prompt: 'A storage account connection string (DefaultEndpointsProtocol=…;AccountName=…;AccountKey=… or a SAS).',
            password: true,
            validateInput: (text) => connectionStringProblem(text),
          }),
        );
        const spec = await deps.connections.addConnectionString(connectionString);
        void ui().showInformationMessage(`Added connection '${spec.label}'.`);
      } else {
        const accountName = required(
          await ui().showInputBox({ title: 'Add connection: storage account name', placeHolder: 'mystorageaccount', validateInput: accountNameProblem }),
        ).trim();
        const tenant = required(
          await ui().showInputBox({ title: 'Add connection: tenant (optional)', prompt: 'A tenant id or domain, if the account is not in your home tenant.' }),
        ).trim();
        await deps.connections.addEntraAccount(accountName, tenant || undefined);
        void ui().showInformationMessage(`Added connection '${accountName}' (Entra ID).`);
      }
    },

    'durableExplorer.addRunningHost': async () => addRunningHost(),

    'durableExplorer.removeConnection': async (_c, arg) => {
      const node = connectionArg(arg);
      const removable = node && (node.spec.kind === 'connectionString' || node.spec.kind === 'entra' || (node.spec.kind === 'host' && !node.spec.detected));
      let id = removable ? node.spec.id : undefined;
      let label = node?.spec.label;
      if (!id) {
        const stored = deps.connections.stored();
        if (stored.length === 0) {
          throw new Error('There are no added connections to remove (local projects and the emulator are found automatically).');
        }
        const picked = required(
          await ui().showQuickPick(stored.map((s) => ({ label: s.label, description: s.kind === 'host' ? s.baseUrl : s.accountName, id: s.id })), { title: 'Remove connection' }),
        );
        id = picked.id;
        label = picked.label;
      }
      const host = deps.connections.stored().find((s) => s.id === id)?.kind === 'host';
      await confirmOrCancel(
        ui(),
        `Remove the connection '${label}'?`,
        host
          ? "Its management key is deleted from VS Code's secret storage unless another connection or setting uses the same host. Nothing in the function app changes."
          : 'Its stored connection string is deleted from VS Code\'s secret storage. Nothing in the storage account changes.',
        'Remove',
      );
      await deps.connections.remove(id);
    },

    'durableExplorer.startEmulator': async () => {
      const how = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Starting the local storage emulator (Azurite)…', cancellable: true },
        (_p, token) => deps.emulator.start(token),
      );
      deps.connections.invalidate();
      tree.refresh();
      if (how === 'already-running') {
        void ui().showInformationMessage('The local emulator is already running.');
      }
    },

    'durableExplorer.startNew': async (context, arg) => {
      const hubNode = await pickHub(tree, ui(), arg);
      const name = required(
        await ui().showInputBox({ title: `Start new instance in ${hubNode.info.name}: orchestrator`, placeHolder: 'Orchestrator function name', validateInput: (t) => requiredProblem(t, 'orchestrator name') }),
      ).trim();
      const instanceId = required(
        await ui().showInputBox({ title: 'Start new instance: instance id', placeHolder: 'Leave empty for a new GUID', validateInput: (t) => instanceIdProblem(t, true) }),
      );
      const input = required(
        await ui().showInputBox({ title: 'Start new instance: input', placeHolder: 'JSON, e.g. {"city": "Seattle"}; empty for none', validateInput: (t) => jsonProblem(t) }),
      );
      const started = await hubNode.client.startNew({ name, instanceId: instanceId || undefined, input: input.trim() ? input : null });
      context.count = 1;
      tree.refresh(hubNode);
      void ui()
        .showInformationMessage(`Started '${started.instanceId}'.`, 'Show Instance')
        .then((choice) => (choice ? deps.pages.show(hubNode, started.instanceId) : undefined));
    },

    'durableExplorer.showInstance': async (_c, arg) => {
      const target = await instanceTarget(tree, ui(), arg, 'Show instance');
      deps.pages.show(target.hubNode, target.instanceId);
    },

    'durableExplorer.goToInstance': async (_c, arg) => {
      const hubNode = await pickHub(tree, ui(), arg);
      const instanceId = await pickInstanceId(ui(), hubNode, `Go to instance in ${hubNode.info.name}`);
      // Fails with "Could not find an orchestration instance…" for an unknown id.
      await hubNode.client.getInstance({ instanceId });
      const node = tree.findInstanceNode(hubNode, instanceId);
      if (node) {
        await deps.treeView.reveal(node, { select: true, focus: false });
      }
      deps.pages.show(hubNode, instanceId);
    },

    'durableExplorer.openTaskHub': async (_c, arg) => {
      deps.hubPages.show(await pickHub(tree, ui(), arg, 'Opening the task hub page (counts, stuck instances, bulk actions)'));
    },

    'durableExplorer.copyInstanceId': async (_c, arg) => {
      const target = await instanceTarget(tree, ui(), arg, 'Copy instance id');
      await ui().writeClipboard(target.instanceId);
    },

    'durableExplorer.copyManagementUrls': async (_c, arg) => {
      const target = await instanceTarget(tree, ui(), arg, 'Copy management URLs');
      const { urls, hostUrl } = await hubManagementUrls(deps.managementUrls, target.hubNode, target.instanceId);
      // The items carry names only; the stored key is shown masked and goes to the clipboard alone.
      const showable = (url: string): string => url.replace(/([?&]code=)[^&]*/, '$1••••••');
      const picked = required(
        await ui().showQuickPick(
          [
            ...MANAGEMENT_URL_NAMES.map((name) => ({ label: name, detail: showable(urls[name]), name })),
            { label: 'All as JSON', detail: 'Every URL and the id, as `durable get-management-urls --json` prints them.', name: 'json' as const },
          ],
          { title: `Copy management URLs of '${target.instanceId}'`, placeHolder: `For the function app at ${hostUrl}; {eventName} and {text} are yours to fill in`, matchOnDetail: true },
        ),
      );
      await ui().writeClipboard(picked.name === 'json' ? JSON.stringify(urls, null, 2) : urls[picked.name]);
      const withKey = /[?&]code=/.test(urls.statusQueryGetUri) ? ' (with the management key)' : '';
      void ui().showInformationMessage(`Copied ${picked.name === 'json' ? 'the management URLs as JSON' : picked.name}${withKey}.`);
    },

    'durableExplorer.setManagementKey': async () => {
      const host = deps.managementUrls.host();
      const stored = (await deps.managementUrls.key(host)) !== undefined;
      const key = required(
        await ui().showInputBox({
          title: `Management key for ${host.hostUrl}`,
          prompt:
            "The function app's durabletask_extension system key (Azure portal: the function app's App keys), added to management URLs as code=. " +
            "Kept in VS Code's secret storage. Empty removes it.",
          placeHolder: stored ? 'A key is stored; leave empty to remove it' : 'System key',
          password: true,
          validateInput: managementKeyProblem,
        }),
      ).trim();
      await deps.managementUrls.setKey(host, key);
      void ui().showInformationMessage(
        key ? `Stored the management key for ${host.hostUrl}.` : stored ? `Removed the management key for ${host.hostUrl}.` : `No management key is stored for ${host.hostUrl}.`,
      );
    },

    'durableExplorer.terminate': control('Terminate instance', 'Terminating…', async (t, u) => {
      const why = await reason(u, 'Terminate');
      await confirmOrCancel(u, `Terminate instance '${t.instanceId}'?`, 'The orchestration stops and cannot be resumed (it can be restarted).', 'Terminate');
      await t.hubNode.client.terminateInstance({ instanceId: t.instanceId, reason: why });
    }),

    'durableExplorer.suspend': control('Suspend instance', 'Suspending…', async (t, u) => {
      await t.hubNode.client.suspendInstance({ instanceId: t.instanceId, reason: await reason(u, 'Suspend') });
    }),

    'durableExplorer.resume': control('Resume instance', 'Resuming…', async (t, u) => {
      await t.hubNode.client.resumeInstance({ instanceId: t.instanceId, reason: await reason(u, 'Resume') });
    }),

    'durableExplorer.rewind': control('Rewind instance', 'Rewinding…', async (t, u) => {
      await t.hubNode.client.rewindInstance({ instanceId: t.instanceId, reason: await reason(u, 'Rewind') });
      // A rewound instance passes through Pending and Running: follow it until it finishes again.
    }, (status) => status !== 'Failed' && status !== 'Pending' && status !== 'Running'),

    'durableExplorer.raiseEvent': async (_c, arg) => {
      const target = await instanceTarget(tree, ui(), arg, 'Raise event');
      const eventName = required(
        await ui().showInputBox({ title: `Raise event to '${target.instanceId}': event name`, placeHolder: 'Event name, e.g. Approval', validateInput: (t) => requiredProblem(t, 'event name') }),
      ).trim();
      const data = required(
        await ui().showInputBox({ title: `Raise event '${eventName}': data`, placeHolder: 'JSON, e.g. true or {"approved": true}; empty for null', validateInput: (t) => jsonProblem(t) }),
      );
      await target.hubNode.client.raiseEvent({ instanceId: target.instanceId, eventName, eventData: data.trim() ? data : null });
      // A raised event usually moves the instance on: follow it like the other control messages.
      follower.follow(target.hubNode, target.instanceId, target.status, 'Delivering event…');
    },

    'durableExplorer.restart': async (context, arg) => {
      const target = await instanceTarget(tree, ui(), arg, 'Restart instance');
      const mode = required(
        await ui().showQuickPick(
          [
            { label: 'Restart as a new instance', detail: 'Same orchestrator and input, a new instance id; this instance is kept.', newId: true },
            { label: 'Restart with the same id', detail: 'Replaces this instance with a fresh run of the same orchestrator and input.', newId: false },
          ],
          { title: `Restart '${target.instanceId}'` },
        ),
      );
      if (!mode.newId) {
        await confirmOrCancel(ui(), `Restart instance '${target.instanceId}' under the same id?`, 'Its current run is replaced by a new one.', 'Restart');
      }
      const result = await target.hubNode.client.restartInstance({ instanceId: target.instanceId, newInstanceId: mode.newId ? true : undefined });
      context.count = 1;
      tree.refresh(target.hubNode);
      void ui()
        .showInformationMessage(`Restarted as '${result.instanceId}'.`, 'Show Instance')
        .then((choice) => (choice ? deps.pages.show(target.hubNode, result.instanceId) : undefined));
    },

    'durableExplorer.purgeInstance': async (context, arg) => purgeOne(context, arg, false),
    'durableExplorer.forcePurge': async (context, arg) => purgeOne(context, arg, true),

    ...hubDataCommands(deps),
  };

  /** Base URL, optional task hub, optional key (SecretStorage, shared with Set Management Key… for that host). */
  async function addRunningHost(): Promise<void> {
    const baseUrl = required(
      await ui().showInputBox({
        title: 'Add running host: base URL',
        prompt: "The function app's base URL: http://localhost:7071 for func start, https://<app>.azurewebsites.net in Azure.",
        value: 'http://localhost:7071',
        validateInput: hostUrlProblem,
      }),
    ).trim();
    const taskHub = required(
      await ui().showInputBox({
        title: 'Add running host: task hub (optional)',
        prompt: "Empty: the host's own task hub (host.json's hubName).",
        placeHolder: "The host's default task hub",
        validateInput: (t) => (t.trim() ? hubNameProblem(t.trim()) : null),
      }),
    ).trim();
    const host = managementHost(baseUrl);
    const stored = (await deps.managementUrls.key(host)) !== undefined;
    const key = required(
      await ui().showInputBox({
        title: 'Add running host: key (optional)',
        prompt: "The function app's durabletask_extension system key, kept in VS Code's secret storage. func start needs none.",
        placeHolder: stored ? 'A key is stored for this host; leave empty to keep it' : 'Empty: no key',
        password: true,
        validateInput: managementKeyProblem,
      }),
    ).trim();
    const spec = await deps.connections.addRunningHost(baseUrl, taskHub || undefined, key || undefined);
    void ui().showInformationMessage(`Added the running host '${spec.label}'${taskHub ? ` (task hub ${taskHub})` : ''}.`);
  }

  async function purgeOne(context: CommandContext, arg: unknown, force: boolean): Promise<void> {
    const target = await instanceTarget(tree, ui(), arg, force ? 'Force purge instance' : 'Purge instance');
    if (force) {
      // Refused before asking: over a running host the API checks the state itself.
      storageHub(target.hubNode, 'Force purge (purging an instance that has not finished)');
    }
    await confirmOrCancel(
      ui(),
      `${force ? 'Force purge' : 'Purge'} instance '${target.instanceId}'?`,
      force
        ? `It is ${target.status}: its history and state are deleted while it may still run; messages still queued for it are dropped by the runtime. This cannot be undone.`
        : 'Its history, instance row and payload blobs are deleted. This cannot be undone.',
      force ? 'Force Purge' : 'Purge',
    );
    const result = await target.hubNode.client.purgeInstance({ instanceId: target.instanceId, force });
    context.count = result.instancesDeleted;
    tree.instanceChanged(target.hubNode, target.instanceId, undefined);
  }

  return (Object.entries(handlers) as [CommandId, CommandHandler][]).map(([id, handler]) => registerCommand(deps, id, handler));
}
