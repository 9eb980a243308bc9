// The local worker: plays the Durable Functions runtime for the sample function app against the
// task hubs of one storage account. Polls every control queue `{h}-control-NN` and `{h}-workitems`
// of each hub, runs orchestration episodes, entity batches and activities, and commits them as
// DurableTask.AzureStorage does.
//
//   const worker = startWorker({ connectionString, taskHubNames: ['MyHub'], pollIntervalMs: 200 });
//   …
//   await worker.stop();   // finishes the batch in hand, releases what it had not started
//
// `processOnce` does one pass over every queue and returns how many messages it handled.
import type { TaskHub } from '../../src/core/hub';
import { discoverHubNames, openTaskHub } from '../../src/core/hub';
import { controlQueueName, hubResourceNames } from '../../src/core/format/names';
import type { StorageClients } from '../../src/core/storage/clients';
import { createStorageClients } from '../../src/core/storage/clients';
import { processWorkItem } from './activities';
import type { WorkerContext } from './context';
import type { ReceivedMessage } from './messages';
import { deleteMessage, receive, setVisibility } from './messages';
import type { Decoded } from './orchestrations';
import { dedupeStartMessages, processBatch, toBatches } from './orchestrations';
import type { FunctionApp } from './samples';
import { SAMPLE_APP } from './samples';

export interface WorkerOptions {
  /** A storage connection string (or pass `clients`). */
  connectionString?: string;
  clients?: StorageClients;
  /** Hubs to serve; default every hub in the account, re-discovered every `rediscoverIntervalMs`. */
  taskHubNames?: readonly string[];
  /** Pause between passes that found nothing to do (default 1000 ms). */
  pollIntervalMs?: number;
  rediscoverIntervalMs?: number;
  /** How long received messages stay hidden from other readers (default 300 s, the runtime's). */
  visibilityTimeoutSeconds?: number;
  /** Messages read per queue per pass (default 32, the queue service's maximum). */
  batchSize?: number;
  app?: FunctionApp;
  /** Which queues a pass reads (default both): lets a test step orchestrations and activities apart. */
  queues?: 'all' | 'control' | 'workitems';
  /** One line per processed message; default console.log. */
  log?: (line: string) => void;
}

export interface Worker {
  /** Stops after the batch in hand; resolves once the loop has ended. */
  stop(): Promise<void>;
  /** Resolves when the loop ends (after stop()). */
  readonly done: Promise<void>;
}

class WorkerRuntime {
  private clients: StorageClients | undefined;
  private hubs: TaskHub[] = [];
  private hubsReadAt = 0;
  private readonly missingQueues = new Set<string>();
  stopping = false;
  readonly ctx: WorkerContext;

  constructor(private readonly o: WorkerOptions) {
    const log = o.log ?? ((line: string) => console.log(line));
    this.ctx = { app: o.app ?? SAMPLE_APP, log, shouldStop: () => this.stopping };
  }

  private async getClients(): Promise<StorageClients> {
    if (!this.clients) {
      if (this.o.clients) {
        this.clients = this.o.clients;
      } else if (this.o.connectionString) {
        this.clients = await createStorageClients({ kind: 'connectionString', connectionString: this.o.connectionString });
      } else {
        throw new Error('startWorker needs a connectionString or clients.');
      }
    }
    return this.clients;
  }

  /** The hubs to serve, re-read every rediscoverIntervalMs (hubs created later are picked up). */
  private async getHubs(): Promise<TaskHub[]> {
    const now = Date.now();
    if (this.hubsReadAt > 0 && now - this.hubsReadAt < (this.o.rediscoverIntervalMs ?? 10_000)) {
      return this.hubs;
    }
    const clients = await this.getClients();
    const names = this.o.taskHubNames && this.o.taskHubNames.length > 0 ? [...this.o.taskHubNames] : await discoverHubNames(clients);
    const hubs: TaskHub[] = [];
    for (const name of names) {
      try {
        hubs.push(await openTaskHub({ clients, name }));
      } catch (e) {
        if (!this.hubs.some((h) => h.name === name) && this.hubsReadAt === 0) {
          this.ctx.log(`Task hub '${name}' is not available yet: ${(e as Error).message}`);
        }
      }
    }
    const before = new Set(this.hubs.map((h) => `${h.name}/${h.partitionCount}`));
    for (const h of hubs) {
      if (!before.has(`${h.name}/${h.partitionCount}`)) {
        this.ctx.log(`Serving task hub '${h.name}' (${h.partitionCount} partitions, from ${h.partitionCountSource}).`);
      }
    }
    this.hubs = hubs;
    this.hubsReadAt = now;
    return hubs;
  }

  private async receive(hub: TaskHub, queue: string): Promise<ReceivedMessage[]> {
    try {
      const messages = await receive(hub, queue, this.o.batchSize ?? 32, this.o.visibilityTimeoutSeconds ?? 300);
      this.missingQueues.delete(queue);
      return messages;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) {
        if (!this.missingQueues.has(queue)) {
          this.missingQueues.add(queue);
          this.ctx.log(`Queue '${queue}' does not exist; skipped until it does.`);
        }
        return [];
      }
      throw e;
    }
  }

  /** Makes messages the worker took but will not process visible again right away. */
  private async release(hub: TaskHub, messages: readonly ReceivedMessage[]): Promise<void> {
    for (const m of messages) {
      await setVisibility(hub, m, 0).catch(() => undefined);
    }
  }

  private async processControlQueue(hub: TaskHub, queue: string): Promise<number> {
    const received = await this.receive(hub, queue);
    if (received.length === 0) {
      return 0;
    }
    let handled = 0;
    const decoded: Decoded[] = [];
    for (const m of received) {
      if (m.data) {
        decoded.push(m as Decoded);
      } else {
        // Unreadable: logged and deleted (DTAS abandons such messages with back-off instead).
        this.ctx.log(`${hub.name} poison message ${m.messageId} on ${queue} deleted: ${m.error ?? 'unreadable'}`);
        await deleteMessage(hub, m);
        handled++;
      }
    }
    const batches = toBatches(await dedupeStartMessages(this.ctx, hub, decoded));
    for (let i = 0; i < batches.length; i++) {
      if (this.stopping) {
        await this.release(hub, batches.slice(i).flatMap((b) => b.messages));
        break;
      }
      try {
        handled += await processBatch(this.ctx, hub, batches[i]);
      } catch (e) {
        this.ctx.log(`${hub.name} ${batches[i].instanceId}: episode failed, messages abandoned: ${(e as Error).stack ?? e}`);
      }
    }
    return handled;
  }

  private async processWorkItems(hub: TaskHub): Promise<number> {
    const received = await this.receive(hub, hubResourceNames(hub.name).workItemQueue);
    let handled = 0;
    for (let i = 0; i < received.length; i++) {
      if (this.stopping) {
        await this.release(hub, received.slice(i));
        break;
      }
      try {
        await processWorkItem(this.ctx, hub, received[i]);
        handled++;
      } catch (e) {
        this.ctx.log(`${hub.name}: activity work item ${received[i].messageId} failed, retried later: ${(e as Error).stack ?? e}`);
      }
    }
    return handled;
  }

  async processOnce(): Promise<number> {
    let handled = 0;
    const queues = this.o.queues ?? 'all';
    for (const hub of await this.getHubs()) {
      for (let p = 0; p < hub.partitionCount && !this.stopping && queues !== 'workitems'; p++) {
        handled += await this.processControlQueue(hub, controlQueueName(hub.name, p));
      }
      if (!this.stopping && queues !== 'control') {
        handled += await this.processWorkItems(hub);
      }
    }
    return handled;
  }
}

/** One pass over every queue of every served hub; resolves with the number of messages handled. */
export async function processOnce(o: WorkerOptions): Promise<number> {
  return new WorkerRuntime(o).processOnce();
}

export function startWorker(o: WorkerOptions): Worker {
  const runtime = new WorkerRuntime(o);
  let wake: (() => void) | undefined;
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  const done = (async () => {
    while (!runtime.stopping) {
      let handled = 0;
      try {
        handled = await runtime.processOnce();
      } catch (e) {
        runtime.ctx.log(`Worker pass failed: ${(e as Error).message}`);
      }
      if (handled === 0 && !runtime.stopping) {
        await sleep(o.pollIntervalMs ?? 1000);
      }
    }
  })();
  return {
    done,
    async stop() {
      runtime.stopping = true;
      wake?.();
      await done;
    },
  };
}
