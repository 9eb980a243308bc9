// restart: start the same orchestrator again with the same input, under the same id or a new one.
import { ACTIVE_STATUSES, getInstance, restartInstance } from '../../core';
import type { RuntimeStatus } from '../../core';
import type { CliCommand } from './common';
import { ID_FLAG, YES_FLAG, confirm, openHub } from './common';

export const restartCommand: CliCommand = {
  name: 'restart',
  summary: 'Start an instance again with the same orchestrator and input.',
  flags: [
    ID_FLAG,
    { name: 'new-id', kind: 'optional', value: 'ID', description: 'Restart under a new id: this one, or a new GUID when no value is given.' },
    { name: 'force', kind: 'boolean', description: 'Restart under the same id even if the instance is still active (asks first).' },
    YES_FLAG,
  ],
  examples: ['durable restart --id order-42', 'durable restart --id order-42 --new-id', 'durable restart --id order-42 --new-id order-42-retry'],
  async run(ctx) {
    const id = ctx.flags.required('id');
    const newId = ctx.flags.optional('new-id');
    const force = ctx.flags.boolean('force');
    const { hub } = await openHub(ctx);
    if (force && newId === undefined) {
      const existing = await getInstance(hub, id, {}, { signal: ctx.signal });
      if (ACTIVE_STATUSES.includes(existing.runtimeStatus as RuntimeStatus)) {
        const ok = await confirm(ctx, {
          style: 'yn',
          action: `overwrite instance '${id}', which is ${existing.runtimeStatus}`,
          whenNotInteractive: 'proceed',
          command: 'restart',
        });
        if (!ok) {
          return 1;
        }
      }
    }
    const result = await restartInstance(hub, {
      instanceId: id,
      ...(newId !== undefined ? { newInstanceId: newId } : {}),
      force,
      signal: ctx.signal,
    });
    if (ctx.json) {
      ctx.printJson(result);
    } else {
      ctx.out(
        result.instanceId === id
          ? `Restarted '${id}' at ${result.createdTime}.\n`
          : `Restarted '${id}' as '${result.instanceId}' at ${result.createdTime}.\n`,
      );
    }
    return 0;
  },
};
