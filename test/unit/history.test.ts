import assert from 'node:assert/strict';
import { historyEventFromServiceEntity, historyRowFromServiceEntity, toHistoryEvent } from '../../src/core/history';
import { toInstanceStatus } from '../../src/core/instances';
import { normalizeRow } from '../../src/core/storage/rows';
import { parseStoredValue } from '../../src/core/values';

/** A row as `listEntities(..., { disableTypeConversion: true })` returns it. */
function raw(partitionKey: string, rowKey: string, columns: Record<string, [string, string]>): Record<string, unknown> {
  const entity: Record<string, unknown> = { partitionKey, rowKey, etag: 'W/"x"', 'odata.metadata': 'ignored' };
  for (const [name, [type, value]] of Object.entries(columns)) {
    entity[name] = { type, value };
  }
  return entity;
}

describe('row normalization', () => {
  it('keeps DateTime text with its 100-ns digits and types numbers and booleans', () => {
    const row = normalizeRow(
      raw('p', 'r', {
        _Timestamp: ['DateTime', '2023-03-24T20:53:05.9093518Z'],
        EventId: ['Int32', '-1'],
        Big: ['Int64', '9007199254740993'],
        Small: ['Int64', '42'],
        IsPlayed: ['Boolean', 'false'],
        Name: ['String', 'x'],
      }),
    );
    assert.equal(row.columns._Timestamp, '2023-03-24T20:53:05.9093518Z');
    assert.equal(row.columns.EventId, -1);
    assert.equal(row.columns.Big, '9007199254740993', 'unsafe Int64 stays exact as text');
    assert.equal(row.columns.Small, 42);
    assert.equal(row.columns.IsPlayed, false);
    assert.ok(!('odata.metadata' in row.columns));
    assert.equal(row.types._Timestamp, 'DateTime');
  });
});

describe('history events from rows of every runtime version', () => {
  it('reads a current (v2) TaskFailed row with "null" JSON columns and FailureDetails', () => {
    const event = toHistoryEvent(
      normalizeRow(
        raw('inst', '0000000000000005', {
          EventType: ['String', 'TaskFailed'],
          EventId: ['Int32', '3'],
          IsPlayed: ['Boolean', 'false'],
          _Timestamp: ['DateTime', '2024-05-01T10:00:00.1234567Z'],
          ExecutionId: ['String', 'abc'],
          TaskScheduledId: ['Int32', '2'],
          Reason: ['String', 'boom'],
          Details: ['String', 'stack'],
          FailureDetails: ['String', '{"ErrorType":"System.Exception","ErrorMessage":"boom","StackTrace":null,"InnerFailure":null,"IsNonRetriable":false,"Properties":null}'],
          ParentTraceContext: ['String', 'null'],
        }),
      ),
    );
    assert.equal(event.EventType, 'TaskFailed');
    assert.equal(event.EventId, 3);
    assert.equal(event.Timestamp, '2024-05-01T10:00:00.1234567Z');
    assert.equal(event.TaskScheduledId, 2);
    assert.deepEqual((event.FailureDetails as Record<string, unknown>).ErrorMessage, 'boom');
    assert.equal(event.ParentTraceContext, null);
    assert.ok(!('ExecutionId' in event) && !('_Timestamp' in event));
  });

  it('reads a v1 row where JSON-typed nulls are absent columns', () => {
    const event = toHistoryEvent(
      normalizeRow(
        raw('inst', '0000000000000000', {
          EventType: ['String', 'ExecutionStarted'],
          EventId: ['Int32', '-1'],
          _Timestamp: ['DateTime', '2019-01-01T00:00:00Z'],
          OrchestrationInstance: ['String', '{"InstanceId":"inst","ExecutionId":"e1"}'],
          Name: ['String', 'Hello'],
          Input: ['String', '"world"'],
        }),
      ),
    );
    assert.equal(event.EventType, 'ExecutionStarted');
    assert.deepEqual(event.OrchestrationInstance, { InstanceId: 'inst', ExecutionId: 'e1' });
    assert.equal(event.Input, '"world"', 'payload columns stay the stored JSON text');
    assert.ok(!('ParentInstance' in event));
  });

  it('reads a rewound row: GenericEvent with the original columns and a Reason', () => {
    const event = toHistoryEvent(
      normalizeRow(
        raw('inst', '0000000000000004', {
          EventType: ['String', 'GenericEvent'],
          EventId: ['Int32', '2'],
          _Timestamp: ['DateTime', '2024-05-01T10:00:00Z'],
          Name: ['String', 'Charge'],
          Input: ['String', '{}'],
          Reason: ['String', 'Rewound: TaskScheduled'],
        }),
      ),
    );
    assert.equal(event.EventType, 'GenericEvent');
    assert.equal(event.Reason, 'Rewound: TaskScheduled');
    assert.equal(event.Name, 'Charge');
  });

  it('drops *BlobName columns (their content is inlined before conversion)', () => {
    const event = toHistoryEvent(
      normalizeRow(
        raw('inst', '0000000000000002', {
          EventType: ['String', 'TaskCompleted'],
          EventId: ['Int32', '-1'],
          Result: ['String', '"inlined"'],
          ResultBlobName: ['String', 'inst/history-0000000000000002-TaskCompleted-0A0B0C0D-Result.json.gz'],
        }),
      ),
    );
    assert.equal(event.Result, '"inlined"');
    assert.ok(!('ResultBlobName' in event));
    assert.equal(event.Timestamp, null);
  });
});

describe('instance status from Instances rows', () => {
  it('maps a current row to the HTTP API names', () => {
    const status = toInstanceStatus(
      normalizeRow(
        raw('order^042', '', {
          Name: ['String', 'ProcessOrder'],
          RuntimeStatus: ['String', 'Completed'],
          CreatedTime: ['DateTime', '2024-05-01T10:00:00.1234567Z'],
          LastUpdatedTime: ['DateTime', '2024-05-01T10:00:05Z'],
          CompletedTime: ['DateTime', '2024-05-01T10:00:05Z'],
          Input: ['String', '{"id":42}'],
          Output: ['String', 'not json'],
          CustomStatus: ['String', 'null'],
          ExecutionId: ['String', 'e1'],
          Generation: ['Int32', '3'],
          Tags: ['String', '{"env":"dev"}'],
        }),
      ),
      { showInput: true, showOutput: true },
    );
    assert.equal(status.instanceId, 'order/42');
    assert.equal(status.runtimeStatus, 'Completed');
    assert.deepEqual(status.input, { id: 42 });
    assert.equal(status.output, 'not json');
    assert.equal(status.customStatus, null);
    assert.equal(status.generation, 3);
    assert.deepEqual(status.tags, { env: 'dev' });
    assert.equal(status.createdTime, '2024-05-01T10:00:00.1234567Z');
  });

  it('tolerates a pre-1.8 row with no ExecutionId, Generation, Tags or CustomStatus', () => {
    const status = toInstanceStatus(
      normalizeRow(raw('old', '', { Name: ['String', 'Legacy'], RuntimeStatus: ['String', 'Running'], CreatedTime: ['DateTime', '2018-12-01T00:00:00Z'] })),
    );
    assert.equal(status.executionId, null);
    assert.equal(status.generation, 0);
    assert.equal(status.tags, null);
    assert.equal(status.customStatus, null);
    assert.ok(!('input' in status), 'input is left out unless asked for');
  });

  it('parses stored values: JSON, raw text, "null"', () => {
    assert.equal(parseStoredValue('null'), null);
    assert.equal(parseStoredValue(undefined), null);
    assert.deepEqual(parseStoredValue('[1,2]'), [1, 2]);
    assert.equal(parseStoredValue('"s"'), 's');
    assert.equal(parseStoredValue('plain reason'), 'plain reason');
  });
});

describe('history events from the service JSON (the reader\'s fast path)', () => {
  // Entities of a History page as the service sends them (JSON, minimal metadata): typed values
  // other than strings, Int32, booleans and Doubles carry a `<column>@odata.type` annotation.
  const wire: Record<string, unknown>[] = [
    {
      'odata.etag': 'W/"datetime\'2024-05-01T10%3A00%3A00.1234567Z\'"',
      PartitionKey: 'inst',
      RowKey: '0000000000000005',
      Timestamp: '2024-05-01T10:00:00.1234567Z',
      'Timestamp@odata.type': 'Edm.DateTime',
      EventType: 'TaskFailed',
      EventId: 3,
      IsPlayed: false,
      _Timestamp: '2024-05-01T10:00:00.1234567Z',
      '_Timestamp@odata.type': 'Edm.DateTime',
      ExecutionId: 'abc',
      TaskScheduledId: 2,
      Reason: 'boom',
      FailureDetails: '{"ErrorType":"System.Exception","ErrorMessage":"boom"}',
      ParentTraceContext: 'null',
      Big: '9007199254740993',
      'Big@odata.type': 'Edm.Int64',
      Small: '42',
      'Small@odata.type': 'Edm.Int64',
      Ratio: 0.5,
      Whole: 2,
      'Whole@odata.type': 'Edm.Double',
      Nan: 'NaN',
      'Nan@odata.type': 'Edm.Double',
      Id: 'c9b1a4c2-1b0e-4c1a-9f1d-1b2c3d4e5f60',
      'Id@odata.type': 'Edm.Guid',
      Bytes: 'AAEC',
      'Bytes@odata.type': 'Edm.Binary',
      FireAt: '2024-05-01T11:00:00Z',
      'FireAt@odata.type': 'Edm.DateTime',
      Missing: null,
    },
    {
      'odata.etag': 'W/"x"',
      PartitionKey: 'inst',
      RowKey: '0000000000000006',
      EventType: 'TaskCompleted',
      EventId: -1,
      _Timestamp: '2024-05-01T10:00:01Z',
      '_Timestamp@odata.type': 'Edm.DateTime',
      ExecutionId: 'abc',
      Result: '',
      ResultBlobName: 'inst/history-0000000000000006-TaskCompleted-00000002-Result.json.gz',
    },
  ];

  /** What the SDK's `disableTypeConversion` read gives for the same entity (its deserializer's rules). */
  function typed(entity: Record<string, unknown>): Record<string, unknown> {
    const renamed: Record<string, string> = { PartitionKey: 'partitionKey', RowKey: 'rowKey', 'odata.etag': 'etag', Timestamp: 'timestamp' };
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(entity)) {
      if (key.includes('@odata.type')) {
        continue;
      }
      const name = renamed[key] ?? key;
      const edm = entity[`${key}@odata.type`];
      if (typeof edm === 'string') {
        out[name] = { value, type: edm.slice(4) };
      } else if (renamed[key] || value === null || typeof value === 'object') {
        out[name] = value;
      } else {
        out[name] = { value: String(value), type: typeof value === 'string' ? 'String' : typeof value === 'boolean' ? 'Boolean' : Number.isSafeInteger(value) ? 'Int32' : 'Double' };
      }
    }
    return out;
  }

  it('gives the same events as the typed read normalized, DateTime and Int64 exact', () => {
    for (const entity of wire) {
      assert.deepEqual(historyEventFromServiceEntity(entity), toHistoryEvent(normalizeRow(typed(entity))));
      assert.deepEqual(historyRowFromServiceEntity(entity), normalizeRow(typed(entity)));
    }
    const event = historyEventFromServiceEntity(wire[0]);
    assert.equal(event.Timestamp, '2024-05-01T10:00:00.1234567Z');
    assert.equal(event.Big, '9007199254740993');
    assert.equal(event.Small, 42);
    assert.ok(Number.isNaN(event.Nan));
    assert.deepEqual(Object.keys(event).slice(0, 3), ['EventType', 'EventId', 'Timestamp']);
    assert.ok(!('ResultBlobName' in historyEventFromServiceEntity(wire[1])));
  });
});
