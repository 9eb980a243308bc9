// Counting through `hub/counts`. The host cancels an older count of the same slot when a newer one
// comes: the chips' counts follow the filter (newest wins, stale replies ignored); a bulk preview
// has its own slot, so it always gets its answer.
import type { HubCountsResult, HubHello, HubQuery } from '../../shared/protocol/hub';
import { HubRequests } from '../../shared/protocol/hub';
import { matchingCount } from '../model/hubFilter';
import type { PageClient } from '../rpc';

export class Counter {
  private chipsRun = 0;

  constructor(private readonly client: PageClient<HubHello>) {}

  /** Counts per status for the query without its statuses; null when a newer count superseded this one. */
  async chips(query: HubQuery): Promise<HubCountsResult | null> {
    const run = ++this.chipsRun;
    const request = this.client.request(HubRequests.counts, { query: { ...query, statuses: [] }, slot: 'chips' });
    try {
      const result = await request;
      return run === this.chipsRun ? result : null;
    } catch (e) {
      if (run !== this.chipsRun) {
        return null;
      }
      throw e;
    }
  }

  /** Forgets the chips' count in flight (its reply will be ignored). */
  supersede(): void {
    this.chipsRun++;
  }

  /** How many instances match the whole query now (a bulk preview): the sum of its counts. */
  async matching(query: HubQuery): Promise<number> {
    // Its own slot: the chips' counts never cancel it, nor it them.
    const result = await this.client.request(HubRequests.counts, { query, slot: 'preview' });
    return matchingCount(result.counts, query.statuses, result.total);
  }
}
