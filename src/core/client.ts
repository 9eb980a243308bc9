// One interface over the two ways core reaches a task hub: `storage` (its tables, queues and blobs,
// read and written as the runtime does) and `host` (the HTTP management API of a running Functions
// host, src/core/host). Only what both can do is here. What needs storage (delete or list task hubs,
// bulk actions, counts, the stuck view) takes a TaskHub; with a host connection, callers refuse it
// with TransportUnsupportedError.
import type { HistoryPage } from './history';
import type { TaskHub } from './hub';
import type { InstanceQuery, PageRequest } from './instances';
import type { InstanceStatus, OperationOptions, Page } from './model';
import type { ControlResult, RaiseEventOptions, ReasonOptions } from './operations/control';
import type { PurgeByFilterOptions, PurgeByFilterResult, PurgeInstanceOptions } from './operations/purge';
import type { RestartOptions, RestartResult } from './operations/restart';
import type { RewindOptions, RewindResult } from './operations/rewind';
import type { StartNewOptions, StartNewResult } from './operations/start';
import { readHistory } from './history';
import { getInstance, queryInstances } from './instances';
import { raiseEvent, resumeInstance, suspendInstance, terminateInstance } from './operations/control';
import { purgeInstance, purgeInstances } from './operations/purge';
import { restartInstance } from './operations/restart';
import { rewindInstance } from './operations/rewind';
import { startNew } from './operations/start';

export type Transport = 'storage' | 'host';

/**
 * An instance's status. The host's status payload has no generation, execution id, completed or
 * scheduled start time, version or tags: over `host` they are null, and its created and last
 * updated times are to the second (storage's have the stored fraction).
 */
export type ClientInstanceStatus = Omit<InstanceStatus, 'generation'> & { generation: number | null };

export interface GetInstanceOptions extends OperationOptions {
  instanceId: string;
  showInput?: boolean;
  showOutput?: boolean;
}

export type QueryInstancesOptions = InstanceQuery & PageRequest & OperationOptions;

export interface ReadHistoryOptions extends OperationOptions {
  instanceId: string;
  pageSize?: number;
  continuationToken?: string | null;
}

/** A started instance. The host answers with the id only; the rest is known over storage alone. */
export type ClientStartResult = Pick<StartNewResult, 'instanceId'> & Partial<StartNewResult>;
export type ClientRestartResult = ClientStartResult & Pick<RestartResult, 'restartedFrom'>;
/** The host answers 202 and nothing more: the previous status and the queue are storage's. */
export type ClientControlResult = Pick<ControlResult, 'instanceId'> & Partial<ControlResult>;
export type ClientRewindResult = Pick<RewindResult, 'instanceId'> & Partial<RewindResult>;
/** The host reports the number of instances deleted only. */
export type ClientPurgeResult = Pick<PurgeByFilterResult, 'instancesDeleted'> & Partial<PurgeByFilterResult>;

/**
 * The instance operations of a task hub, whichever transport carries them. Each takes its options
 * with an AbortSignal and fails with core's typed errors: NotFoundError for an unknown instance
 * (same message on both), ConflictError when the instance's state refuses the operation,
 * ValidationError for bad input, TransportUnsupportedError for an option only storage has.
 */
export interface InstanceClient {
  readonly transport: Transport;
  /** Where the operations go, for messages: never a key or a connection string. */
  readonly description: string;
  getInstance(o: GetInstanceOptions): Promise<ClientInstanceStatus>;
  queryInstances(o: QueryInstancesOptions): Promise<Page<ClientInstanceStatus>>;
  /**
   * One page of the current execution's history. Storage gives the History rows as stored; the
   * host gives the history as its status API rewrites it (scheduling events folded into their
   * completions as FunctionName / ScheduledTime, OrchestratorStarted/Completed dropped, no EventId:
   * it is -1), with no execution id, paged here from the whole history it returns.
   */
  readHistory(o: ReadHistoryOptions): Promise<HistoryPage>;
  startNew(o: StartNewOptions): Promise<ClientStartResult>;
  raiseEvent(o: RaiseEventOptions): Promise<ClientControlResult>;
  terminateInstance(o: ReasonOptions): Promise<ClientControlResult>;
  suspendInstance(o: ReasonOptions): Promise<ClientControlResult>;
  resumeInstance(o: ReasonOptions): Promise<ClientControlResult>;
  rewindInstance(o: RewindOptions): Promise<ClientRewindResult>;
  restartInstance(o: RestartOptions): Promise<ClientRestartResult>;
  purgeInstance(o: PurgeInstanceOptions): Promise<ClientPurgeResult>;
  purgeInstances(o: PurgeByFilterOptions): Promise<ClientPurgeResult>;
}

/** The storage operations of core on an opened hub, as an InstanceClient. */
export function storageInstanceClient(hub: TaskHub): InstanceClient {
  return {
    transport: 'storage',
    description: `task hub '${hub.name}' in storage account '${hub.clients.accountName}'`,
    getInstance: (o) => getInstance(hub, o.instanceId, o, o),
    queryInstances: (o) => queryInstances(hub, o, o),
    readHistory: (o) => readHistory(hub, o.instanceId, o, o),
    startNew: (o) => startNew(hub, o),
    // Async so that its argument checks reject, as every other operation's do, rather than throw.
    raiseEvent: async (o) => raiseEvent(hub, o),
    terminateInstance: (o) => terminateInstance(hub, o),
    suspendInstance: (o) => suspendInstance(hub, o),
    resumeInstance: (o) => resumeInstance(hub, o),
    rewindInstance: (o) => rewindInstance(hub, o),
    restartInstance: (o) => restartInstance(hub, o),
    purgeInstance: (o) => purgeInstance(hub, o),
    purgeInstances: (o) => purgeInstances(hub, o),
  };
}
