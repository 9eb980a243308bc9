// Assertions shared by suites.
import assert from 'node:assert/strict';

/** Awaits `p`, which must reject with a `type` error; runs `check` on it and returns it. */
export async function rejects<T extends Error>(p: Promise<unknown>, type: new (...args: never[]) => T, check?: (e: T) => void): Promise<T> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof type, `expected ${type.name}, got ${(e as Error).name}: ${(e as Error).message}`);
    check?.(e);
    return e;
  }
  assert.fail(`expected ${type.name}, but it resolved`);
}
