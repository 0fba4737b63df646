/** The hub's own text framing, read back by the `ws` library's receiver: what every client will parse. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duplex, type Writable } from 'node:stream';
import * as wsModule from 'ws';
import { encodeTextFrames, FrameBatcher } from '../../../daemon/voice/frameBatcher.js';

// ws exports its frame parser, but @types/ws does not describe it.
const { Receiver } = wsModule as unknown as { Receiver: new (options: { isServer: boolean; maxPayload: number }) => Writable };

function decode(buffer: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const out: string[] = [];
    const receiver = new Receiver({ isServer: false, maxPayload: 0 });
    receiver.on('message', (data: Buffer, isBinary: boolean) => {
      assert.equal(isBinary, false);
      out.push(data.toString('utf8'));
    });
    receiver.on('error', reject);
    receiver.write(buffer, () => resolve(out));
  });
}

test('frames of every length form (7-bit, 16-bit, 64-bit) and any script read back exactly, in order', async () => {
  const frames = [
    '', 'x'.repeat(125), 'y'.repeat(126), 'z'.repeat(65535), 'w'.repeat(65536),
    '{"type":"reply","text":"已打开厨房灯。"}', '{"type":"state","state":"idle"}', '😀'.repeat(40),
  ];
  assert.deepEqual(await decode(encodeTextFrames(frames)), frames);
});

test('the length field counts UTF-8 bytes, not characters', async () => {
  const text = '灯'.repeat(50); // 150 bytes in UTF-8, 50 characters: the 16-bit form
  const buffer = encodeTextFrames([text]);
  assert.equal(buffer[1], 126);
  assert.equal(buffer.readUInt16BE(2), 150);
  assert.equal(buffer.length, 4 + 150);
  assert.deepEqual(await decode(buffer), [text]);
});

test('one write per socket per turn, frames in order; a socket no longer open gets nothing', async () => {
  const writes = new Map<string, Buffer[]>();
  const socket = (name: string) => {
    writes.set(name, []);
    return new Duplex({ read() {}, write(chunk: Buffer, _enc, done) { writes.get(name)!.push(chunk); done(); } });
  };
  const a = socket('a');
  const b = socket('b');
  const closing = socket('closing');
  const batcher = new FrameBatcher();
  const [toA, toB] = [batcher.outbox(a, { readyState: 1 }), batcher.outbox(b, { readyState: 1 })];
  batcher.send(toA, '{"n":1}');
  batcher.send(toB, '{"n":2}');
  batcher.send(toA, '{"n":3}');
  batcher.send(batcher.outbox(closing, { readyState: 2 }), '{"n":4}');
  assert.equal(writes.get('a')!.length, 0, 'nothing before the end of the turn');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes.get('a')!.length, 1);
  assert.deepEqual(await decode(writes.get('a')![0]!), ['{"n":1}', '{"n":3}']);
  assert.deepEqual(await decode(writes.get('b')![0]!), ['{"n":2}']);
  assert.equal(writes.get('closing')!.length, 0, 'nothing after a close frame');
});

test('constant state frames mixed with others, more than the encoder notes at once, read back exactly; nothing carries over to the next write', async () => {
  const state = '{"type":"state","state":"processing"}';
  const frames = Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? `{"type":"reply","id":"u${i}"}` : state));
  assert.deepEqual(await decode(encodeTextFrames(frames)), frames);
  const next = ['{"type":"reply","id":"a"}', '{"type":"reply","id":"bb"}'];
  assert.deepEqual(await decode(encodeTextFrames(next)), next);
});

test('an outbox is emptied by each flush: the next turn writes only its own frames', async () => {
  const writes: Buffer[] = [];
  const socket = new Duplex({ read() {}, write(chunk: Buffer, _enc, done) { writes.push(chunk); done(); } });
  const batcher = new FrameBatcher();
  const to = batcher.outbox(socket, { readyState: 1 });
  batcher.send(to, '{"n":1}');
  await new Promise((resolve) => setImmediate(resolve));
  batcher.send(to, '{"n":2}');
  batcher.send(to, '{"n":3}');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes.length, 2);
  assert.deepEqual(await decode(writes[0]!), ['{"n":1}']);
  assert.deepEqual(await decode(writes[1]!), ['{"n":2}', '{"n":3}']);
});
