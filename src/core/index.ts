// The public API of core: every operation the CLI and the extension perform. No `vscode` here.
export * from './model';
export * from './errors';
export * from './hub';
export * from './instances';
export * from './history';
export { parseStoredValue } from './values';
export { createStorageClients } from './storage/clients';
export type { StorageClients, StorageConnection } from './storage/clients';
export { parseConnectionString } from './storage/connectionString';
export type { ServiceEndpoints } from './storage/connectionString';
export { escapePartitionKey, unescapePartitionKey } from './format/keys';
export { fnv1a32, partitionIndex, controlQueueFor } from './format/partition';
export { hubResourceNames, validateHubName } from './format/names';
export { startNew, validateInstanceId } from './operations/start';
export type { StartNewOptions, StartNewResult } from './operations/start';
export { raiseEvent, terminateInstance, suspendInstance, resumeInstance, waitForStatus } from './operations/control';
export type { ControlResult } from './operations/control';
export { rewindInstance } from './operations/rewind';
export type { RewindResult } from './operations/rewind';
export { restartInstance } from './operations/restart';
export type { RestartResult } from './operations/restart';
export { purgeInstance, purgeInstances, DEFAULT_PURGE_CONCURRENCY } from './operations/purge';
export { assertSasAllowsDelete } from './storage/sas';
export type { PurgeResult, PurgeByFilterResult, PurgeByFilterOptions, PurgedInstanceReport } from './operations/purge';
export { runBulkAction, countMatchingInstances, DEFAULT_BULK_CONCURRENCY, BULK_ACTION_LABELS } from './operations/bulk';
export type { BulkActionSpec, BulkTargetSpec, BulkOutcome, BulkItemResult, BulkActionOptions, BulkActionResult } from './operations/bulk';
export { findStuckInstances, readQueueDepths } from './stuck';
export type { StuckQuery, StuckInstance, QueueDepthInfo } from './stuck';
export { runBounded, mapWithConcurrency } from './concurrency';
export type { RunBoundedOptions, RunBoundedResult } from './concurrency';
export { deleteTaskHub } from './operations/deleteHub';
export type { DeleteTaskHubResult } from './operations/deleteHub';
export * from './connection/resolve';
export { managementUrls, managementWebhookBase, checkStatusPayload, formUrlEncode, DURABLE_WEBHOOK_PATH, DEFAULT_MANAGEMENT_HOST_URL } from './managementUrls';
export type { ManagementUrls, ManagementUrlOptions, CheckStatusPayload } from './managementUrls';
export { waitForCompletion, completionOutcome, completionWaitTimes, DEFAULT_COMPLETION_TIMEOUT_MS, DEFAULT_COMPLETION_INTERVAL_MS } from './operations/wait';
export type { CompletionOutcome, WaitForCompletionOutcome, WaitForCompletionOptions, WaitForCompletionResult } from './operations/wait';
export { storageInstanceClient } from './client';
export type {
  InstanceClient,
  Transport,
  ClientInstanceStatus,
  GetInstanceOptions,
  QueryInstancesOptions,
  ReadHistoryOptions,
  ClientStartResult,
  ClientRestartResult,
  ClientControlResult,
  ClientRewindResult,
  ClientPurgeResult,
} from './client';
export type { RaiseEventOptions, ReasonOptions } from './operations/control';
export type { RestartOptions } from './operations/restart';
export type { RewindOptions } from './operations/rewind';
export type { PurgeInstanceOptions } from './operations/purge';
export { hostInstanceClient, UNSUPPORTED_FORCE } from './host/client';
export type { HostClientOptions } from './host/client';
