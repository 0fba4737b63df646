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

/** An allowance for `topic` up to `maxBytes`, with a budget of `budget` bytes, recording what it was asked. */
function allowance(topic: string, maxBytes: number, budget: number) {
  const a = {
    topic: Buffer.from(topic), maxBytes, held: 0, claims: [] as number[],
    claim(bytes: number) { a.claims.push(bytes); if (a.held + bytes > budget) return false; a.held += bytes; return true; },
    release(bytes: number) { a.held -= bytes; },
  };
  return a;
}

test('one topic may be larger: a PUBLISH to it passes once its topic has been read, split at any byte, and frees its claim when whole', () => {
  const big = publishPacket('zigbee2mqtt/bridge/devices', 3000);
  const stream = Buffer.concat([big, publishPacket('a/b', 10), big]);
  for (let cut = 0; cut <= stream.length; cut += cut < 40 ? 1 : 97) {
    const large = allowance('zigbee2mqtt/bridge/devices', 4096, 4096);
    const guard = new FrameSizeGuard(1024, large);
    assert.equal(guard.feed(stream.subarray(0, cut)), null, `cut at ${cut}`);
    assert.equal(guard.feed(stream.subarray(cut)), null, `cut at ${cut}`);
    assert.deepEqual(large.claims, [big.length, big.length], 'claimed once per large packet, never for small ones');
    assert.equal(large.held, 0, 'released when read whole');
  }
});

test('over the limit on another topic, a prefix of the topic, past the allowance, or not a PUBLISH: refused as before', () => {
  const large = allowance('zigbee2mqtt/bridge/devices', 4096, 1 << 20);
  for (const [what, bytes] of [
    ['another topic', publishPacket('zigbee2mqtt/bridge/devicez', 3000)],
    ['a longer topic with the same start', publishPacket('zigbee2mqtt/bridge/devices/x', 3000)],
    ['a shorter topic', publishPacket('zigbee2mqtt/bridge', 3000)],
    ['past the allowance', publishPacket('zigbee2mqtt/bridge/devices', 5000)],
    ['a SUBSCRIBE', Buffer.concat([Buffer.from([0x82]), publishPacket('zigbee2mqtt/bridge/devices', 3000).subarray(1)])],
  ] as const) {
    const guard = new FrameSizeGuard(1024, large);
    assert.equal(guard.feed(bytes), 'too-large', what);
  }
  assert.deepEqual(large.claims, [], 'nothing was claimed for any of them');
});

test('a large packet the allowance refuses (budget spent, or not logged in) is too large; a connection that ends mid-packet frees its claim', () => {
  const large = allowance('zigbee2mqtt/bridge/devices', 4096, 4000);
  const big = publishPacket('zigbee2mqtt/bridge/devices', 3000);
  const first = new FrameSizeGuard(1024, large);
  assert.equal(first.feed(big.subarray(0, 100)), null, 'holds its claim while the body trickles in');
  assert.equal(large.held, big.length);
  assert.equal(new FrameSizeGuard(1024, large).feed(big), 'too-large', 'a second at once is over the budget');
  first.close();
  assert.equal(large.held, 0);
  assert.equal(new FrameSizeGuard(1024, large).feed(big), null, 'the budget is free again');
});
