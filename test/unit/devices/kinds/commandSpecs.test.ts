import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMAND_SPECS, DEVICE_TYPES, deviceIntents, kindIntents, kindOf, kindsTaking, type KindCommandSpec } from '../../../../devices/kinds/index.js';
import { parseCommandBody } from '../../../../daemon/devices/commandBody.js';
import { toDeviceCommand } from '../../../../daemon/cloud/deviceCommand.js';
import { commandFrom, deviceTool, toolsFor } from '../../../../plugins/builtin/assistant/tools.js';
import { manifest as devicesManifest } from '../../../../plugins/builtin/devices/index.js';
import { DEVICE_COMMANDS, DEVICE_INTENTS, type DeviceView } from '../../../../plugins/sdk/index.js';
import { COMMAND_CAPABILITIES, type CommandSpecs } from '../../../../devices/kinds/commandSpec.js';
import { DEVICE_INTENTS as RESOLVE_DEVICE_INTENTS } from '../../../../daemon/intents/resolve.js';

/**
 * Every table of commands and device intents comes from the kinds' modules: walk the table of kinds and
 * check each declared command at each place that reads it (the command-body parser for the page and the
 * cloud, the assistant's tools), and each kind's intent in the devices plugin's manifest.
 */

const SAMPLE = { number: 42, text: 'eco', rgb: [255, 128, 0] } as const;

function declared(): Array<[kind: string, name: string, spec: KindCommandSpec]> {
  return DEVICE_TYPES.flatMap((t) => Object.entries(kindOf(t)!.commands).map(([name, spec]) => [t, name, spec as KindCommandSpec] as [string, string, KindCommandSpec]));
}

test('every command a kind declares parses through the command body (page, cloud) with exactly its parameter', () => {
  assert.ok(declared().length > 30);
  for (const [kind, name, spec] of declared()) {
    const at = `${kind}.${name}`;
    const p = spec.param;
    const params = p ? { [p.name]: SAMPLE[p.kind] } : undefined;
    const expected = p ? { command: name, params } : { command: name };
    assert.deepEqual(parseCommandBody({ device: 'd', command: name, ...(params ? { params } : {}) }).command, expected, at);
    // A cloud frame's params are flat (string, number, boolean: cloudFrames.ts), so a colour comes only from the page.
    if (p?.kind !== 'rgb') assert.deepEqual(toDeviceCommand(name, (params ?? {}) as Record<string, number | string>), expected, `${at} from the cloud`);
    assert.throws(() => parseCommandBody({ device: 'd', command: name, params: { surplus: 1 } }), { code: 'BAD_REQUEST' }, at);
    if (p && !p.optional) assert.throws(() => parseCommandBody({ device: 'd', command: name }), { code: 'BAD_REQUEST' }, `${at} without its ${p.name}`);
    if (p?.optional) assert.deepEqual(parseCommandBody({ device: 'd', command: name }).command, { command: name }, `${at} without its optional ${p.name}`);
    if (p) {
      const wrong = p.kind === 'number' ? 'many' : 7;
      assert.throws(() => parseCommandBody({ device: 'd', command: name, params: { [p.name]: wrong } }), { code: 'BAD_REQUEST' }, `${at} with a ${typeof wrong}`);
    }
  }
  assert.throws(() => toDeviceCommand('explode', {}), { code: 'DEVICE_UNSUPPORTED' });
});

test('every declared command is one tool, offered exactly when a controllable device has its capability (unless the kind keeps it from models)', () => {
  const view = (over: Partial<DeviceView>): DeviceView => ({ id: 'd', name: 'D', aliases: [], type: 'light', capabilities: [], state: {}, available: true, ...over });
  const options = { kinds: [...DEVICE_TYPES], areas: [] };
  const baseline = toolsFor([], options).map((t) => t.name);
  for (const [kind, name, spec] of declared()) {
    const at = `${kind}.${name}`;
    const offered = toolsFor([view({ type: kind as DeviceView['type'], capabilities: [spec.needs] })], options);
    const tool = offered.find((t) => t.name === name);
    assert.ok(!baseline.includes(name), `${at} is not offered without a device`);
    if (spec.tool === false) {
      assert.equal(tool, undefined, `${at} is kept from models`);
      assert.equal(deviceTool(name), undefined, at);
      continue;
    }
    assert.ok(tool, `${at} is offered with ${spec.needs}`);
    assert.equal(tool.description, spec.description, at);
    assert.equal(tool.input_schema.additionalProperties, false, at);
    const p = spec.param && !spec.param.optional ? spec.param : undefined;
    assert.deepEqual(tool.input_schema.required, p ? ['device_id', p.name] : ['device_id'], at);
    if (p) assert.deepEqual(tool.input_schema.properties[p.name], p.schema, at);
    // The tool's input becomes the same command the body parser makes.
    const input = { device_id: 'd', ...(p ? { [p.name]: SAMPLE[p.kind] } : {}) };
    assert.deepEqual(commandFrom(deviceTool(name)!, input), { command: p ? { command: name, params: { [p.name]: SAMPLE[p.kind] } } : { command: name } }, at);
  }
  // The two kinds that brought commands of their own get them as tools.
  const names = (type: DeviceView['type'], capabilities: DeviceView['capabilities']) => toolsFor([view({ type, capabilities })], options).map((t) => t.name);
  // (Tools come in the table's order of first declaration; which ones is what matters here.)
  assert.deepEqual(names('humidifier', ['onoff', 'target_humidity', 'mode']).slice(baseline.length).sort(), ['set_humidity', 'set_mode', 'turn_off', 'turn_on']);
  assert.deepEqual(names('water_heater', ['onoff', 'target_temperature', 'mode']).slice(baseline.length).sort(), ['set_mode', 'set_temperature', 'turn_off', 'turn_on']);
});

test('a command several kinds take has one spec; every command names the kinds that take it', () => {
  for (const [name, spec] of COMMAND_SPECS) {
    const kinds = kindsTaking(name);
    assert.ok(kinds.length > 0, name);
    for (const k of kinds) assert.deepEqual(kindOf(k)!.commands[name], spec, `${k}.${name}`);
  }
  assert.deepEqual(kindsTaking('set_mode'), ['fan', 'humidifier', 'water_heater']);
  assert.deepEqual(kindsTaking('set_temperature'), ['climate', 'water_heater']);
});

test('the devices plugin handles every device intent, the kinds\' own included', () => {
  const intents = devicesManifest.intents ?? [];
  assert.ok(kindIntents().length > 10);
  for (const intent of [...kindIntents(), 'HassTurnOn', 'HassGetState', 'HassClimateGetTemperature']) assert.ok(intents.includes(intent), intent);
  assert.deepEqual([...intents].sort(), [...deviceIntents()].sort());
  for (const t of DEVICE_TYPES) for (const intent of kindOf(t)!.intents ?? []) assert.ok(intents.includes(intent), `${t}: ${intent}`);
});

test('the SDK\'s device vocabulary, as the build wrote it (data), is the kinds\' table', () => {
  assert.deepEqual([...DEVICE_INTENTS], deviceIntents());
  // The intent engine's list of device intents (daemon/intents/resolve.ts) is the same, derived from the kinds too.
  assert.deepEqual([...RESOLVE_DEVICE_INTENTS], deviceIntents());
  assert.deepEqual(JSON.parse(JSON.stringify(DEVICE_COMMANDS)), [...COMMAND_SPECS].map(([command, s]) => JSON.parse(JSON.stringify({
    command, needs: s.needs, description: s.description, ...(s.param ? { param: s.param } : {}), tool: s.tool !== false,
  }))));
  assert.ok(Object.isFrozen(DEVICE_COMMANDS) && Object.isFrozen(DEVICE_COMMANDS[0]));
});

test('a command\'s needs is one of the declared capabilities: a typo does not compile, and every declared one is needed', () => {
  // Compile-time: this spec's typo ('onof') must be a type error (tsc fails on an unused @ts-expect-error),
  // so a misspelt `needs` can no longer create a capability nobody has.
  // @ts-expect-error 'onof' is not a declared capability
  const typo = { turn_up: { needs: 'onof', description: 'A typo.' } } as const satisfies CommandSpecs;
  assert.equal(typo.turn_up.needs, 'onof');
  // Run time: each declared capability is needed by some kind's command (the list holds no stale names).
  const needed = new Set([...COMMAND_SPECS.values()].map((s) => s.needs));
  assert.deepEqual([...COMMAND_CAPABILITIES].filter((c) => !needed.has(c)), []);
  assert.deepEqual([...needed].filter((c) => !(COMMAND_CAPABILITIES as readonly string[]).includes(c)), []);
});
