// ConnectionRecovery: probes until the storage answers, then recovers once; cancel and a new
// schedule stop the old probes. Short real delays; the assertions are on counts and order only.
import assert from 'node:assert/strict';
import { ConnectionRecovery } from '../../src/extension/tree/recovery';

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('ConnectionRecovery', () => {
  it('probes until a probe succeeds, then calls recovered exactly once', async () => {
    const r = new ConnectionRecovery({ initialDelayMs: 2, maxDelayMs: 8 });
    let probes = 0;
    let recovered = 0;
    r.schedule('a', async () => {
      probes++;
      if (probes < 3) {
        throw new Error('still down');
      }
    }, () => recovered++);
    assert.ok(r.isScheduled('a'));
    for (let i = 0; i < 100 && recovered === 0; i++) {
      await tick(5);
    }
    assert.equal(probes, 3);
    assert.equal(recovered, 1);
    assert.equal(r.isScheduled('a'), false);
    await tick(30);
    assert.equal(probes, 3, 'no probe after recovery');
  });

  it('cancel stops probing, and aborts a probe in flight', async () => {
    const r = new ConnectionRecovery({ initialDelayMs: 2 });
    let aborted = false;
    let recovered = 0;
    r.schedule('b', (signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => {
      aborted = true;
      reject(new Error('aborted'));
    })), () => recovered++);
    await tick(20);
    r.cancel('b');
    await tick(20);
    assert.equal(aborted, true);
    assert.equal(recovered, 0);
    assert.equal(r.isScheduled('b'), false);
  });

  it('a probe that hangs counts as failed after the timeout, and probing goes on', async () => {
    const r = new ConnectionRecovery({ initialDelayMs: 2, maxDelayMs: 4, probeTimeoutMs: 10 });
    let probes = 0;
    let recovered = 0;
    r.schedule('c', (signal) => {
      probes++;
      return probes === 1 ? new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('timeout')))) : Promise.resolve();
    }, () => recovered++);
    for (let i = 0; i < 100 && recovered === 0; i++) {
      await tick(5);
    }
    assert.equal(probes, 2);
    assert.equal(recovered, 1);
    r.dispose();
  });
});
