// A bulk action as the page follows it: the per-instance results as progress notifications bring
// them (10,000 and more, so counts and per-outcome lists are kept as they arrive, never recounted),
// the progress fraction, and the words the page uses (confirm button, summary). Pure.
import type { BulkItem, BulkOutcome, BulkProgress, BulkSummary, HubBulkActionName } from '../../shared/protocol/hub';
import { formatCount, plural } from './hubFormat';

export type ResultFilter = 'all' | BulkOutcome;
export const RESULT_FILTERS: readonly ResultFilter[] = ['all', 'failed', 'skipped', 'succeeded'];

export interface BulkActionSpec {
  /** Toolbar button. */
  label: string;
  icon: string;
  /** Confirm button verb ("Terminate 50 instances"). */
  verb: string;
  /** Past tense for messages. */
  done: string;
  destructive: boolean;
  describe: string;
}

export const BULK_ACTION_SPECS: Record<HubBulkActionName, BulkActionSpec> = {
  terminate: { label: 'Terminate', icon: 'debug-stop', verb: 'Terminate', done: 'terminated', destructive: true, describe: 'Each instance stops for good; it cannot be resumed. Instances that are already finished are skipped.' },
  suspend: { label: 'Suspend', icon: 'debug-pause', verb: 'Suspend', done: 'suspended', destructive: false, describe: 'Each running instance stops processing until it is resumed; its messages wait in the queue.' },
  resume: { label: 'Resume', icon: 'debug-continue', verb: 'Resume', done: 'resumed', destructive: false, describe: 'Each suspended instance continues where it stopped. Instances that are not suspended are skipped.' },
  rewind: { label: 'Rewind', icon: 'discard', verb: 'Rewind', done: 'rewound', destructive: false, describe: 'The failed steps of each failed instance run again; the rest of its history is kept. Instances that have not failed are skipped.' },
  raiseEvent: { label: 'Raise event', icon: 'mail', verb: 'Raise event on', done: 'sent the event to', destructive: false, describe: 'Sends the same external event to each instance.' },
  purge: {
    label: 'Purge',
    icon: 'trash',
    verb: 'Purge',
    done: 'purged',
    destructive: true,
    describe: 'Deletes finished instances (Completed, Failed, Canceled, Terminated): their history, state and payloads. Instances that are still active are skipped. This cannot be undone.',
  },
};

/** "Terminate 50 instances", "Purge all 1,234 matching instances"; without a count yet: "Purge all matching instances". */
export function confirmLabel(action: HubBulkActionName, target: 'ids' | 'filter', count: number | null): string {
  const verb = BULK_ACTION_SPECS[action].verb;
  if (target === 'filter') {
    if (count === null) {
      return `${verb} all matching instances`;
    }
    return count === 1 ? `${verb} the 1 matching instance` : `${verb} all ${formatCount(count)} matching instances`;
  }
  return `${verb} ${plural(count ?? 0, 'instance')}`;
}

/** "48 succeeded, 1 failed, 1 skipped": always all three, so a zero is said too. */
export function outcomeLine(counts: { succeeded: number; failed: number; skipped: number }): string {
  return `${formatCount(counts.succeeded)} succeeded, ${formatCount(counts.failed)} failed, ${formatCount(counts.skipped)} skipped`;
}

export class BulkRun {
  readonly items: BulkItem[] = [];
  readonly counts: Record<BulkOutcome, number> = { succeeded: 0, failed: 0, skipped: 0 };
  done = 0;
  total: number | null;
  summary: BulkSummary | null = null;
  error: string | null = null;
  cancelRequested = false;
  private readonly byOutcome: Record<BulkOutcome, number[]> = { succeeded: [], failed: [], skipped: [] };
  private readonly indexById = new Map<string, number>();
  private dirtyOutcomes = false;

  constructor(
    readonly operationId: string,
    readonly action: HubBulkActionName,
    total: number | null,
  ) {
    this.total = total;
  }

  get finished(): boolean {
    return this.summary !== null || this.error !== null;
  }

  /** Takes a progress notification; returns false when it is about another operation. */
  apply(progress: BulkProgress): boolean {
    if (progress.operationId !== this.operationId || this.finished) {
      return false;
    }
    if (Number.isFinite(progress.done) && progress.done >= this.done) {
      this.done = progress.done;
    }
    if (progress.total === null || (Number.isFinite(progress.total) && progress.total >= 0)) {
      this.total = progress.total;
    }
    for (const item of progress.items ?? []) {
      this.add(item);
    }
    return true;
  }

  private add(item: BulkItem): void {
    const known = this.indexById.get(item.instanceId);
    if (known !== undefined) {
      // Reported again (retried): the last word counts.
      const before = this.items[known];
      this.counts[before.outcome]--;
      this.items[known] = item;
      this.counts[item.outcome]++;
      if (before.outcome !== item.outcome) {
        this.dirtyOutcomes = true;
      }
      return;
    }
    const index = this.items.length;
    this.items.push(item);
    this.indexById.set(item.instanceId, index);
    this.counts[item.outcome] = (this.counts[item.outcome] ?? 0) + 1;
    this.byOutcome[item.outcome]?.push(index);
  }

  finish(summary: BulkSummary): void {
    this.summary = summary;
    this.done = Math.max(this.done, summary.succeeded + summary.failed + summary.skipped);
    this.total = summary.total;
  }

  fail(message: string): void {
    this.error = message;
  }

  /** Done / total in [0, 1]; null when the total is not known (an indeterminate bar). */
  fraction(): number | null {
    if (this.summary) {
      return 1;
    }
    if (this.total === null) {
      return null;
    }
    if (this.total <= 0) {
      return 0;
    }
    return Math.min(1, this.done / this.total);
  }

  /** "120 of 500", "120 done" (unknown total). */
  progressText(): string {
    return this.total === null ? `${formatCount(this.done)} done` : `${formatCount(this.done)} of ${formatCount(this.total)}`;
  }

  /** Indices into `items` shown under a filter. */
  visible(filter: ResultFilter): readonly number[] {
    if (filter === 'all') {
      return Array.from({ length: this.items.length }, (_, i) => i);
    }
    if (this.dirtyOutcomes) {
      this.rebuildOutcomes();
    }
    return this.byOutcome[filter];
  }

  private rebuildOutcomes(): void {
    this.dirtyOutcomes = false;
    for (const k of Object.keys(this.byOutcome) as BulkOutcome[]) {
      this.byOutcome[k] = [];
    }
    this.items.forEach((item, i) => this.byOutcome[item.outcome]?.push(i));
  }
}
