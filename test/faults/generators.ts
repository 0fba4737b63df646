import fc from 'fast-check';
import { ABBREVIATIONS } from '../../devices/haAbbreviations.js';
import { jsonValue } from './fuzz.js';

/**
 * Generators for the device surfaces: templates from a grammar of nunjucks-like fragments (valid, nearly
 * valid and hostile), Home Assistant discovery configs with real and abbreviated keys, Zigbee2MQTT bridge
 * device lists. Shared by the in-process properties and those against the daemon.
 */

const ident = fc.constantFrom('value', 'value_json', 'x', 'loop', 'range', 'self', 'this', 'cycler', 'joiner',
  'namespace', 'constructor', '__proto__', 'prototype', 'caller', 'lipsum', 'states', 'now');
const filterName = fc.constantFrom('int', 'float', 'round', 'default', 'lower', 'upper', 'bool', 'to_json',
  'from_json', 'is_defined', 'replace', 'join', 'list', 'length', 'safe', 'string', 'abs', 'first', 'last',
  'sort', 'reverse', 'trim', 'title', 'dump', 'nl2br', 'urlencode', 'nofilter');
const literal = fc.oneof(fc.integer({ min: -1e6, max: 1e9 }).map(String), fc.double({ noNaN: true }).map(String),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)), fc.constantFrom("'ON'", '"off"', 'true', 'none', 'None', '[1,2,3]', '{}'));

/** Expressions: paths, literals, filters with arguments, arithmetic, comparisons, calls, subscripts. */
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    ident, literal,
    fc.tuple(tie('e'), fc.constantFrom('temperature', 'state', 'constructor', '__proto__', 'nested', 'x', 'length')).map(([a, b]) => `${a}.${b}`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `${a}[${b}]`),
    fc.tuple(tie('e'), filterName, fc.array(tie('e'), { maxLength: 2 })).map(([a, f, args]) => `${a} | ${f}${args.length ? `(${args.join(', ')})` : ''}`),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '//', '%', '**', '~', '==', '!=', '<', '>=', 'and', 'or', 'in', 'is'), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie('e'), fc.array(tie('e'), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(', ')})`),
    tie('e').map((a) => `not ${a}`),
  ),
})).e;

/** A template: text and tags, some well formed, some cut, nested or hostile. */
export const template: fc.Arbitrary<string> = fc.letrec<{ t: string }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 10 }),
    expr.map((e) => `{{ ${e} }}`),
    fc.tuple(expr, tie('t'), tie('t')).map(([c, a, b]) => `{% if ${c} %}${a}{% else %}${b}{% endif %}`),
    fc.tuple(fc.constantFrom('x', 'i'), expr, tie('t')).map(([v, e, body]) => `{% for ${v} in ${e} %}${body}{% endfor %}`),
    fc.tuple(fc.constantFrom('x', 'y'), expr).map(([v, e]) => `{% set ${v} = ${e} %}`),
    fc.constantFrom('{{', '}}', '{%', '%}', '{#', '#}', '{% endif %}', '{% raw %}', '{% macro m() %}', '{% include "x" %}',
      '{% import "x" as y %}', '{% extends "x" %}', '{% block b %}', '{% call m() %}', '{{ range(100000000) | list }}',
      '{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}', '{{ "x" * 100000000 }}'),
    fc.tuple(tie('t'), tie('t')).map(([a, b]) => a + b),
  ),
})).t;

const components = fc.oneof(fc.constantFrom('light', 'switch', 'sensor', 'binary_sensor', 'climate', 'cover', 'lock', 'fan',
  'valve', 'vacuum', 'button', 'scene', 'device_automation', 'alarm_control_panel', 'camera', '+', '#', ''), fc.string({ maxLength: 10 }));
export const objectId = fc.oneof(fc.constantFrom('lamp', 'lamp2', '__proto__', 'constructor', 'prototype', '..', '.'),
  fc.stringMatching(/^[a-zA-Z0-9_-]{1,20}$/), fc.string({ maxLength: 20 }));

/** A discovery topic under the prefix: well formed (with or without a node id) or not. */
export function discoveryTopic(prefix: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(components, objectId).map(([c, o]) => `${prefix}/${c}/${o}/config`),
    fc.tuple(components, objectId, objectId).map(([c, n, o]) => `${prefix}/${c}/${n}/${o}/config`),
    fc.array(fc.oneof(objectId, components), { minLength: 1, maxLength: 6 }).map((parts) => `${prefix}/${parts.join('/')}`),
  );
}

const abbreviated = Object.keys(ABBREVIATIONS);
const fullKeys = [...new Set(Object.values(ABBREVIATIONS))];
const configKey = fc.oneof(fc.constantFrom(...abbreviated), fc.constantFrom(...fullKeys),
  fc.constantFrom('~', 'name', 'unique_id', 'uniq_id', 'device', 'dev', 'schema', 'platform', 'p', 'components', 'cmps', 'state_topic', 'command_topic'));
/** Topics a discovery config may name: the fuzz client's own state topics, with `~` and wildcards. */
const configTopic = fc.oneof(fc.constantFrom('fuzz/a', 'fuzz/b', '~/state', '~/set', 'fuzz/#', 'fuzz/+/x', '#', '+', '', '$SYS/x'),
  fc.string({ maxLength: 30 }));
const configValue = fc.oneof(configTopic, template, jsonValue(), fc.constantFrom('ON', 'OFF', 'json', 'default', 'template'),
  fc.integer({ min: -10, max: 100_000 }));

/** A discovery config: real and abbreviated keys with topics, templates or any JSON as values. */
export const discoveryConfig: fc.Arbitrary<Record<string, unknown>> = fc.tuple(
  fc.dictionary(configKey, configValue, { maxKeys: 14 }),
  fc.option(fc.record({ ids: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), jsonValue()), name: fc.oneof(fc.string(), jsonValue()),
    suggested_area: fc.oneof(fc.string(), jsonValue()) }, { requiredKeys: [] })),
  fc.option(fc.dictionary(objectId, fc.dictionary(configKey, configValue, { maxKeys: 8 }), { maxKeys: 4 })),
).map(([base, device, cmps]) => ({ ...base, ...(device && { device }), ...(cmps && { cmps }) }));

/** A Zigbee2MQTT `bridge/devices` list: devices with the real fields, wrong types, odd exposes. */
const expose = fc.letrec<{ x: unknown }>((tie) => ({
  x: fc.oneof({ depthSize: 'small' },
    fc.record({ type: fc.constantFrom('binary', 'numeric', 'enum', 'text', 'composite', 'light', 'switch', 'lock', 'climate', 'fan', 'cover', 'list'),
      name: fc.oneof(fc.constantFrom('state', 'brightness', 'color_temp', 'color_xy', 'temperature', 'occupancy', 'contact', '__proto__'), fc.string({ maxLength: 10 })),
      property: fc.oneof(fc.constantFrom('state', 'brightness', 'temperature'), fc.string({ maxLength: 10 })),
      access: fc.oneof(fc.integer({ min: -1, max: 8 }), jsonValue()), value_on: jsonValue(), value_off: jsonValue(),
      value_min: jsonValue(), value_max: jsonValue(), values: jsonValue(), features: fc.array(tie('x'), { maxLength: 4 }) }, { requiredKeys: ['type'] }),
    jsonValue()),
})).x;
export const bridgeDevices: fc.Arbitrary<unknown> = fc.oneof(
  fc.array(fc.record({
    ieee_address: fc.oneof(fc.constantFrom('0x00158d0001a2b3c4', '0x0', '__proto__'), fc.string({ maxLength: 20 }), jsonValue()),
    friendly_name: fc.oneof(fc.constantFrom('lamp', 'a/b', '#', '+', '', 'bridge', '__proto__'), fc.string({ maxLength: 30 }), jsonValue()),
    type: fc.oneof(fc.constantFrom('Router', 'EndDevice', 'Coordinator'), jsonValue()),
    supported: fc.oneof(fc.boolean(), jsonValue()), disabled: fc.oneof(fc.boolean(), jsonValue()),
    definition: fc.oneof(fc.record({ model: fc.string(), vendor: fc.string(), description: fc.string(), exposes: fc.array(expose, { maxLength: 6 }) }, { requiredKeys: [] }), jsonValue()),
  }, { requiredKeys: [] }), { maxLength: 8 }),
  jsonValue(),
);
