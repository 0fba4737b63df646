import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { GuardedConnection, type ConnectionProblem } from '../../../daemon/mqtt/guardedConnection.js';

/** A real loopback TCP pair: the broker's side (wrapped by the test) and the peer's. */
async function socketPair(): Promise<{ broker: Socket; peer: Socket; close(): Promise<void> }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const peer = connect((server.address() as { port: number }).port, '127.0.0.1');
  await once(peer, 'connect');
  const [broker] = await accepted;
  return {
    broker, peer,
    async close() {
      peer.destroy();
      broker.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('writes reach the socket in order, strings and buffers, a corked packet in one piece', async (t) => {
  const pair = await socketPair();
  t.after(() => pair.close());
  const problems: ConnectionProblem[] = [];
  const conn = new GuardedConnection(pair.broker, { maxPacketBytes: 1024, maxBufferedBytes: 1 << 20, onProblem: (p) => problems.push(p) });
  const received: Buffer[] = [];
  pair.peer.on('data', (chunk: Buffer) => received.push(chunk));
  // As mqtt-packet writes a packet: cork, its chunks, uncork on the next tick.
  conn.cork();
  assert.equal(conn.write(Buffer.from([0x40, 0x02])), true);
  assert.equal(conn.write(Buffer.from([0x00, 0x07])), true);
  assert.equal(conn.write('topic/é', 'utf8'), true);
  let called = false;
  conn.write(Buffer.from('!'), () => { called = true; });
  process.nextTick(() => conn.uncork());
  const expected = Buffer.concat([Buffer.from([0x40, 0x02, 0x00, 0x07]), Buffer.from('topic/é'), Buffer.from('!')]);
  while (Buffer.concat(received).length < expected.length) await once(pair.peer, 'data');
  assert.deepEqual(Buffer.concat(received), expected);
  assert.equal(called, true, 'the write callback ran');
  assert.deepEqual(problems, []);
  conn.destroy();
});

test('a peer that stops reading is cut off once more than maxBufferedBytes wait for it', async (t) => {
  const pair = await socketPair();
  t.after(() => pair.close());
  const problems: ConnectionProblem[] = [];
  const conn = new GuardedConnection(pair.broker, { maxPacketBytes: 1024, maxBufferedBytes: 64 * 1024, onProblem: (p) => problems.push(p) });
  const errored = once(conn, 'error');
  pair.peer.pause(); // reads nothing: the kernel's buffers fill, then the socket's
  const chunk = Buffer.alloc(16 * 1024, 1);
  let writes = 0;
  let refusedCallback: unknown;
  while (!conn.destroyed && writes < 10_000) {
    const ok = conn.write(chunk, (err?: Error | null) => { if (err) refusedCallback = err; });
    writes++;
    if (!ok) break;
    // Let the socket hand what it can to the kernel, as between packets.
    if (writes % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const [err] = await errored as [Error];
  assert.match(err.message, /slow consumer/);
  assert.deepEqual(problems, ['slow-consumer']);
  assert.equal(conn.destroyed, true);
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(refusedCallback instanceof Error, 'the refused write\'s callback got the error');
  assert.ok(pair.broker.destroyed, 'the socket is closed with it');
});

test('a write after end takes the Writable\'s path and fails as a stream does', async (t) => {
  const pair = await socketPair();
  t.after(() => pair.close());
  const conn = new GuardedConnection(pair.broker, { maxPacketBytes: 1024, maxBufferedBytes: 1 << 20, onProblem: () => {} });
  conn.on('error', () => {});
  conn.end();
  const failed = new Promise<Error | null | undefined>((resolve) => conn.write(Buffer.from('late'), resolve));
  const err = await failed;
  assert.equal((err as NodeJS.ErrnoException | null)?.code, 'ERR_STREAM_WRITE_AFTER_END');
});
