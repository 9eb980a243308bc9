// restart: start the same orchestrator again with the same input, under the same id or a new one.
import { ACTIVE_STATUSES } from '../../core';
import type { RuntimeStatus } from '../../core';
import type { CliCommand } from './common';
import { HOST_KEY_FLAG, ID_FLAG, VIA_HOST_FLAG, YES_FLAG, confirm, openInstanceClient, refuseForceOverHost } from './common';

export const restartCommand: CliCommand = {
  name: 'restart',
  summary: 'Start an instance again with the same orchestrator and input.',
  description:
    'With --host, the host restarts it under the same id or (--new-id alone) a new GUID; --force and --new-id ID are refused, ' +
    'and executionId and createdTime are null in the JSON output.',
  flags: [
    ID_FLAG,
    { name: 'new-id', kind: 'optional', value: 'ID', description: 'Restart under a new id: this one, or a new GUID when no value is given.' },
    { name: 'force', kind: 'boolean', description: 'Restart under the same id even if the instance is still active (asks first).' },
    YES_FLAG,
    VIA_HOST_FLAG,
    HOST_KEY_FLAG,
  ],
  examples: ['durable restart --id order-42', 'durable restart --id order-42 --new-id', 'durable restart --id order-42 --new-id order-42-retry'],
  async run(ctx) {
    const id = ctx.flags.required('id');
    const newId = ctx.flags.optional('new-id');
    const force = ctx.flags.boolean('force');
    const opened = await openInstanceClient(ctx);
    refuseForceOverHost(ctx, opened, 'restart');
    const { client } = opened;
    if (force && newId === undefined) {
      const existing = await client.getInstance({ instanceId: id, signal: ctx.signal });
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
    const restarted = await client.restartInstance({
      instanceId: id,
      ...(newId !== undefined ? { newInstanceId: newId } : {}),
      force,
      signal: ctx.signal,
    });
    // Storage's fields in storage's order; the host answers with the new id only.
    const result = {
      instanceId: restarted.instanceId,
      executionId: restarted.executionId ?? null,
      restartedFrom: restarted.restartedFrom,
      createdTime: restarted.createdTime ?? null,
    };
    if (ctx.json) {
      ctx.printJson(result);
    } else {
      const at = result.createdTime === null ? '' : ` at ${result.createdTime}`;
      ctx.out(result.instanceId === id ? `Restarted '${id}'${at}.\n` : `Restarted '${id}' as '${result.instanceId}'${at}.\n`);
    }
    return 0;
  },
};
