// The tree's roots and how each opens: local projects (workspace folders with host.json), the
// local emulator, a local project's running `func start` (found by probing), and connections the
// user added (connection strings in SecretStorage, Entra ID accounts, running hosts). Opened
// connections are cached until refreshed or their files change.
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createStorageClients, hostInstanceClient, isDurableError, parseConnectionString, resolveConnection, validateHubName } from '../../core';
import type { InstanceClient, StorageClients } from '../../core';
import { connectionStringSecrets } from '../../core/storage/connectionString';
import type { ManagementUrlService } from '../commands/managementUrls';
import { managementHost } from '../commands/managementUrls';
import type { Log } from '../log';
import { readSettings } from '../settings';
import { EMULATOR_CONNECTION_STRING, isEmulatorReachable } from './emulator';
import { vscodeTokenCredential } from './entraCredential';
import type { ConnectionSpec, ConnectionStringSpec, EntraSpec, HostSpec, LocalProjectSpec, OpenedConnection, StorageConnectionSpec, StoredSpec } from './types';

const STORED_KEY = 'durableExplorer.connections';
const secretKey = (id: string): string => `durableExplorer.connection.${id}`;

export const EMULATOR_SPEC: ConnectionSpec = { id: 'emulator', kind: 'emulator', label: 'Local emulator' };
export const DETECTED_HOST_LABEL = 'Running host (func start)';
/** A probe of the detection URL gives up after this long (a host that answers does in milliseconds). */
const DETECT_TIMEOUT_MS = 1500;
/** The roots reuse a probe's result for this long before probing again (Refresh probes at once). */
const DETECT_REUSE_MS = 15_000;

export class ConnectionManager implements vscode.Disposable {
  private readonly opened = new Map<string, Promise<OpenedConnection>>();
  private readonly hosts = new Map<string, Promise<InstanceClient>>();
  /** The last detection probe: the host found (or none) at the URL probed, and when. */
  private detection: { url: string; found: HostSpec | undefined; at: number; probing?: Promise<HostSpec[]> } | undefined;
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** Fires with a connection id whose data changed (or undefined for the whole list). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly globalState: vscode.Memento,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: Log,
    /** Where running hosts' keys are kept (shared with Set Management Key…, per webhook base). */
    private readonly keys: ManagementUrlService,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/{host.json,local.settings.json}');
    const onFile = (uri: vscode.Uri): void => {
      const folder = path.dirname(uri.fsPath);
      this.invalidate(`local:${folder}`);
      this.changed.fire(undefined);
    };
    this.disposables.push(
      watcher,
      watcher.onDidChange(onFile),
      watcher.onDidCreate(onFile),
      watcher.onDidDelete(onFile),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.changed.fire(undefined)),
      secrets.onDidChange((e) => {
        if (e.key.startsWith('durableExplorer.connection.')) {
          this.invalidate(e.key.slice('durableExplorer.connection.'.length));
        } else if (e.key.startsWith('durableExplorer.managementKey.')) {
          // A host's key changed (Set Management Key… or a host added): its clients are made again.
          this.hosts.clear();
        }
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('durableExplorer.runningHost.detectUrl')) {
          this.detection = undefined;
          this.changed.fire(undefined);
        }
      }),
    );
  }

  localProjects(): LocalProjectSpec[] {
    return (vscode.workspace.workspaceFolders ?? [])
      .filter((f) => f.uri.scheme === 'file' && existsSync(path.join(f.uri.fsPath, 'host.json')))
      .map((f) => ({ id: `local:${f.uri.fsPath}`, kind: 'local', label: f.name, folderPath: f.uri.fsPath }));
  }

  stored(): StoredSpec[] {
    return this.globalState.get<StoredSpec[]>(STORED_KEY, []);
  }

  /**
   * The roots: local projects, then the emulator, then added connections. The emulator is left
   * out only when nothing else is there and it isn't running, so the welcome view can offer to
   * start it.
   */
  async roots(): Promise<ConnectionSpec[]> {
    const local = this.localProjects();
    const stored = this.stored();
    // The last probe's result: a probe runs in the background and refreshes the roots if it changes.
    const detected = this.detectedHosts(local.length > 0).filter((d) => !stored.some((s) => s.kind === 'host' && sameHost(s, d)));
    const others: ConnectionSpec[] = [...local, ...detected, ...stored];
    if (others.length > 0 || (await isEmulatorReachable())) {
      return [...local, EMULATOR_SPEC, ...detected, ...stored];
    }
    return [];
  }

  /** The host found by the last probe (for a workspace with a local project), probing again when that is old. */
  private detectedHosts(hasLocalProject: boolean): HostSpec[] {
    const url = readSettings().runningHostDetectUrl;
    if (!hasLocalProject || !url) {
      return [];
    }
    const last = this.detection;
    if (!last || last.url !== url || Date.now() - last.at > DETECT_REUSE_MS) {
      void this.detectHosts();
    }
    return last?.url === url && last.found ? [last.found] : [];
  }

  /**
   * Probes the detection URL (`durableExplorer.runningHost.detectUrl`) for a Functions host: one
   * list request of the HTTP management API for a single instance, with a short timeout. A host
   * that answers, or that refuses for want of a key, is found. The roots change (and the tree
   * refreshes) when the result does. Needs a local project in the workspace.
   */
  detectHosts(): Promise<HostSpec[]> {
    const url = readSettings().runningHostDetectUrl;
    if (!url || this.localProjects().length === 0) {
      this.detection = { url, found: undefined, at: Date.now() };
      return Promise.resolve([]);
    }
    if (this.detection?.url === url && this.detection.probing) {
      return this.detection.probing;
    }
    const before = this.detection?.url === url ? this.detection.found : undefined;
    const probing = this.probe(url).then((found) => {
      this.detection = { url, found, at: Date.now() };
      if (found?.id !== before?.id) {
        this.log.info(found ? `Found a running Functions host at ${found.baseUrl}` : `No running Functions host at ${url} any more`);
        this.changed.fire(undefined);
      }
      return found ? [found] : [];
    });
    this.detection = { url, found: before, at: this.detection?.at ?? 0, probing };
    return probing;
  }

  private async probe(url: string): Promise<HostSpec | undefined> {
    let host;
    try {
      host = managementHost(url);
    } catch (e) {
      this.log.warn(`durableExplorer.runningHost.detectUrl is not usable: ${(e as Error).message}`);
      return undefined;
    }
    const spec: HostSpec = { id: `host:detected:${host.base}`, kind: 'host', label: DETECTED_HOST_LABEL, baseUrl: url, detected: true };
    try {
      const client = await this.hostClient(spec);
      await client.queryInstances({ pageSize: 1, signal: AbortSignal.timeout(DETECT_TIMEOUT_MS) });
      return spec;
    } catch (e) {
      // A host that wants a key is there: its hub node says so, and Set Management Key… fixes it.
      return isDurableError(e) && e.code === 'Unauthorized' ? spec : undefined;
    }
  }

  async find(id: string): Promise<ConnectionSpec | undefined> {
    return (await this.roots()).find((s) => s.id === id) ?? (id === EMULATOR_SPEC.id ? EMULATOR_SPEC : undefined);
  }

  open(spec: StorageConnectionSpec): Promise<OpenedConnection> {
    return openOnce(this.opened, spec.id, () => this.openUncached(spec));
  }

  /** The client of a running host: its HTTP management API, with its key from SecretStorage if one is stored. */
  openHost(spec: HostSpec): Promise<InstanceClient> {
    return openOnce(this.hosts, spec.id, () => this.hostClient(spec));
  }

  private async hostClient(spec: HostSpec): Promise<InstanceClient> {
    // The key is added to the log's secrets as it is read.
    const code = await this.keys.key(managementHost(spec.baseUrl));
    return hostInstanceClient({ baseUrl: spec.baseUrl, code, taskHub: spec.taskHub });
  }

  invalidate(id?: string): void {
    if (id === undefined) {
      this.opened.clear();
      this.hosts.clear();
      // Refresh probes for a running host again.
      if (this.detection && !this.detection.probing) {
        this.detection = { ...this.detection, at: 0 };
      }
    } else {
      this.opened.delete(id);
      this.hosts.delete(id);
    }
  }

  private async withClients(clients: Promise<StorageClients>): Promise<StorageClients> {
    const c = await clients;
    this.log.addSecrets(c.secrets);
    return c;
  }

  private async openUncached(spec: StorageConnectionSpec): Promise<OpenedConnection> {
    switch (spec.kind) {
      case 'local': {
        const resolved = await resolveConnection({
          cwd: spec.folderPath,
          // The project's own settings decide, as they do for `func start`; VS Code's environment does not.
          env: {},
          createCredential: (s) => vscodeTokenCredential({ tenantId: s.tenantId, createIfNone: true }),
        });
        this.log.addSecrets(resolved.secrets);
        const clients = await this.withClients(createStorageClients(resolved.connection));
        return {
          clients,
          preferredHub: resolved.hostJson?.hubName,
          hostJsonPartitionCount: resolved.hostJson?.partitionCount,
          description: `${clients.accountName} via ${resolved.settingName}`,
        };
      }
      case 'emulator': {
        const clients = await this.withClients(createStorageClients({ kind: 'connectionString', connectionString: EMULATOR_CONNECTION_STRING }));
        return { clients, description: 'Azurite at 127.0.0.1:10000-10002' };
      }
      case 'connectionString': {
        const connectionString = await this.secrets.get(secretKey(spec.id));
        if (!connectionString) {
          throw new Error(`The connection string for '${spec.label}' is no longer in VS Code's secret storage. Remove the connection and add it again.`);
        }
        this.log.addSecrets(connectionStringSecrets(connectionString));
        const clients = await this.withClients(createStorageClients({ kind: 'connectionString', connectionString }));
        return { clients, description: `${clients.accountName} (connection string)` };
      }
      case 'entra': {
        const endpoints = {
          blob: `https://${spec.accountName}.blob.core.windows.net`,
          queue: `https://${spec.accountName}.queue.core.windows.net`,
          table: `https://${spec.accountName}.table.core.windows.net`,
        };
        const credential = vscodeTokenCredential({ tenantId: spec.tenantId, createIfNone: true });
        const clients = await this.withClients(createStorageClients({ kind: 'identity', endpoints, credential }));
        return { clients, description: `${spec.accountName} (Entra ID)` };
      }
    }
  }

  /** Validates and stores a connection string; the string itself goes only to SecretStorage. */
  async addConnectionString(connectionString: string, label?: string): Promise<ConnectionStringSpec> {
    const parsed = parseConnectionString(connectionString.trim(), 'connection string');
    const spec: ConnectionStringSpec = {
      id: `cs-${randomUUID()}`,
      kind: 'connectionString',
      label: label?.trim() || parsed.accountName,
      accountName: parsed.accountName,
    };
    await this.secrets.store(secretKey(spec.id), connectionString.trim());
    await this.globalState.update(STORED_KEY, [...this.stored(), spec]);
    this.changed.fire(undefined);
    return spec;
  }

  async addEntraAccount(accountName: string, tenantId?: string): Promise<EntraSpec> {
    const spec: EntraSpec = {
      id: `entra-${randomUUID()}`,
      kind: 'entra',
      label: accountName,
      accountName: accountName.toLowerCase(),
      ...(tenantId ? { tenantId } : {}),
    };
    await this.globalState.update(STORED_KEY, [...this.stored(), spec]);
    this.changed.fire(undefined);
    return spec;
  }

  /**
   * Adds a running host (its URL checked as core checks a host URL). A key goes to SecretStorage for
   * the host's webhook base (where Set Management Key… keeps it); none given keeps a stored one.
   */
  async addRunningHost(baseUrl: string, taskHub?: string, key?: string): Promise<HostSpec> {
    const host = managementHost(baseUrl.trim());
    if (taskHub) {
      validateHubName(taskHub);
    }
    const url = new URL(host.base);
    const spec: HostSpec = {
      id: `host-${randomUUID()}`,
      kind: 'host',
      label: url.host,
      baseUrl: baseUrl.trim(),
      ...(taskHub ? { taskHub } : {}),
    };
    if (key) {
      await this.keys.setKey(host, key);
    }
    await this.globalState.update(STORED_KEY, [...this.stored(), spec]);
    this.changed.fire(undefined);
    return spec;
  }

  async remove(id: string): Promise<void> {
    await this.secrets.delete(secretKey(id));
    const removed = this.stored().find((s) => s.id === id);
    if (removed?.kind === 'host') {
      // The key is the host's, shared by base: kept while something else still uses that host.
      const base = managementHost(removed.baseUrl).base;
      const settings = readSettings();
      const users = [settings.managementUrlsHostUrl, settings.runningHostDetectUrl, ...this.stored().filter((s) => s.kind === 'host' && s.id !== id).map((s) => (s as HostSpec).baseUrl)];
      if (!users.some((u) => baseOf(u) === base)) {
        await this.keys.setKey(managementHost(removed.baseUrl), '');
      }
    }
    await this.globalState.update(
      STORED_KEY,
      this.stored().filter((s) => s.id !== id),
    );
    this.invalidate(id);
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}

function baseOf(url: string): string | undefined {
  try {
    return managementHost(url).base;
  } catch {
    return undefined;
  }
}

/** The same host and hub: a stored host connection hides the detected one. */
function sameHost(a: HostSpec, b: HostSpec): boolean {
  return baseOf(a.baseUrl) === baseOf(b.baseUrl) && (a.taskHub ?? '') === (b.taskHub ?? '');
}

/** One opening per id, shared by its callers; a failed one is forgotten, so the next call retries (storage may come back, settings may be fixed). */
function openOnce<T>(cache: Map<string, Promise<T>>, id: string, open: () => Promise<T>): Promise<T> {
  let opening = cache.get(id);
  if (!opening) {
    opening = open();
    cache.set(id, opening);
    opening.catch(() => cache.delete(id));
  }
  return opening;
}
