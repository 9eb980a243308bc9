// What a root node of the tree stands for, and what it resolves to. The spec holds no secret:
// connection strings live only in SecretStorage, keyed by the spec's id.
import type { StorageClients } from '../../core';
import type { ConnectionKind } from '../tree/contextValues';

interface SpecBase {
  /** Stable across sessions; part of every tree node id under it. */
  readonly id: string;
  readonly kind: ConnectionKind;
  readonly label: string;
}

export interface LocalProjectSpec extends SpecBase {
  readonly kind: 'local';
  /** The workspace folder holding host.json. */
  readonly folderPath: string;
}

export interface EmulatorSpec extends SpecBase {
  readonly kind: 'emulator';
}

export interface ConnectionStringSpec extends SpecBase {
  readonly kind: 'connectionString';
  /** Account name shown next to the label; from the connection string, not secret. */
  readonly accountName: string;
}

export interface EntraSpec extends SpecBase {
  readonly kind: 'entra';
  readonly accountName: string;
  readonly tenantId?: string;
}

/**
 * A running Functions host, reached through its HTTP management API: no storage connection. Its key
 * (optional; `func start` needs none) is kept in SecretStorage per webhook base, shared with
 * Set Management Key… (ManagementUrlService).
 */
export interface HostSpec extends SpecBase {
  readonly kind: 'host';
  /** The function app's base URL as given (`http://localhost:7071`); never a key. */
  readonly baseUrl: string;
  /** The task hub to work on; undefined: the host's own (default) hub. */
  readonly taskHub?: string;
  /** Found by probing for a local project's `func start`, not added by the user (never stored). */
  readonly detected?: boolean;
}

export type ConnectionSpec = LocalProjectSpec | EmulatorSpec | ConnectionStringSpec | EntraSpec | HostSpec;

/** Storage connections: what `open` resolves to storage clients. */
export type StorageConnectionSpec = Exclude<ConnectionSpec, HostSpec>;

/** An opened connection: the storage clients and what the project's host.json says. */
export interface OpenedConnection {
  readonly clients: StorageClients;
  /** host.json `hubName` (resolved), listed first and marked in the tree. */
  readonly preferredHub?: string;
  readonly hostJsonPartitionCount?: number;
  /** A short, secret-free description: "devstoreaccount1 via AzureWebJobsStorage". */
  readonly description: string;
}

/** The specs a user added, as kept in globalState (no secrets). */
export type StoredSpec = ConnectionStringSpec | EntraSpec | HostSpec;
