// terminate, suspend, resume, rewind and raise-event: one message to the instance, then
// (with --wait) polling until the runtime has acted on it.
import { randomUUID } from 'node:crypto';
import { isTerminalStatus } from '../../core';
import type { ClientControlResult, ClientInstanceStatus, InstanceClient, ReasonOptions } from '../../core';
import { parseJsonValue } from '../input';
import type { CliCommand, CommandContext } from './common';
import {
  HOST_KEY_FLAG,
  ID_FLAG,
  REASON_FLAG,
  VIA_HOST_FLAG,
  WAIT_FLAG,
  YES_FLAG,
  confirm,
  openInstanceClient,
  refuseForceOverHost,
  waitFor,
  waitSeconds,
  willAsk,
} from './common';

const NOT_RUNNING_HINT = 'Messages are processed only while a function app host is running on this task hub.';
/** The host answers 202 and nothing more: what storage reports of the sent message is null then. */
const HOST_JSON_NOTE = 'With --host, --force is refused and previousStatus and queue are null in the JSON output.';

/** What was sent, for --json: the same fields over both transports. */
function sentJson(result: ClientControlResult): { instanceId: string; previousStatus: string | null; queue: string | null } {
  return { instanceId: result.instanceId, previousStatus: result.previousStatus ?? null, queue: result.queue ?? null };
}

interface WaitSpec {
  /** "terminate" → "Instance did not terminate within N seconds." */
  verb: string;
  /** "terminated" → "Successfully terminated '<id>'." */
  past: string;
  reached: (s: ClientInstanceStatus) => boolean;
  /** The instance went somewhere else for good (e.g. completed before the terminate arrived). */
  stop: (s: ClientInstanceStatus) => boolean;
}

/** Prints the outcome of --wait; returns the exit code. */
async function waitAndReport(
  ctx: CommandContext,
  client: InstanceClient,
  id: string,
  seconds: number,
  spec: WaitSpec,
  sent: Record<string, unknown>,
): Promise<number> {
  const r = await waitFor(ctx, client, id, seconds, spec.reached, spec.stop);
  if (ctx.json) {
    ctx.printJson({ ...sent, runtimeStatus: r.status.runtimeStatus, timedOut: r.timedOut });
  }
  if (r.reached) {
    if (!ctx.json) {
      ctx.out(`Successfully ${spec.past} '${id}'.${r.status.runtimeStatus === 'Terminated' || r.status.runtimeStatus === 'Suspended' ? '' : ` It is now ${r.status.runtimeStatus}.`}\n`);
    }
    return 0;
  }
  if (r.timedOut) {
    ctx.err(`error: Instance did not ${spec.verb} within ${seconds} seconds. It is ${r.status.runtimeStatus}. ${NOT_RUNNING_HINT}\n`);
  } else {
    ctx.err(`error: Instance '${id}' is ${r.status.runtimeStatus}; it did not ${spec.verb}.\n`);
  }
  return 1;
}

interface SimpleControl {
  name: string;
  summary: string;
  send: (client: InstanceClient, o: ReasonOptions) => Promise<ClientControlResult>;
  sentMessage: (id: string) => string;
  wait: WaitSpec;
  confirmAction?: (id: string) => string;
  forceHelp: string;
  examples: string[];
}

function simpleControlCommand(c: SimpleControl): CliCommand {
  return {
    name: c.name,
    summary: c.summary,
    description: `Without --wait the command returns once the message is queued. ${NOT_RUNNING_HINT}\n${HOST_JSON_NOTE}`,
    flags: [
      ID_FLAG,
      REASON_FLAG,
      WAIT_FLAG,
      { name: 'force', kind: 'boolean', description: c.forceHelp },
      ...(c.confirmAction ? [YES_FLAG] : []),
      VIA_HOST_FLAG,
      HOST_KEY_FLAG,
    ],
    examples: c.examples,
    async run(ctx) {
      const id = ctx.flags.required('id');
      const reason = ctx.flags.string('reason');
      const seconds = waitSeconds(ctx.flags);
      const opened = await openInstanceClient(ctx);
      refuseForceOverHost(ctx, opened, c.name);
      const { client } = opened;
      if (c.confirmAction) {
        // Only read the status when a question will be asked, to show it in the question
        // (and to fail on an unknown id before asking).
        const current = willAsk(ctx) ? await client.getInstance({ instanceId: id, signal: ctx.signal }) : undefined;
        const action = `${c.confirmAction(id)}${current ? `, which is ${current.runtimeStatus}` : ''}`;
        const ok = await confirm(ctx, { style: 'yn', action, whenNotInteractive: 'proceed', command: c.name });
        if (!ok) {
          return 1;
        }
      }
      const result = await c.send(client, { instanceId: id, reason: reason ?? null, force: ctx.flags.boolean('force'), signal: ctx.signal });
      const sent = sentJson(result);
      if (seconds === undefined) {
        if (ctx.json) {
          ctx.printJson(sent);
        } else {
          ctx.out(`${c.sentMessage(id)}\n`);
        }
        return 0;
      }
      if (!ctx.json) {
        ctx.out(`${c.sentMessage(id)} Waiting up to ${seconds} seconds…\n`);
      }
      return waitAndReport(ctx, client, id, seconds, c.wait, sent);
    },
  };
}

export const terminateCommand = simpleControlCommand({
  name: 'terminate',
  summary: 'Terminate a running instance.',
  send: (client, o) => client.terminateInstance(o),
  sentMessage: (id) => `Sent a termination message to instance '${id}'.`,
  wait: { verb: 'terminate', past: 'terminated', reached: (s) => s.runtimeStatus === 'Terminated', stop: (s) => isTerminalStatus(String(s.runtimeStatus)) },
  confirmAction: (id) => `terminate instance '${id}'`,
  forceHelp: 'Send even if the instance is not Running, Pending, Suspended or ContinuedAsNew.',
  examples: ['durable terminate --id 0ab8c55a66644d68a3a8b220b12d209c --reason "It was time to be done." --wait'],
});

export const suspendCommand = simpleControlCommand({
  name: 'suspend',
  summary: 'Suspend a running instance.',
  send: (client, o) => client.suspendInstance(o),
  sentMessage: (id) => `Sent a suspend message to instance '${id}'.`,
  wait: { verb: 'suspend', past: 'suspended', reached: (s) => s.runtimeStatus === 'Suspended', stop: (s) => isTerminalStatus(String(s.runtimeStatus)) },
  forceHelp: 'Send even if the instance is not Running, Pending or ContinuedAsNew.',
  examples: ['durable suspend --id order-42 --reason "Waiting for stock" --wait 60'],
});

export const resumeCommand = simpleControlCommand({
  name: 'resume',
  summary: 'Resume a suspended instance.',
  send: (client, o) => client.resumeInstance(o),
  sentMessage: (id) => `Sent a resume message to instance '${id}'.`,
  // Resumed = no longer Suspended; it may well have completed by the time we look.
  wait: { verb: 'resume', past: 'resumed', reached: (s) => s.runtimeStatus !== 'Suspended', stop: () => false },
  forceHelp: 'Send even if the instance is not Suspended.',
  examples: ['durable resume --id order-42 --wait'],
});

export const rewindCommand: CliCommand = {
  name: 'rewind',
  summary: 'Rewind a failed instance so its failed steps run again.',
  description:
    'Rewrites the failed steps of the latest execution (and of failed sub-orchestrations) and sends the ' +
    `instance a message to replay. ${NOT_RUNNING_HINT}\n` +
    'With --host, the host rewinds it: --force is refused, and the JSON output has the instance id only (the other fields null).',
  flags: [
    ID_FLAG,
    REASON_FLAG,
    WAIT_FLAG,
    { name: 'force', kind: 'boolean', description: 'Rewind even if the instance is not Failed.' },
    YES_FLAG,
    VIA_HOST_FLAG,
    HOST_KEY_FLAG,
  ],
  examples: ['durable rewind --id 0ab8c55a66644d68a3a8b220b12d209c --reason "Orchestrator failed and needs to be revived."'],
  async run(ctx) {
    const id = ctx.flags.required('id');
    const reason = ctx.flags.string('reason');
    const seconds = waitSeconds(ctx.flags);
    const opened = await openInstanceClient(ctx);
    refuseForceOverHost(ctx, opened, 'rewind');
    const { client } = opened;
    const before = await client.getInstance({ instanceId: id, signal: ctx.signal });
    const ok = await confirm(ctx, {
      style: 'yn',
      action: `rewind instance '${id}', which is ${before.runtimeStatus}`,
      whenNotInteractive: 'proceed',
      command: 'rewind',
    });
    if (!ok) {
      return 1;
    }
    const rewound = await client.rewindInstance({ instanceId: id, reason: reason ?? null, force: ctx.flags.boolean('force'), signal: ctx.signal });
    // Storage's fields in storage's order; the host reports none of them.
    const result = {
      instanceId: rewound.instanceId,
      previousStatus: rewound.previousStatus ?? null,
      rewoundInstanceIds: rewound.rewoundInstanceIds ?? null,
      messagedInstanceIds: rewound.messagedInstanceIds ?? null,
      rowsRewritten: rewound.rowsRewritten ?? null,
    };
    const others = (result.rewoundInstanceIds ?? []).filter((x) => x !== id);
    const sentText =
      `Rewind message sent to instance '${id}'.` + (others.length > 0 ? ` Failed sub-orchestrations rewound too: ${others.join(', ')}.` : '');
    if (seconds === undefined) {
      if (ctx.json) {
        ctx.printJson(result);
      } else {
        ctx.out(`${sentText}\n`);
      }
      return 0;
    }
    if (!ctx.json) {
      ctx.out(`${sentText} Waiting up to ${seconds} seconds…\n`);
    }
    // Rewind leaves the instance Pending; it is rewound once the runtime has replayed it. If it
    // is Failed again with a new update time, it failed again.
    return waitAndReport(
      ctx,
      client,
      id,
      seconds,
      {
        verb: 'rewind',
        past: 'rewound',
        reached: (s) => s.runtimeStatus !== 'Failed' && s.runtimeStatus !== 'Pending',
        stop: (s) => s.runtimeStatus === 'Failed' && s.lastUpdatedTime !== before.lastUpdatedTime,
      },
      { ...result },
    );
  },
};

export const raiseEventCommand: CliCommand = {
  name: 'raise-event',
  summary: 'Send an external event to an instance.',
  description:
    '--event-data: JSON is sent as is (compacted); any other text is sent as a JSON string, but text starting ' +
    'with {, [ or " must be valid JSON and blank text is refused; @path reads a UTF-8 JSON file.\n' +
    'The instance receives the event only if it waits for one with this name.\n' +
    HOST_JSON_NOTE,
  flags: [
    ID_FLAG,
    { name: 'event-name', kind: 'string', value: 'NAME', description: 'Event name (default: Event_<new GUID>).' },
    { name: 'event-data', kind: 'string', value: 'VALUE', description: 'Event data: JSON, text (sent as a JSON string) or @file.json.' },
    { name: 'force', kind: 'boolean', description: 'Send even if the instance is not Running, Pending, Suspended or ContinuedAsNew.' },
    VIA_HOST_FLAG,
    HOST_KEY_FLAG,
  ],
  examples: [
    'durable raise-event --id 0ab8c55a66644d68a3a8b220b12d209c --event-name MyEvent --event-data @eventdata.json',
    'durable raise-event --id 1234567 --event-name MyOtherEvent --event-data 3',
  ],
  async run(ctx) {
    const id = ctx.flags.required('id');
    const eventName = ctx.flags.string('event-name') ?? `Event_${randomUUID().replace(/-/g, '')}`;
    const dataText = ctx.flags.string('event-data');
    const eventData = dataText === undefined ? null : parseJsonValue(dataText, 'event-data', ctx.io.cwd);
    const opened = await openInstanceClient(ctx);
    refuseForceOverHost(ctx, opened, 'raise-event');
    const result = sentJson(await opened.client.raiseEvent({ instanceId: id, eventName, eventData, force: ctx.flags.boolean('force'), signal: ctx.signal }));
    if (ctx.json) {
      ctx.printJson({ instanceId: result.instanceId, eventName, previousStatus: result.previousStatus, queue: result.queue });
    } else {
      ctx.out(`Raised event '${eventName}' to instance '${id}'.\n`);
    }
    return 0;
  },
};
