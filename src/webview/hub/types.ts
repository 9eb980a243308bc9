// What the tabs get from the page: the host connection, the shared bulk controller and counter,
// and the page-wide banner, state and instance opening.
import type { HubHello, HubPageSettings } from '../../shared/protocol/hub';
import type { PageClient } from '../rpc';
import type { BulkController } from './bulk';
import type { Counter } from './counts';

export interface TabContext {
  client: PageClient<HubHello>;
  counter: Counter;
  bulk: BulkController;
  settings(): HubPageSettings;
  banner(kind: 'info' | 'error', text: string): void;
  saveState(): void;
  openInstance(instanceId: string): void;
  copyIds(ids: string[]): void;
}
