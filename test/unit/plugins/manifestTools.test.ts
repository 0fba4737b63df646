import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../daemon/core/errors.js';
import { validateManifest } from '../../../daemon/plugins/manifest.js';

const tool = {
  name: 'add_to_list', description: 'Add an item.', intent: 'HassListAddItem',
  inputSchema: { type: 'object', required: ['item'], properties: { item: { type: 'string', maxLength: 100 }, list: { type: 'string', enum: ['shopping', 'todo'] }, n: { type: 'integer', minimum: 1, maximum: 9 }, urgent: { type: 'boolean' } } },
};
const good = { id: 'com.example.lists', version: '1.0.0', capabilities: [], requiredScopes: [], intents: ['HassListAddItem'], tools: [tool] };
const withTool = (patch: Record<string, unknown>) => ({ ...good, tools: [{ ...tool, ...patch }] });
const withSchema = (inputSchema: unknown) => withTool({ inputSchema });

function problems(raw: unknown): string {
  try {
    validateManifest(raw, '0.1.0');
  } catch (err) {
    assert.ok(err instanceof HubError);
    assert.equal(err.code, 'PLUGIN_MANIFEST_INVALID');
    return (err.details?.problems as string[]).join('\n');
  }
  assert.fail('expected the manifest to be refused');
}

test('a manifest with a tool of flat typed properties is valid', () => {
  assert.deepEqual(validateManifest(good, '0.1.0').tools, [tool]);
  assert.deepEqual(validateManifest(withTool({ clientScopes: ['voice', 'devices:control'] }), '0.1.0').tools![0]!.clientScopes, ['voice', 'devices:control']);
});

test('a tool must run one of the plugin\'s own intents, name its required properties, and be declared once', () => {
  assert.match(problems(withTool({ intent: 'HassTurnOn' })), /\/tools\/0\/intent "HassTurnOn" is not one of the plugin's intents/);
  assert.match(problems(withSchema({ ...tool.inputSchema, required: ['item', 'colour'] })), /required names "colour", which is not a property/);
  assert.match(problems({ ...good, tools: [tool, tool] }), /\/tools\/1\/name "add_to_list" is declared twice/);
  assert.match(problems(withSchema({ type: 'object', properties: { n: { type: 'number', minimum: 5, maximum: 1 } } })), /minimum above maximum/);
  assert.match(problems(withSchema({ type: 'object', properties: { s: { type: 'string', minLength: 5, maxLength: 1 } } })), /minLength above maxLength/);
});

test('hostile schemas are refused with the manifest: patterns, refs, nesting, formats, too many properties, odd names', () => {
  const hostile: Array<[unknown, RegExp]> = [
    [{ type: 'object', properties: { s: { type: 'string', pattern: '(a+)+$' } } }, /inputSchema/],
    [{ type: 'object', properties: { s: { $ref: 'http://example.com/schema' } } }, /inputSchema/],
    [{ type: 'object', properties: { o: { type: 'object', properties: {} } } }, /inputSchema/],
    [{ type: 'object', properties: { a: { type: 'array', items: { type: 'string' } } } }, /inputSchema/],
    [{ type: 'object', properties: { s: { type: 'string', format: 'email' } } }, /inputSchema/],
    [{ type: 'object', properties: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`p${i}`, { type: 'boolean' }])) }, /inputSchema/],
    [{ type: 'object', properties: { __proto__x: { type: 'boolean' }, 'Bad-Name': { type: 'boolean' } } }, /inputSchema/],
    [{ type: 'object', properties: {}, additionalProperties: true }, /unknown key "additionalProperties"/],
    [{ type: 'array', properties: {} }, /inputSchema\/type/],
    [{ type: 'object', properties: { s: { type: 'string', maxLength: 1e9 } } }, /inputSchema/],
  ];
  for (const [schema, expected] of hostile) assert.match(problems(withSchema(schema)), expected, JSON.stringify(schema));
  assert.match(problems(withTool({ name: 'Add To List' })), /\/tools\/0\/name/);
  assert.match(problems(withTool({ name: 'x'.repeat(65) })), /\/tools\/0\/name/);
  assert.match(problems(withTool({ description: 'd'.repeat(501) })), /\/tools\/0\/description/);
  assert.match(problems(withTool({ clientScopes: ['root'] })), /clientScopes/);
  assert.match(problems({ ...good, tools: Array.from({ length: 17 }, (_, i) => ({ ...tool, name: `t${i}` })) }), /\/tools/);
});
