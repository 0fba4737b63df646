import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePayload, parseJson } from '../../../devices/payload.js';

/** What parseJson answered when it looked at `text.trimStart()[0]` (before it read the text in place). */
function trimmedAnswer(text: string): unknown {
  const first = text.trimStart()[0];
  if (first === undefined || !'{["-0123456789tfn'.includes(first)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

test('parseJson: JSON after any white space JavaScript trims, and nothing for a text that cannot be JSON', () => {
  const spaces = [' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff'];
  const bodies = ['{"state":"ON"}', '[1,2]', '"on"', '-1.5', '42', 'true', 'false', 'null', 'ON', 'online', '', '}', 'x{"a":1}', '\u200b{"a":1}', '{"a":'];
  for (const space of ['', ...spaces]) {
    for (const body of bodies) {
      for (const text of [space + body, space + space + body, body + space]) {
        assert.deepEqual(parseJson(text), trimmedAnswer(text), JSON.stringify(text));
      }
    }
  }
  assert.deepEqual(parseJson(' \n{"state":"ON","brightness":3}'), { state: 'ON', brightness: 3 });
  assert.equal(parseJson('\u00a0'.repeat(1000)), undefined);
});

test('decodePayload: the text, its JSON parsed once on first use, and the bounds as before', () => {
  const msg = decodePayload('zigbee2mqtt/lamp', Buffer.from('{"state":"ON"}'));
  assert.ok(msg.ok);
  assert.equal(msg.topic, 'zigbee2mqtt/lamp');
  assert.equal(msg.text, '{"state":"ON"}');
  const first = msg.json();
  assert.deepEqual(first, { state: 'ON' });
  assert.equal(msg.json(), first, 'the same object: parsed once');
  const plain = decodePayload('t', Buffer.from('ON'));
  assert.ok(plain.ok);
  assert.equal(plain.json(), undefined);
  const binary = decodePayload('t', Buffer.from([0xff, 0xfe]));
  assert.equal(binary.ok, false);
  assert.equal(!binary.ok && binary.code, 'PAYLOAD_BINARY');
  const nul = decodePayload('t', Buffer.from('a\u0000b'));
  assert.equal(!nul.ok && nul.code, 'PAYLOAD_BINARY');
  const large = decodePayload('t', Buffer.alloc(65 * 1024, 0x20));
  assert.equal(!large.ok && large.code, 'PAYLOAD_TOO_LARGE');
});
