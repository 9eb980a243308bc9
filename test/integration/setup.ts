// Root hooks for the integration suite: one real Azurite (in-process, in-memory, free loopback
// ports) for the whole run. Tests isolate themselves by using their own task hub names.
import { startAzurite } from '../../tools/azurite';
import type { RunningAzurite } from '../../tools/azurite';

let azurite: RunningAzurite | undefined;

export function sharedAzurite(): RunningAzurite {
  if (!azurite) {
    throw new Error('Azurite is not running: the integration setup hooks did not run.');
  }
  return azurite;
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    azurite = await startAzurite();
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    await azurite?.stop();
    azurite = undefined;
  },
};
