// Brings a connection back by itself when its storage comes back: after an "unreachable" error the
// tree probes the endpoint now and then (backing off up to a minute) and reloads the connection
// once a probe succeeds, so a user who restarts Azurite sees the hubs without pressing Refresh.
// No `vscode` here: the tree passes the probe and what to do on recovery.

export interface RecoveryOptions {
  /** First wait after the failure; it doubles after each failed probe. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A probe taking longer than this counts as failed. */
  probeTimeoutMs?: number;
}

interface Pending {
  timer: ReturnType<typeof setTimeout>;
  controller: AbortController;
}

export class ConnectionRecovery {
  private readonly pending = new Map<string, Pending>();
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly probeTimeoutMs: number;

  constructor(o: RecoveryOptions = {}) {
    this.initialDelayMs = o.initialDelayMs ?? 5_000;
    this.maxDelayMs = o.maxDelayMs ?? 60_000;
    this.probeTimeoutMs = o.probeTimeoutMs ?? 10_000;
  }

  /** Probes `key` until `probe` resolves, then calls `recovered` once. A new schedule replaces the old. */
  schedule(key: string, probe: (signal: AbortSignal) => Promise<unknown>, recovered: () => void): void {
    this.cancel(key);
    const controller = new AbortController();
    const attempt = (delay: number): void => {
      const timer = setTimeout(() => {
        const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(this.probeTimeoutMs)]);
        probe(signal).then(
          () => {
            if (!controller.signal.aborted) {
              this.pending.delete(key);
              recovered();
            }
          },
          () => {
            if (!controller.signal.aborted) {
              attempt(Math.min(delay * 2, this.maxDelayMs));
            }
          },
        );
      }, delay);
      // Never keeps the extension host (or a test process) alive.
      timer.unref?.();
      this.pending.set(key, { timer, controller });
    };
    attempt(this.initialDelayMs);
  }

  isScheduled(key: string): boolean {
    return this.pending.has(key);
  }

  cancel(key: string): void {
    const p = this.pending.get(key);
    if (p) {
      clearTimeout(p.timer);
      p.controller.abort();
      this.pending.delete(key);
    }
  }

  dispose(): void {
    for (const key of [...this.pending.keys()]) {
      this.cancel(key);
    }
  }
}
