// The tree's roots and how each opens: local projects (workspace folders with host.json), the
// local emulator, and connections the user added (connection strings in SecretStorage, Entra
// ID accounts). Opened connections are cached until refreshed or their files change.
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createStorageClients, parseConnectionString, resolveConnection } from '../../core';
import type { StorageClients } from '../../core';
import { connectionStringSecrets } from '../../core/storage/connectionString';
import type { Log } from '../log';
import { EMULATOR_CONNECTION_STRING, isEmulatorReachable } from './emulator';
import { vscodeTokenCredential } from './entraCredential';
import type { ConnectionSpec, ConnectionStringSpec, EntraSpec, LocalProjectSpec, OpenedConnection, StoredSpec } from './types';

const STORED_KEY = 'durableExplorer.connections';
const secretKey = (id: string): string => `durableExplorer.connection.${id}`;

export const EMULATOR_SPEC: ConnectionSpec = { id: 'emulator', kind: 'emulator', label: 'Local emulator' };

export class ConnectionManager implements vscode.Disposable {
  private readonly opened = new Map<string, Promise<OpenedConnection>>();
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** Fires with a connection id whose data changed (or undefined for the whole list). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly globalState: vscode.Memento,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: Log,
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
    const others: ConnectionSpec[] = [...this.localProjects(), ...this.stored()];
    if (others.length > 0 || (await isEmulatorReachable())) {
      const local = others.filter((s) => s.kind === 'local');
      return [...local, EMULATOR_SPEC, ...others.filter((s) => s.kind !== 'local')];
    }
    return [];
  }

  async find(id: string): Promise<ConnectionSpec | undefined> {
    return (await this.roots()).find((s) => s.id === id) ?? (id === EMULATOR_SPEC.id ? EMULATOR_SPEC : undefined);
  }

  open(spec: ConnectionSpec): Promise<OpenedConnection> {
    let opening = this.opened.get(spec.id);
    if (!opening) {
      opening = this.openUncached(spec);
      this.opened.set(spec.id, opening);
      // A failed open is retried next time (storage may come back, settings may be fixed).
      opening.catch(() => this.opened.delete(spec.id));
    }
    return opening;
  }

  invalidate(id?: string): void {
    if (id === undefined) {
      this.opened.clear();
    } else {
      this.opened.delete(id);
    }
  }

  private async withClients(clients: Promise<StorageClients>): Promise<StorageClients> {
    const c = await clients;
    this.log.addSecrets(c.secrets);
    return c;
  }

  private async openUncached(spec: ConnectionSpec): Promise<OpenedConnection> {
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

  async remove(id: string): Promise<void> {
    await this.secrets.delete(secretKey(id));
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
