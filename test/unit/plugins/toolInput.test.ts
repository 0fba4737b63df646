import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../daemon/core/errors.js';
import { closedSchema, DEFAULT_MAX_STRING, toolSlots } from '../../../daemon/plugins/toolInput.js';
import type { PluginTool } from '../../../plugins/sdk/manifest.js';

const tool: PluginTool = {
  name: 'roll', description: 'Roll.', intent: 'Roll',
  inputSchema: { type: 'object', required: ['sides'], properties: { sides: { type: 'integer', minimum: 2, maximum: 100 }, label: { type: 'string' }, lucky: { type: 'boolean' } } },
};

const problems = (input: unknown): string => {
  try {
    toolSlots(tool, input);
  } catch (err) {
    assert.ok(err instanceof HubError);
    assert.equal(err.code, 'ASSISTANT_TOOL_INPUT_INVALID');
    return err.message;
  }
  assert.fail('expected the input to be refused');
};

test('the schema the model sees is closed and bounds every free string', () => {
  const s = closedSchema(tool.inputSchema);
  assert.equal(s.additionalProperties, false);
  assert.deepEqual(s.properties.label, { type: 'string', maxLength: DEFAULT_MAX_STRING });
  assert.deepEqual(s.required, ['sides']);
  assert.deepEqual(tool.inputSchema.properties.label, { type: 'string' }, 'the manifest is not changed');
});

test('input that fits becomes the slots, as a copy', () => {
  const input = { sides: 6, label: 'd6', lucky: false };
  const slots = toolSlots(tool, input);
  assert.deepEqual(slots, input);
  assert.notEqual(slots, input);
});

test('input that does not fit is refused, each problem named', () => {
  assert.match(problems({ sides: 6.5 }), /sides must be integer/);
  assert.match(problems({ sides: 1000 }), /sides must be <= 100/);
  assert.match(problems({}), /must have required property 'sides'/);
  assert.match(problems({ sides: 6, label: 'x'.repeat(DEFAULT_MAX_STRING + 1) }), /label must NOT have more than 200 characters/);
  assert.match(problems({ sides: 6, evil: 1 }), /unknown property "evil"/);
  assert.match(problems(JSON.parse('{"sides":6,"__proto__":{"polluted":true}}')), /unknown property "__proto__"/);
  assert.match(problems({ sides: '6' }), /sides must be integer/);
  for (const notObject of [null, 6, 'sides', [6]]) assert.match(problems(notObject), /not a JSON object/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
