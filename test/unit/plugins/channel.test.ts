import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { encodeFrame, MAX_MESSAGE_BYTES, MessageTooLarge, readFrames } from '../../../daemon/plugins/isolated/channel.js';

function reader(max?: number): { stream: PassThrough; messages: unknown[]; violations: Error[] } {
  const stream = new PassThrough();
  const messages: unknown[] = [];
  const violations: Error[] = [];
  readFrames(stream, { message: (m) => messages.push(m), violation: (e) => violations.push(e) }, max);
  return { stream, messages, violations };
}

test('frames arrive whole however the bytes are split, Buffers and nested objects included', () => {
  const { stream, messages, violations } = reader();
  const sent = [{ t: 'call', id: 1, args: [{ slots: { n: 3 } }] }, { t: 'done', id: 1, ok: true, value: Buffer.from('audio') }, 'x'.repeat(70_000)];
  const bytes = Buffer.concat(sent.map((m) => encodeFrame(m)));
  for (let i = 0; i < bytes.length; i += 7) stream.write(bytes.subarray(i, i + 7));
  assert.deepEqual(violations, []);
  assert.equal(messages.length, 3);
  assert.deepEqual(messages[0], sent[0]);
  assert.equal(Buffer.from((messages[1] as { value: Uint8Array }).value).toString(), 'audio');
  assert.equal(messages[2], sent[2]);
});

test('a frame announced above the cap is a violation from its 4-byte header, before any body is buffered; nothing after it is read', () => {
  const { stream, messages, violations } = reader();
  const head = Buffer.alloc(4);
  head.writeUInt32BE(1 << 30);
  stream.write(head);
  assert.equal(violations.length, 1);
  assert.ok(violations[0] instanceof MessageTooLarge);
  assert.equal((violations[0] as MessageTooLarge).bytes, 1 << 30);
  stream.write(encodeFrame({ t: 'ready' }));
  assert.deepEqual(messages, []);
});

test('bytes that do not deserialize are a violation', () => {
  const { stream, violations } = reader();
  const bad = Buffer.from([0, 0, 0, 3, 0xff, 0x0f, 0x99]);
  stream.write(bad);
  assert.equal(violations.length, 1);
  assert.match(violations[0]!.message, /cannot be read/);
});

test('encodeFrame refuses a message above the cap (1 MiB by default) and writes nothing', () => {
  assert.equal(MAX_MESSAGE_BYTES, 1024 * 1024);
  assert.throws(() => encodeFrame({ text: 'x'.repeat(MAX_MESSAGE_BYTES) }), MessageTooLarge);
  assert.throws(() => encodeFrame({ n: 1 }, 4), (err: unknown) => err instanceof MessageTooLarge && err.max === 4);
  assert.ok(encodeFrame({ text: 'x'.repeat(1000) }).length < 1100);
});
