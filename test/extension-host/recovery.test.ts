// Storage down, then back: a connection whose endpoints refuse connections shows "unreachable",
// and the tree reloads it by itself once the endpoints answer again (here: loopback forwarders to
// the test Azurite, started after the failure), without the user pressing Refresh.
import assert from 'node:assert/strict';
import net from 'node:net';
import type { ConnectionNode, TreeNode } from '../../src/extension/tree/nodes';
import { connectionString, extensionApi } from './support';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Forwards a loopback port to another (the storage "coming back"). */
function forward(from: number, to: number): Promise<net.Server> {
  const server = net.createServer((client) => {
    const upstream = net.connect(to, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve) => server.listen(from, '127.0.0.1', () => resolve(server)));
}

describe('Storage down, then back', function () {
  this.timeout(120_000);

  it('an unreachable connection recovers by itself when its storage answers again', async () => {
    const api = await extensionApi();
    const cs = connectionString();
    const real = {
      blob: Number(/BlobEndpoint=http:\/\/127\.0\.0\.1:(\d+)/.exec(cs)?.[1]),
      queue: Number(/QueueEndpoint=http:\/\/127\.0\.0\.1:(\d+)/.exec(cs)?.[1]),
      table: Number(/TableEndpoint=http:\/\/127\.0\.0\.1:(\d+)/.exec(cs)?.[1]),
    };
    assert.ok(real.blob && real.queue && real.table, cs);
    const ports = { blob: await freePort(), queue: await freePort(), table: await freePort() };
    const down = cs
      .replace(`127.0.0.1:${real.blob}`, `127.0.0.1:${ports.blob}`)
      .replace(`127.0.0.1:${real.queue}`, `127.0.0.1:${ports.queue}`)
      .replace(`127.0.0.1:${real.table}`, `127.0.0.1:${ports.table}`);
    const spec = await api.connections.addConnectionString(down, 'comes-back');
    const servers: net.Server[] = [];
    try {
      const node = ((await api.tree.getChildren()) as ConnectionNode[]).find((n) => n.spec.id === spec.id);
      assert.ok(node);
      const first = (await api.tree.getChildren(node)) as TreeNode[];
      assert.equal(first.length, 1);
      assert.match(String(api.tree.getTreeItem(first[0]).label), /^Storage is unreachable at http:\/\/127\.0\.0\.1:\d+/);
      assert.ok(api.tree.isRecovering(node), 'a recovery probe is scheduled');

      // No getChildren from here (it would load the connection itself): the recovery probe must
      // find the storage and refresh the connection, which the tree announces.
      const refreshed = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 60_000);
        const listener = api.tree.onDidChangeTreeData((changed) => {
          if (!changed || (changed as TreeNode).id === node.id) {
            clearTimeout(timer);
            listener.dispose();
            resolve(true);
          }
        });
      });
      for (const service of ['blob', 'queue', 'table'] as const) {
        servers.push(await forward(ports[service], real[service]));
      }
      assert.ok(await refreshed, 'the tree did not reload the connection by itself within 60 s');
      const children = (await api.tree.getChildren(node)) as TreeNode[];
      const names = children.map((c) => (c.type === 'hub' ? c.info.name : ''));
      assert.ok(names.includes('SampleHub'), `the connection did not come back: ${JSON.stringify(names)}`);
      assert.equal(api.tree.isRecovering(node), false);
    } finally {
      await api.connections.remove(spec.id);
      for (const s of servers) {
        s.close();
      }
    }
  });
});
