// The bounded runner behind bulk actions, with fake async work (no storage, no timing), and the
// bulk action's up-front validation (which must fail before any storage client is touched).
import assert from 'node:assert/strict';
import { runBounded } from '../../src/core/concurrency';
import { runBulkAction } from '../../src/core/operations/bulk';
import type { BulkActionOptions } from '../../src/core/operations/bulk';
import type { TaskHub } from '../../src/core/hub';
import { ValidationError } from '../../src/core/errors';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending callback and promise settle. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** An async source that records how far it has been read. */
function source(count: number, log: { pulled: number; closed: boolean }): AsyncGenerator<number> {
  return (async function* () {
    try {
      for (let i = 0; i < count; i++) {
        await tick(); // a page read takes a while
        log.pulled++;
        yield i;
      }
    } finally {
      log.closed = true;
    }
  })();
}

describe('runBounded', () => {
  it('keeps at most `limit` calls in flight, reads the source lazily, and calls fn once per item', async () => {
    const log = { pulled: 0, closed: false };
    const seen: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let completed = 0;
    let maxAhead = 0;
    const result = await runBounded(source(50, log), { limit: 4 }, async (item) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      maxAhead = Math.max(maxAhead, log.pulled - completed);
      seen.push(item);
      for (let i = 0; i < 5 + ((item * 7) % 5); i++) {
        await tick(); // longer than a read, and uneven, so items finish out of order
      }
      inFlight--;
      completed++;
    });
    assert.deepEqual(result, { started: 50, cancelled: false });
    assert.equal(maxInFlight, 4, 'the limit is reached and never exceeded');
    assert.ok(maxAhead <= 4, `the source is read only as slots free up (ran ${maxAhead} ahead)`);
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.ok(log.closed);
  });

  it('takes a plain iterable; limit 1 runs the items one after another in order', async () => {
    const order: string[] = [];
    await runBounded(['a', 'b', 'c'], { limit: 1 }, async (item, index) => {
      order.push(`start ${item}${index}`);
      await tick();
      order.push(`end ${item}`);
    });
    assert.deepEqual(order, ['start a0', 'end a', 'start b1', 'end b', 'start c2', 'end c']);
  });

  it('an abort starts nothing new, lets the items in flight complete, reports cancelled and closes the source', async () => {
    const log = { pulled: 0, closed: false };
    const controller = new AbortController();
    const gates = new Map<number, Deferred>();
    const started: number[] = [];
    const finished: number[] = [];
    const run = runBounded(source(100, log), { limit: 3, signal: controller.signal }, async (item) => {
      started.push(item);
      const gate = deferred();
      gates.set(item, gate);
      await gate.promise;
      finished.push(item);
    });
    while (started.length < 3) {
      await tick();
    }
    controller.abort();
    for (const gate of gates.values()) {
      gate.resolve();
    }
    const result = await run;
    assert.deepEqual(result, { started: 3, cancelled: true });
    assert.deepEqual(started, [0, 1, 2]);
    assert.deepEqual([...finished].sort(), [0, 1, 2], 'in-flight items completed');
    assert.ok(log.closed, 'the source generator was closed');
  });

  it('an abort after a few items, fired from inside the work, stops right there', async () => {
    const controller = new AbortController();
    const done: number[] = [];
    const result = await runBounded(
      Array.from({ length: 20 }, (_, i) => i),
      { limit: 2, signal: controller.signal },
      async (item) => {
        await tick();
        done.push(item);
        if (done.length === 5) {
          controller.abort();
        }
      },
    );
    assert.equal(result.cancelled, true);
    assert.equal(result.started, done.length, 'everything started also finished');
    assert.ok(done.length >= 5 && done.length <= 6, `at most the one other in-flight item finished after the abort (${done.length})`);
  });

  it('an already-aborted signal starts nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const result = await runBounded([1, 2, 3], { limit: 2, signal: controller.signal }, async () => {
      calls++;
    });
    assert.deepEqual(result, { started: 0, cancelled: true });
    assert.equal(calls, 0);
  });

  it("a failing item doesn't stop the others when onError says continue", async () => {
    const done: number[] = [];
    const errors: [string, number][] = [];
    const result = await runBounded(
      Array.from({ length: 10 }, (_, i) => i),
      {
        limit: 3,
        onError: (e, item) => {
          errors.push([(e as Error).message, item]);
          return 'continue';
        },
      },
      async (item) => {
        await tick();
        if (item % 4 === 1) {
          throw new Error(`bad ${item}`);
        }
        done.push(item);
      },
    );
    assert.deepEqual(result, { started: 10, cancelled: false });
    assert.deepEqual(errors.sort(), [['bad 1', 1], ['bad 5', 5], ['bad 9', 9]]);
    assert.deepEqual(done.sort((a, b) => a - b), [0, 2, 3, 4, 6, 7, 8]);
  });

  it('a fatal error starts nothing new and is thrown only after the items in flight have finished', async () => {
    const log = { pulled: 0, closed: false };
    const gates = new Map<number, Deferred>();
    const started: number[] = [];
    const finished: number[] = [];
    const fatal = new Error('storage is down');
    let settled = false;
    const run = runBounded(source(100, log), { limit: 3, onError: (e) => (e === fatal ? 'stop' : 'continue') }, async (item) => {
      started.push(item);
      const gate = deferred();
      gates.set(item, gate);
      await gate.promise;
      finished.push(item);
    }).finally(() => {
      settled = true;
    });
    while (started.length < 3) {
      await tick();
    }
    gates.get(0)!.reject(fatal);
    await tick();
    await tick();
    assert.deepEqual(started, [0, 1, 2], 'nothing new started after the fatal error');
    assert.equal(settled, false, 'still waiting for the items in flight');
    gates.get(1)!.resolve();
    gates.get(2)!.resolve();
    await assert.rejects(run, (e: unknown) => e === fatal);
    assert.deepEqual(finished.sort(), [1, 2]);
    assert.ok(log.closed);
  });

  it('without onError, the first error stops the run; later errors of items in flight do not replace it', async () => {
    const first = new Error('first');
    const gates: Deferred[] = [deferred(), deferred()];
    const run = runBounded([0, 1, 2, 3], { limit: 2 }, async (item) => {
      await gates[item]?.promise;
    });
    await tick();
    gates[0].reject(first);
    await tick();
    gates[1].reject(new Error('second'));
    await assert.rejects(run, (e: unknown) => e === first);
  });

  it('an error thrown by onError itself stops the run', async () => {
    const boom = new Error('callback failed');
    await assert.rejects(
      runBounded([1, 2, 3], { limit: 1, onError: () => { throw boom; } }, async () => {
        throw new Error('item');
      }),
      (e: unknown) => e === boom,
    );
  });

  it('a source that fails is an error, unless the signal fired (then it is the cancellation)', async () => {
    const broken = async function* (): AsyncGenerator<number> {
      yield 1;
      throw new Error('page read failed');
    };
    const done: number[] = [];
    await assert.rejects(
      runBounded(broken(), { limit: 2 }, async (item) => {
        await tick();
        done.push(item);
      }),
      /page read failed/,
    );
    assert.deepEqual(done, [1], 'the item in flight still finished');

    const controller = new AbortController();
    const cancelledRead = async function* (): AsyncGenerator<number> {
      yield 1;
      controller.abort();
      throw new Error('aborted read');
    };
    const result = await runBounded(cancelledRead(), { limit: 2, signal: controller.signal }, async () => {
      await tick();
    });
    assert.deepEqual(result, { started: 1, cancelled: true });
  });

  it('rejects a limit that is not a whole number ≥ 1', async () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(runBounded([1], { limit }, async () => undefined), RangeError, String(limit));
    }
  });
});

describe('runBulkAction validation (before any storage access)', () => {
  // Any use of storage fails the test: validation must come first.
  const untouchable = new Proxy(
    {},
    {
      get(_target, prop) {
        throw new Error(`storage was touched (${String(prop)})`);
      },
    },
  );
  const hub = { clients: untouchable, name: 'NoStorage', partitionCount: 4, partitionCountSource: 'default' } as unknown as TaskHub;
  const ids = { kind: 'ids', instanceIds: ['a', 'b'] } as const;

  async function rejectsWith(o: BulkActionOptions, field: string): Promise<void> {
    await assert.rejects(runBulkAction(hub, o), (e: unknown) => e instanceof ValidationError && e.field === field);
  }

  it('refuses malformed event data, a missing event name, and a bad concurrency', async () => {
    await rejectsWith({ action: { kind: 'raiseEvent', eventName: 'E', eventData: '{not json' }, target: ids }, 'event-data');
    await rejectsWith({ action: { kind: 'raiseEvent', eventName: '', eventData: null }, target: ids }, 'event-name');
    for (const concurrency of [0, 65, 2.5]) {
      await rejectsWith({ action: { kind: 'terminate' }, target: ids, concurrency }, 'concurrency');
    }
  });

  it('refuses an empty id, an unknown action and an inconsistent query', async () => {
    await rejectsWith({ action: { kind: 'terminate' }, target: { kind: 'ids', instanceIds: ['a', ''] } }, 'id');
    await rejectsWith({ action: { kind: 'explode' } as never, target: ids }, 'action');
    await rejectsWith(
      { action: { kind: 'terminate' }, target: { kind: 'query', query: { createdAfter: new Date('2025-02-01'), createdBefore: new Date('2025-01-01') } } },
      'created-after',
    );
  });

  it('refuses a purge by query that names an active status', async () => {
    await rejectsWith({ action: { kind: 'purge' }, target: { kind: 'query', query: { statuses: ['Completed', 'Running'] } } }, 'runtime-status');
  });

  it('an empty id list does nothing', async () => {
    const r = await runBulkAction(hub, { action: { kind: 'terminate' }, target: { kind: 'ids', instanceIds: [] } });
    assert.deepEqual(r, { total: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: false, rowsDeleted: 0, blobsDeleted: 0 });
  });
});
