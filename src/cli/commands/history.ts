// get-history: the current execution's history, read page by page and printed as it arrives
// (a 10,000-event history is never held whole, in text or in JSON).
import type { HistoryEvent, JsonValue } from '../../core';
import { parseInteger } from '../input';
import type { TableColumn } from '../output';
import { JsonObjectWriter, StreamingTable, formatTime, shortValue, truncate } from '../output';
import type { CliCommand } from './common';
import { HOST_KEY_FLAG, ID_FLAG, VIA_HOST_FLAG, openInstanceClient } from './common';

export const HISTORY_COLUMNS: readonly TableColumn[] = [
  { header: 'TIME' },
  { header: 'ID', align: 'right' },
  { header: 'TYPE' },
  { header: 'NAME' },
  { header: 'DETAIL' },
];

function failureMessage(details: JsonValue | undefined): string | undefined {
  if (details && typeof details === 'object' && !Array.isArray(details)) {
    const message = details.ErrorMessage;
    const type = details.ErrorType;
    if (typeof message === 'string') {
      return typeof type === 'string' && type ? `${type}: ${message}` : message;
    }
  }
  return undefined;
}

/** The short detail of an event: the columns that say what happened, in a fixed order. */
export function historyDetail(e: HistoryEvent, max = 80): string {
  const parts: string[] = [];
  const add = (label: string, value: JsonValue | undefined, width = 40): void => {
    if (value !== undefined && value !== null && value !== '') {
      parts.push(`${label}${shortValue(value, width)}`);
    }
  };
  add('task #', e.TaskScheduledId);
  add('timer #', e.TimerId);
  add('instance ', e.InstanceId);
  if (e.OrchestrationStatus !== undefined) {
    add('', e.OrchestrationStatus);
  }
  add('fire at ', typeof e.FireAt === 'string' ? formatTime(e.FireAt) : e.FireAt);
  const failure = failureMessage(e.FailureDetails);
  add('reason ', e.Reason);
  add('details ', failure ?? e.Details);
  // ExecutionTerminated keeps its reason in Input.
  add(e.EventType === 'ExecutionTerminated' ? 'reason ' : 'input ', e.Input);
  add('result ', e.Result);
  add('data ', e.Data);
  return truncate(parts.join('; '), max);
}

export function historyRow(e: HistoryEvent): string[] {
  return [
    formatTime(e.Timestamp, 'ms'),
    e.EventId === -1 || e.EventId === undefined ? '' : String(e.EventId),
    String(e.EventType),
    typeof e.Name === 'string' ? truncate(e.Name, 40) : '',
    historyDetail(e),
  ];
}

export const getHistoryCommand: CliCommand = {
  name: 'get-history',
  summary: "Show an instance's history (current execution).",
  description:
    'Events are printed as they are read. With --json the output is {"instanceId","executionId","historyEvents":[...]}, streamed.\n' +
    'With --host, the history is the one the host\'s status API returns: scheduling events folded into their completions, ' +
    'no event ids, and executionId null.',
  flags: [ID_FLAG, { name: 'page-size', kind: 'string', value: 'N', description: 'Events read per request, 1 to 1000 (default 500).' }, VIA_HOST_FLAG, HOST_KEY_FLAG],
  examples: ['durable get-history --id 0ab8c55a66644d68a3a8b220b12d209c', 'durable get-history --id order-42 --json > history.json'],
  async run(ctx) {
    const id = ctx.flags.required('id');
    const sizeText = ctx.flags.string('page-size');
    const pageSize = sizeText === undefined ? 500 : parseInteger(sizeText, 'page-size', 1, 1000);
    const { client } = await openInstanceClient(ctx);

    let page = await client.readHistory({ instanceId: id, pageSize, signal: ctx.signal });
    const writer = ctx.json ? new JsonObjectWriter(ctx.out).field('instanceId', page.instanceId).field('executionId', page.executionId).beginArray('historyEvents') : undefined;
    const table = ctx.json ? undefined : new StreamingTable(ctx.out, HISTORY_COLUMNS, 200);
    for (;;) {
      for (const event of page.events) {
        if (writer) {
          writer.item(event);
        } else {
          table?.add(historyRow(event));
        }
      }
      if (!page.continuationToken) {
        break;
      }
      page = await client.readHistory({ instanceId: id, pageSize, continuationToken: page.continuationToken, signal: ctx.signal });
    }
    if (writer) {
      writer.endArray().end();
    } else if (table && table.end() === 0) {
      ctx.out(`Instance '${id}' has no history events yet.\n`);
    }
    return 0;
  },
};
