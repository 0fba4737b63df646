import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameSizeGuard } from '../../../daemon/mqtt/frameSizeGuard.js';

/** A real PUBLISH packet, encoded by hand per MQTT 3.1.1 §3.3 (fixed header, topic, payload). */
function publishPacket(topic: string, payloadBytes: number): Buffer {
  const topicBytes = Buffer.from(topic);
  const remaining = 2 + topicBytes.length + payloadBytes;
  const length: number[] = [];
  let x = remaining;
  do {
    let byte = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) byte |= 0x80;
    length.push(byte);
  } while (x > 0);
  const header = Buffer.from([0x30, ...length, topicBytes.length >> 8, topicBytes.length & 0xff]);
  return Buffer.concat([header, topicBytes, Buffer.alloc(payloadBytes, 7)]);
}

test('packets within the limit pass, whole or split at any byte', () => {
  const stream = Buffer.concat([publishPacket('a/b', 10), publishPacket('c', 300), Buffer.from([0xc0, 0x00]) /* PINGREQ */]);
  for (let cut = 0; cut <= stream.length; cut++) {
    const guard = new FrameSizeGuard(1024);
    assert.equal(guard.feed(stream.subarray(0, cut)), null, `cut at ${cut}`);
    assert.equal(guard.feed(stream.subarray(cut)), null, `cut at ${cut}`);
  }
});

test('a packet whose header announces more than the limit is reported before its body arrives', () => {
  const big = publishPacket('a/b', 5000);
  const guard = new FrameSizeGuard(1024);
  assert.equal(guard.feed(publishPacket('ok', 100)), null);
  // Only the fixed header and a few bytes: already enough to know.
  assert.equal(guard.feed(big.subarray(0, 4)), 'too-large');
});

test('the limit counts the whole packet, fixed header included', () => {
  const packet = publishPacket('t', 1000); // 1 + 2 (length) + 2 + 1 + 1000 = 1006 bytes
  assert.equal(packet.length, 1006);
  assert.equal(new FrameSizeGuard(1006).feed(packet), null);
  assert.equal(new FrameSizeGuard(1005).feed(packet), 'too-large');
});

test('a Remaining Length longer than four bytes is malformed [MQTT-2.2.3]', () => {
  assert.equal(new FrameSizeGuard(1 << 28).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])), 'malformed');
});
