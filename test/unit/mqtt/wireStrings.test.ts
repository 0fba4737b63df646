import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WireStrings } from '../../../daemon/mqtt/wireStrings.js';
import { splitAt } from '../../faults/fuzz.js';
import { connectWith, publishWith, rawPacket, subscribeWith, unsubscribeWith } from '../../helpers/rawMqtt.js';

/** The reference: MQTT 3.1.1 §1.5.3 as the WHATWG decoder reads UTF-8 (overlongs, surrogates, past U+10FFFF all fatal). */
const decoder = new TextDecoder('utf-8', { fatal: true });
function badString(b: Buffer): boolean {
  try {
    return decoder.decode(b).includes('\0');
  } catch {
    return true;
  }
}

function feedAll(chunks: Buffer[]): boolean {
  const check = new WireStrings();
  return chunks.some((c) => check.feed(c));
}

const stringBytes = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => Buffer.from(s)),
  fc.string({ unit: 'binary', maxLength: 12 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)),
  fc.constantFrom(...['00', 'ff', 'c080', 'c1bf', 'eda080', 'edbfbf', 'e082', 'e080af', 'f08f8080', 'f4908080', 'f5', '80', 'efbbbf', 'f09f92a1', 'e4b8ad']
    .map((h) => Buffer.from(`a${h}`.slice(1), 'hex'))),
);

test('WireStrings flags exactly the packets whose strings are not UTF-8 or hold U+0000, wherever the chunks are cut; binary fields and payloads never', () => {
  const packetOf = fc.tuple(fc.integer({ min: 0, max: 5 }), stringBytes, fc.uint8Array({ maxLength: 20 })).map(([kind, s, bin]) => {
    const b = Buffer.from(bin);
    switch (kind) {
      case 0: return { packet: publishWith(s, b), bad: badString(s) };
      case 1: return { packet: subscribeWith('ok/+', s), bad: badString(s) };
      case 2: return { packet: unsubscribeWith(s, 'ok'), bad: badString(s) };
      case 3: return { packet: connectWith(s, { password: b }), bad: badString(s) };
      case 4: return { packet: connectWith('id', { willTopic: s, password: b }), bad: badString(s) };
      default: return { packet: connectWith('id', { username: s, password: b }), bad: badString(s) };
    }
  });
  fc.assert(fc.property(fc.array(packetOf, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 8 }), (packets, points) => {
    const bytes = Buffer.concat(packets.map((p) => p.packet));
    assert.equal(feedAll(splitAt(bytes, points)), packets.some((p) => p.bad));
  }), { numRuns: 2_000 });
});

test('WireStrings: byte by byte the same; a PINGREQ, PUBACK and a PUBLISH payload full of 0 and 0xff pass; a string cut inside a character is bad', () => {
  const good = Buffer.concat([rawPacket(0xc0, Buffer.alloc(0)), rawPacket(0x40, Buffer.from([0, 1])), publishWith('客厅/灯 💡', Buffer.from([0, 0xff, 0xc0, 0xed, 0xa0, 0x80])), subscribeWith('a/#', '+/b')]);
  assert.equal(feedAll([good]), false);
  assert.equal(feedAll([...good].map((b) => Buffer.from([b]))), false);
  const cutChar = publishWith(Buffer.from('e4b8', 'hex'), Buffer.alloc(0));
  assert.equal(feedAll([cutChar]), true);
  const nul = publishWith('a\0b', Buffer.alloc(0));
  assert.equal(feedAll([...nul].map((b) => Buffer.from([b]))), true);
  // A SUBSCRIBE after a CONNECT for MQTT 5 (properties before the filters) is not walked as 3.1.1.
  const v5 = rawPacket(0x10, Buffer.concat([Buffer.from([0, 4]), Buffer.from('MQTT'), Buffer.from([5, 2, 0, 60, 0, 0, 2]), Buffer.from('id')]));
  const v5Subscribe = rawPacket(0x82, Buffer.from([0, 1, 2, 0x0b, 0x01, 0, 1, 0x61, 0]));
  assert.equal(feedAll([v5, v5Subscribe]), false);
  assert.equal(feedAll([connectWith('id'), v5Subscribe]), true, 'the same bytes read as 3.1.1 hold a U+0000');
});
