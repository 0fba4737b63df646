import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonBoundsProblem, MAX_ATTRIBUTES_BYTES, MAX_ATTRIBUTES_DEPTH } from '../../../devices/boundedJson.js';
import { parseDeviceMessage } from '../../../devices/stateParser.js';
import { decodePayload, type DecodedMessage } from '../../../devices/payload.js';
import type { Device } from '../../../devices/model.js';

const nest = (levels: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};

test('attributes within the bounds pass; deeper or larger are named', () => {
  assert.equal(jsonBoundsProblem({ battery: 87, nested: nest(MAX_ATTRIBUTES_DEPTH - 2) }), null);
  assert.match(String(jsonBoundsProblem(nest(MAX_ATTRIBUTES_DEPTH + 1))), /nested deeper than 8/);
  assert.match(String(jsonBoundsProblem({ text: 'x'.repeat(MAX_ATTRIBUTES_BYTES) })), /larger than/);
  assert.match(String(jsonBoundsProblem({ list: Array.from({ length: 5000 }, (_, i) => i) })), /larger than/);
  const deep = JSON.parse(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`) as unknown;
  assert.match(String(jsonBoundsProblem(deep)), /nested deeper/, 'stops at the bound: never walks (or overflows on) the rest');
});

test('the state parser refuses over-deep attributes and over-long text states, keeps the rest of the message', () => {
  const device = {
    id: 'plug', type: 'sensor', mqtt: { stateTopic: 'plug/state', jsonAttributesTopic: 'plug/attrs' },
  } as unknown as Device;
  const msg = (topic: string, text: string) => decodePayload(topic, Buffer.from(text)) as DecodedMessage;
  const deep = parseDeviceMessage(device, msg('plug/attrs', `{"a":${'['.repeat(6000)}${']'.repeat(6000)}}`));
  assert.equal(deep.patch, null);
  assert.equal(deep.failure?.code, 'VALUE_INVALID');
  const fine = parseDeviceMessage(device, msg('plug/attrs', '{"battery":87}'));
  assert.deepEqual(fine.patch, { attributes: { battery: 87 } });
  const long = parseDeviceMessage(device, msg('plug/state', 'y'.repeat(300)));
  assert.equal(long.patch, null);
  assert.match(String(long.failure?.reason), /longer than 255/);
});
