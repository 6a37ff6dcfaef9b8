// testkit's TcpProxy, the load balancer and cuttable link of the e2e tests: round robin over its
// targets, a refused target skipped without losing the client's first bytes, connections reset by
// target, a target taken out of rotation, and a cut that refuses everyone until healed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { freePort, TcpProxy, until } from '../src/index';

/** An echo server that prefixes every reply with its name. */
async function echo(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.on('data', (d: Buffer) => socket.write(`${name}:${d}`)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

/** Connects through the proxy, sends `text` at once, resolves with the first reply. */
async function ask(proxy: TcpProxy, text: string): Promise<{ reply: string; socket: Socket }> {
  const socket = connect(proxy.port, '127.0.0.1');
  socket.write(text);
  const [data] = (await once(socket, 'data')) as [Buffer];
  return { reply: data.toString(), socket };
}

describe('TcpProxy', () => {
  const servers: Server[] = [];
  let proxy: TcpProxy;
  let refused: number;

  before(async () => {
    const a = await echo('a');
    const b = await echo('b');
    servers.push(a.server, b.server);
    refused = await freePort();
    proxy = new TcpProxy([
      { host: '127.0.0.1', port: a.port },
      { host: '127.0.0.1', port: refused },
      { host: '127.0.0.1', port: b.port },
    ]);
    await proxy.start();
  });
  after(async () => {
    await proxy.close();
    for (const s of servers) s.close();
  });

  it('spreads connections round robin, skipping a target that refuses, with no byte lost', async () => {
    const replies: string[] = [];
    const sockets: Socket[] = [];
    for (let i = 0; i < 4; i++) {
      const { reply, socket } = await ask(proxy, `hello${i}`);
      replies.push(reply);
      sockets.push(socket);
    }
    // Turn 2 would go to the refusing target: it goes on to the next one.
    assert.deepEqual(replies, ['a:hello0', 'b:hello1', 'b:hello2', 'a:hello3']);
    assert.deepEqual(proxy.openConnections, [2, 0, 2]);
    assert.equal(proxy.targetOf(sockets[0]!.localPort!), 0);
    for (const s of sockets) s.destroy();
    await until(() => proxy.openConnections.every((n) => n === 0));
  });

  it('resets the connections of one target, and routes around a disabled one', async () => {
    // Three turns of the round robin: one starts at target 0.
    const opened = [await ask(proxy, 'x'), await ask(proxy, 'y'), await ask(proxy, 'w')];
    const onA = opened.find((c) => c.reply.startsWith('a:'))!;
    const onB = opened.filter((c) => c.reply.startsWith('b:'));
    assert.equal(onB.length, 2);
    const closed = once(onA.socket, 'close');
    assert.equal(proxy.drop(0), 1);
    await closed;
    assert.ok(onB.every((c) => !c.socket.destroyed));
    proxy.disable(0);
    for (let i = 0; i < 3; i++) {
      const { reply, socket } = await ask(proxy, 'z');
      assert.equal(reply, 'b:z');
      socket.destroy();
    }
    proxy.enable(0);
    for (const c of onB) c.socket.destroy();
  });

  it('refuses everyone while cut, and passes again once healed', async () => {
    const open = await ask(proxy, 'before');
    const closed = once(open.socket, 'close');
    proxy.cut();
    await closed;
    const refusedSocket = connect(proxy.port, '127.0.0.1');
    refusedSocket.on('error', () => undefined);
    await once(refusedSocket, 'close');
    proxy.heal();
    const { reply, socket } = await ask(proxy, 'after');
    assert.match(reply, /^[ab]:after$/);
    socket.destroy();
  });
});
