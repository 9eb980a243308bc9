// Bounded parallelism without a dependency: at most `limit` calls of `fn` in flight.

export async function mapWithConcurrency<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        await fn(items[index], index);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) {
    throw failure;
  }
}

export interface RunBoundedOptions<T> {
  /** Most calls of `fn` in flight at once (a whole number ≥ 1). */
  limit: number;
  /** When it fires, no new item is started; calls in flight are awaited, not interrupted. */
  signal?: AbortSignal;
  /**
   * Decides what an item's error means: 'continue' (the item is done, carry on) or 'stop'
   * (start nothing more; the error is thrown once the calls in flight have finished).
   * Without it every error stops the run. If it throws, that error stops the run.
   */
  onError?: (error: unknown, item: T) => 'continue' | 'stop';
}

export interface RunBoundedResult {
  /** Items handed to `fn`. */
  started: number;
  /** The signal fired before the source was exhausted. */
  cancelled: boolean;
}

/**
 * Calls `fn` for each item of a (possibly async, possibly endless) source with at most `limit`
 * calls in flight. Items are pulled only when a slot is free, so a paged source is read page by
 * page as work completes rather than all up front.
 */
export async function runBounded<T>(
  items: AsyncIterable<T> | Iterable<T>,
  o: RunBoundedOptions<T>,
  fn: (item: T, index: number) => Promise<void>,
): Promise<RunBoundedResult> {
  if (!Number.isInteger(o.limit) || o.limit < 1) {
    throw new RangeError(`The concurrency limit must be a whole number of at least 1, not ${o.limit}.`);
  }
  const iterator: AsyncIterator<T> | Iterator<T> =
    Symbol.asyncIterator in items ? (items as AsyncIterable<T>)[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]();
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let started = 0;
  let cancelled = false;
  let exhausted = false;

  const stop = (error: unknown): void => {
    failure ??= { error };
  };
  const run = async (item: T, index: number): Promise<void> => {
    try {
      await fn(item, index);
    } catch (e) {
      try {
        if ((o.onError?.(e, item) ?? 'stop') === 'stop') {
          stop(e);
        }
      } catch (decisionError) {
        stop(decisionError);
      }
    }
  };

  try {
    for (;;) {
      if (failure) {
        break;
      }
      if (o.signal?.aborted) {
        cancelled = true;
        break;
      }
      if (inFlight.size >= o.limit) {
        await Promise.race(inFlight);
        continue;
      }
      let next: IteratorResult<T>;
      try {
        next = await iterator.next();
      } catch (e) {
        // A source that honours the same signal fails when it fires: that is the cancellation.
        if (o.signal?.aborted) {
          cancelled = true;
        } else {
          stop(e);
        }
        exhausted = true; // a generator that threw is finished; there is nothing to close
        break;
      }
      if (next.done) {
        exhausted = true;
        break;
      }
      // Reading the next item may have taken a while: re-check before starting it.
      if (failure) {
        break;
      }
      if (o.signal?.aborted) {
        cancelled = true;
        break;
      }
      const index = started++;
      const p: Promise<void> = run(next.value, index).then(() => {
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
  } finally {
    await Promise.all(inFlight);
    if (!exhausted) {
      await iterator.return?.();
    }
  }
  if (failure) {
    throw failure.error;
  }
  return { started, cancelled };
}
