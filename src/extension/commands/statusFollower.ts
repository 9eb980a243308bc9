// The runtime processes terminate/suspend/resume/rewind asynchronously: after sending, the node
// shows a pending state and we poll until the status changes or the timeout passes.
import { isDurableError, waitForStatus } from '../../core';
import type { Log } from '../log';
import { readSettings } from '../settings';
import type { HubNode } from '../tree/nodes';
import type { TaskHubTreeProvider } from '../tree/treeProvider';
import type { Ui } from './ui';

export class StatusFollower {
  private readonly running = new Set<Promise<void>>();
  private readonly controller = new AbortController();

  constructor(
    private readonly tree: TaskHubTreeProvider,
    private readonly log: Log,
    private readonly ui: () => Ui,
  ) {}

  /** Starts following; returns at once. `label` is what the node shows meanwhile ("Terminating…"). */
  follow(hubNode: HubNode, instanceId: string, previousStatus: string, label: string, until?: (status: string) => boolean): void {
    const timeoutMs = readSettings().statusPollTimeoutSeconds * 1000;
    this.tree.setPending(hubNode, instanceId, label);
    const work = waitForStatus(hubNode.client, {
      instanceId,
      until: (s) => (until ? until(String(s.runtimeStatus)) : s.runtimeStatus !== previousStatus),
      timeoutMs,
      intervalMs: 1000,
      signal: this.controller.signal,
    })
      .then(({ status, timedOut }) => {
        this.tree.clearPending(hubNode, instanceId);
        this.tree.instanceChanged(hubNode, instanceId, status);
        if (timedOut && timeoutMs > 0) {
          void this.ui().showInformationMessage(
            `Instance '${instanceId}' is still ${status.runtimeStatus} after ${Math.round(timeoutMs / 1000)} s: the message is queued and is ` +
              'processed when the function app runs.',
          );
        }
      })
      .catch((e: unknown) => {
        this.tree.clearPending(hubNode, instanceId);
        if (isDurableError(e) && e.code === 'NotFound') {
          this.tree.instanceChanged(hubNode, instanceId, undefined);
        } else if (!this.controller.signal.aborted) {
          this.log.warn(`Following instance status failed: ${(e as Error).message}`);
        }
      })
      .finally(() => this.running.delete(work));
    this.running.add(work);
  }

  /** Resolves when nothing is being followed (tests wait on it). */
  async settled(): Promise<void> {
    while (this.running.size > 0) {
      await Promise.all([...this.running]);
    }
  }

  dispose(): void {
    this.controller.abort();
  }
}
