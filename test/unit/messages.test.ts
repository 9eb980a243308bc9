import assert from 'node:assert/strict';
import {
  buildMessage,
  decodeQueueBody,
  encodeQueueBody,
  eventRaisedEvent,
  executionResumedEvent,
  executionStartedEvent,
  executionSuspendedEvent,
  executionTerminatedEvent,
  genericEvent,
  largeMessageBlobName,
  largeMessageWrapper,
  needsOffload,
} from '../../src/core/format/messages';

const ACTIVITY = '3d1a5c6e-0b7f-4b0e-9a51-2f2d1c7e9b10';
const TS = new Date('2025-06-01T08:00:00.123Z');

/** Asserts `$type` is the first key of every object except Sender and dictionaries (Tags). */
function assertTypeFirst(value: unknown, path = '$'): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertTypeFirst(v, `${path}[${i}]`));
    return;
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    const exempt = path.endsWith('.Sender') || path.endsWith('.Tags');
    if (exempt) {
      assert.ok(!keys.includes('$type'), `${path} must not carry $type`);
    } else {
      assert.equal(keys[0], '$type', `${path} must start with $type`);
    }
    for (const [k, v] of Object.entries(value)) {
      assertTypeFirst(v, `${path}.${k}`);
    }
  }
}

describe('queue messages (MessageData)', () => {
  it('builds ExecutionStarted exactly as the reference wire example', () => {
    const event = executionStartedEvent({
      instance: { instanceId: 'order-42', executionId: '9c0e4d7b2f3a4c19b8a6e5d4c3b2a190' },
      name: 'ProcessOrder',
      input: '{"id":42}',
      generation: 0,
      timestamp: TS,
    });
    const message = buildMessage({ instanceId: 'order-42', executionId: '9c0e4d7b2f3a4c19b8a6e5d4c3b2a190' }, event, ACTIVITY);
    const parsed = JSON.parse(message.json) as Record<string, unknown>;
    // SequenceNumber is a per-process counter: check it, then pin it for the golden comparison.
    assert.equal(typeof parsed.SequenceNumber, 'number');
    const golden =
      '{"$type":"DurableTask.AzureStorage.MessageData","ActivityId":"3d1a5c6e-0b7f-4b0e-9a51-2f2d1c7e9b10",' +
      '"TaskMessage":{"$type":"DurableTask.Core.TaskMessage","Event":{"$type":"DurableTask.Core.History.ExecutionStartedEvent",' +
      '"OrchestrationInstance":{"$type":"DurableTask.Core.OrchestrationInstance","InstanceId":"order-42","ExecutionId":"9c0e4d7b2f3a4c19b8a6e5d4c3b2a190"},' +
      '"EventType":0,"ParentInstance":null,"Name":"ProcessOrder","Version":"","Input":"{\\"id\\":42}","Tags":null,"Correlation":null,' +
      '"ParentTraceContext":null,"ScheduledStartTime":null,"Generation":0,"GenerateNewTrace":false,"EventId":-1,"IsPlayed":false,' +
      '"Timestamp":"2025-06-01T08:00:00.123Z"},"SequenceNumber":0,' +
      '"OrchestrationInstance":{"$type":"DurableTask.Core.OrchestrationInstance","InstanceId":"order-42","ExecutionId":"9c0e4d7b2f3a4c19b8a6e5d4c3b2a190"},' +
      '"OrchestrationExecutionContext":null},"CompressedBlobName":null,"SequenceNumber":SEQ,' +
      '"Sender":{"InstanceId":"","ExecutionId":""},"SerializableTraceContext":null}';
    assert.equal(message.json, golden.replace('SEQ', String(parsed.SequenceNumber)));
    assertTypeFirst(parsed);
    assert.ok(!('Episode' in parsed), 'Episode is omitted for client messages');
  });

  it('emits Tags as a plain dictionary and ScheduledStartTime as ISO', () => {
    const event = executionStartedEvent({
      instance: { instanceId: 'x', executionId: 'e' },
      name: 'N',
      input: null,
      tags: { env: 'dev' },
      scheduledStartTime: new Date('2030-01-01T00:00:00Z'),
      generation: 2,
      timestamp: TS,
    });
    const json = JSON.parse(buildMessage({ instanceId: 'x', executionId: 'e' }, event).json);
    assertTypeFirst(json);
    assert.deepEqual(json.TaskMessage.Event.Tags, { env: 'dev' });
    assert.equal(json.TaskMessage.Event.ScheduledStartTime, '2030-01-01T00:00:00.000Z');
    assert.equal(json.TaskMessage.Event.Generation, 2);
    assert.equal(json.TaskMessage.Event.Input, null);
  });

  const management: [string, ReturnType<typeof eventRaisedEvent>, string, number][] = [
    [
      'EventRaised',
      eventRaisedEvent('Approval', 'true', TS),
      '{"$type":"DurableTask.Core.History.EventRaisedEvent","EventType":15,"Name":"Approval","Input":"true","ParentTraceContext":null,"EventId":-1,"IsPlayed":false,"Timestamp":"2025-06-01T08:00:00.123Z"}',
      15,
    ],
    [
      'ExecutionTerminated',
      executionTerminatedEvent('stopped by user', TS),
      '{"$type":"DurableTask.Core.History.ExecutionTerminatedEvent","EventType":3,"Input":"stopped by user","EventId":-1,"IsPlayed":false,"Timestamp":"2025-06-01T08:00:00.123Z"}',
      3,
    ],
    [
      'ExecutionSuspended',
      executionSuspendedEvent('maintenance', TS),
      '{"$type":"DurableTask.Core.History.ExecutionSuspendedEvent","EventType":19,"Reason":"maintenance","EventId":-1,"IsPlayed":false,"Timestamp":"2025-06-01T08:00:00.123Z"}',
      19,
    ],
    [
      'ExecutionResumed',
      executionResumedEvent(null, TS),
      '{"$type":"DurableTask.Core.History.ExecutionResumedEvent","EventType":20,"Reason":null,"EventId":-1,"IsPlayed":false,"Timestamp":"2025-06-01T08:00:00.123Z"}',
      20,
    ],
    [
      'GenericEvent',
      genericEvent('retry after fix', TS),
      '{"$type":"DurableTask.Core.History.GenericEvent","Data":"retry after fix","EventType":17,"EventId":-1,"IsPlayed":false,"Timestamp":"2025-06-01T08:00:00.123Z"}',
      17,
    ],
  ];
  for (const [name, event, goldenEvent, number] of management) {
    it(`builds ${name} with the golden event JSON, integer EventType ${number} and a null ExecutionId`, () => {
      const message = buildMessage({ instanceId: 'order-42', executionId: null }, event, ACTIVITY);
      const parsed = JSON.parse(message.json);
      assert.equal(JSON.stringify(parsed.TaskMessage.Event), goldenEvent);
      assert.equal(parsed.TaskMessage.Event.EventType, number);
      assert.deepEqual(parsed.TaskMessage.OrchestrationInstance, {
        $type: 'DurableTask.Core.OrchestrationInstance',
        InstanceId: 'order-42',
        ExecutionId: null,
      });
      assert.deepEqual(parsed.Sender, { InstanceId: '', ExecutionId: '' });
      assertTypeFirst(parsed);
    });
  }

  it('numbers messages with an increasing SequenceNumber', () => {
    const a = JSON.parse(buildMessage({ instanceId: 'a', executionId: null }, genericEvent(null, TS)).json);
    const b = JSON.parse(buildMessage({ instanceId: 'a', executionId: null }, genericEvent(null, TS)).json);
    assert.ok(b.SequenceNumber > a.SequenceNumber);
  });

  it('offloads over 45 KB with the runtime blob name and wrapper', () => {
    const big = executionStartedEvent({ instance: { instanceId: 'big/one', executionId: 'e' }, name: 'N', input: JSON.stringify('x'.repeat(50_000)), generation: 0, timestamp: TS });
    const message = buildMessage({ instanceId: 'big/one', executionId: 'e' }, big, ACTIVITY);
    assert.ok(needsOffload(message.json));
    assert.ok(!needsOffload(buildMessage({ instanceId: 'a', executionId: null }, genericEvent('x'.repeat(1000), TS)).json));
    const blobName = largeMessageBlobName(message);
    assert.equal(blobName, 'big/one/message-3d1a5c6e0b7f4b0e9a512f2d1c7e9b10-ExecutionStarted.json.gz');
    assert.equal(
      largeMessageWrapper(blobName),
      '{"$type":"DurableTask.AzureStorage.MessageData","ActivityId":"00000000-0000-0000-0000-000000000000","TaskMessage":null,' +
        '"CompressedBlobName":"big/one/message-3d1a5c6e0b7f4b0e9a512f2d1c7e9b10-ExecutionStarted.json.gz","SequenceNumber":0,"SerializableTraceContext":null}',
    );
  });

  it('encodes bodies as Base64 of UTF-8 and decodes either encoding', () => {
    const json = '{"$type":"x","v":"héllo"}';
    const body = encodeQueueBody(json);
    assert.equal(body, Buffer.from(json, 'utf8').toString('base64'));
    assert.equal(decodeQueueBody(body), json);
    assert.equal(decodeQueueBody(json), json);
  });
});
