import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, renderTemplate, renderValueTemplate } from '../../../devices/template.js';

const json = { temperature: 21.456, t: '19.94', state: 'ON', nested: { x: 3 } };
const render = (tpl: string, value = '42.7', value_json: unknown = json) => renderTemplate(tpl, { value, value_json });
const ok = (tpl: string, value?: string, value_json?: unknown) => {
  const r = render(tpl, value, value_json);
  assert.ok(r.ok, `${tpl}: ${!r.ok ? `${r.code} ${r.reason}` : ''}`);
  return r.value;
};

test('the common Home Assistant value template forms', () => {
  assert.equal(ok('{{ value_json.temperature }}'), '21.456');
  assert.equal(ok('{{ value_json["temperature"] }}'), '21.456');
  assert.equal(ok('{{ value_json.t | float }}'), '19.94');
  assert.equal(ok('{{ (value_json.t | float) | round(1) }}'), '19.9');
  assert.equal(ok('{{ value | int }}'), '42');
  assert.equal(ok("{% if value_json.state == 'ON' %}on{% else %}off{% endif %}"), 'on');
  assert.equal(ok("{% if value_json.state == 'ON' %}on{% else %}off{% endif %}", '', { state: 'OFF' }), 'off');
  assert.equal(ok('{{ value_json.nested.x }}'), '3');
});

test('HA filters: default, lower, upper, float with a default, is_defined on a defined value, bool, to_json', () => {
  assert.equal(ok('{{ value_json.missing | default("n/a") }}'), 'n/a');
  assert.equal(ok('{{ value_json.state | lower }}'), 'on');
  assert.equal(ok('{{ "off" | upper }}'), 'OFF');
  assert.equal(ok('{{ "abc" | float(0) }}'), '0');
  assert.equal(ok('{{ value_json.temperature | is_defined }}'), '21.456');
  assert.equal(ok('{{ "on" | bool }}'), 'true');
  assert.equal(ok('{{ value_json.nested | to_json }}'), '{"x":3}');
  assert.equal(ok('{{ float(value) + 1 }}'), '43.7');
});

test('undefined values render empty, and value_json is undefined for a non-JSON payload', () => {
  assert.equal(ok('{{ value_json.nope.deeper }}'), '');
  const r = renderValueTemplate('{{ value_json.temperature }}', 'not json', undefined);
  assert.deepEqual(r, { ok: true, value: '' });
});

test('is_defined on an undefined value is a coded failure, as HA raises there', () => {
  const r = render('{{ value_json.missing | is_defined }}');
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.code, 'TEMPLATE_UNDEFINED');
});

test('a template that does not parse is TEMPLATE_INVALID and never throws', () => {
  const r = render('{{ value_json.temperature ');
  assert.equal(!r.ok && r.code, 'TEMPLATE_INVALID');
  assert.equal(render('{% if %}').ok, false);
});

test('a template that throws while rendering is TEMPLATE_FAILED', () => {
  const r = render('{{ value | from_json }}', 'not json');
  assert.equal(!r.ok && r.code, 'TEMPLATE_FAILED');
});

test('code execution through constructor lookups is refused before compiling', () => {
  for (const tpl of [
    '{{ range.constructor("return process")() }}',
    '{{ value.constructor.constructor("return 1")() }}',
    '{{ value_json["con" ~ "structor"] }}',
    '{{ value_json.__proto__ }}',
    '{{ cycler.constructor }}',
    '{% set k = "constructor" %}{{ value[k] }}',
  ]) {
    const r = render(tpl);
    assert.equal(!r.ok && r.code, 'TEMPLATE_FORBIDDEN', tpl);
  }
});

test('loops, macros, includes and string-blowing filters are refused', () => {
  for (const tpl of [
    '{% for x in value_json %}{{ x }}{% endfor %}',
    '{% macro m() %}x{% endmacro %}{{ m() }}',
    '{% include "x.html" %}',
    '{{ value | center(100000000) }}',
    "{{ value | replace('', 'xx') }}",
    '{{ value.repeat(100000000) }}',
  ]) {
    const r = render(tpl);
    assert.equal(!r.ok && r.code, 'TEMPLATE_FORBIDDEN', tpl);
  }
  assert.equal(ok("{{ value | replace('.', ',') }}"), '42,7');
  assert.equal(ok('{{ "a,b".split(",")[1] }}'), 'b');
});

test('templates are compiled once and cached: a second compile of the same source is the same verdict', () => {
  const src = '{{ value_json.cached_probe }}';
  assert.deepEqual(compileTemplate(src), { ok: true });
  assert.deepEqual(compileTemplate(src), { ok: true });
  assert.equal(compileTemplate('{{ x.constructor }}').ok, false);
  assert.equal(compileTemplate('x'.repeat(5000)).ok, false);
});

// Issue 11: templates are run by our own evaluator over a whitelisted parse tree.

const doubling = (tail: string) => '{% set a = "ab" %}' + '{% set a = a ~ a %}'.repeat(26) + tail;

test('the doubling-then-split template is refused when compiled; doubling alone stops at the string cap', () => {
  assert.equal((compileTemplate(doubling('{{ a.split("") | length }}')) as { code?: string }).code, 'TEMPLATE_FORBIDDEN');
  const r = render(doubling('{{ a | length }}'));
  assert.equal(!r.ok && r.code, 'TEMPLATE_TOO_LONG');
});

test('string methods cannot be reached through set, lookups or calls', () => {
  for (const tpl of [
    '{% set float = value.match %}{{ float("^(a+)+$") }}',
    '{% set value = 1 %}{{ value }}',
    '{{ value.match("^(a+)+$") }}',
    '{{ value.padStart(100000000) }}',
    '{{ value_json.x.repeat(9) }}',
    '{{ value | regex_replace("(a+)+$", "") }}',
    '{{ value | regex_findall("a") }}',
    '{{ r/(a+)+$/ }}',
    '{{ value | center(100000000) }}',
    '{{ value.split(value) }}',
    '{{ value | replace(value, "x") }}',
    '{% set x %}captured{% endset %}',
    '{{ value is divisibleby(3) }}',
    '{{ value | float(precision=2) }}',
  ]) {
    const r = compileTemplate(tpl);
    assert.equal(!r.ok && r.code, 'TEMPLATE_FORBIDDEN', tpl);
  }
  // A looked-up method name is just a missing key: nothing callable comes back.
  assert.equal(ok('{{ value_json.state.match }}{{ value_json.toString }}{{ value.length }}'), '');
});

test('striptags is linear, and string-building filters stop at the caps instead of growing', () => {
  const angle = '{% set a = "<<<<<<<<" %}' + '{% set a = a ~ a %}'.repeat(12) + '{{ a | striptags | length }}';
  assert.equal(ok(angle), '0');
  assert.equal(ok('{{ "<b>hot</b>   now" | striptags }}'), 'hot now');
  const blowUp = render(`{{ value | replace('a', '${'x'.repeat(3000)}') }}`, 'a'.repeat(1000));
  assert.equal(!blowUp.ok && blowUp.code, 'TEMPLATE_TOO_LONG');
  const manyParts = render('{{ value.split(",") | length }}', ','.repeat(5000));
  assert.equal(!manyParts.ok && manyParts.code, 'TEMPLATE_FAILED');
});

test('a template that keeps copying a large payload spends its work budget and stops', () => {
  const tpl = '{% set a = value ~ value %}' + '{% set b = a | lower %}'.repeat(100) + '{{ b | length }}';
  const r = render(tpl, 'A'.repeat(30_000));
  assert.equal(!r.ok && r.code, 'TEMPLATE_TOO_COSTLY');
  assert.equal(ok(tpl, 'AB'), '4');
});

test('deeply nested or huge templates are refused, not a stack overflow', () => {
  for (const tpl of ['{{ ' + '('.repeat(2000) + '1' + ')'.repeat(2000) + ' }}', '{{ 1' + ' ~ 1'.repeat(900) + ' }}', '{{ ' + 'not '.repeat(900) + '1 }}']) {
    const r = compileTemplate(tpl);
    assert.ok(!r.ok && ['TEMPLATE_FORBIDDEN', 'TEMPLATE_INVALID'].includes(r.code), tpl.slice(0, 20));
  }
});

test('forms Zigbee2MQTT, ESPHome, Tasmota and the HA docs publish keep working', () => {
  const tasmota = { POWER: 'ON', POWER1: 'OFF', ENERGY: { Power: 12.5, Today: 0.3 }, Dimmer: 40 };
  const z2m = { state: 'ON', brightness: 128, linkquality: 80, color_temp: 300, contact: false, temperature: 21.56 };
  const cases: Array<[string, unknown, string, string?]> = [
    ['{{ value_json.linkquality }}', z2m, '80'],
    ['{{ value_json.color_temp }}', z2m, '300'],
    ['{{ value_json.brightness | int }}', z2m, '128'],
    ["{{ 'ON' if value_json.state == 'ON' else 'OFF' }}", z2m, 'ON'],
    ['{{ value_json.contact }}', z2m, 'false'],
    ['{{ value_json.temperature | round(1) }}', z2m, '21.6'],
    ["{{ value_json['POWER'] }}", tasmota, 'ON'],
    ['{{ value_json.POWER1 }}', tasmota, 'OFF'],
    ['{{value_json.ENERGY.Power}}', tasmota, '12.5'],
    ['{{ value_json.Dimmer | default(0) }}', tasmota, '40'],
    ['{{ value }}', undefined, '23.5', '23.5'],
    ['{{ (value | float / 10) | round(1) }}', undefined, '23.5', '235'],
    ['{% if value_json.x is defined %}{{ value_json.x }}{% else %}none{% endif %}', { x: 4 }, '4'],
    ['{% if value_json.x is defined %}{{ value_json.x }}{% else %}none{% endif %}', {}, 'none'],
    ['{{ value_json.x | default(0) }}', {}, '0'],
    ['{{ value | float(0) }}', undefined, '0', 'n/a'],
    ['{{ value | int(0) }}', undefined, '7', '7.9'],
    ['{{ value_json.t | float(default=0) }}', { t: 'x' }, '0'],
    ['{{ value_json.state | lower }}', z2m, 'on'],
    ['{{ value_json | tojson }}', { a: [1, 'b'] }, '{"a":[1,"b"]}'],
    ['{{ (value | from_json).a }}', undefined, '1', '{"a":1}'],
    ['{{ value_json.on | bool }}', { on: 'yes' }, 'true'],
    ["{{ value_json.on | iif('open', 'closed') }}", { on: false }, 'closed'],
    ['{{ min(value_json.a, value_json.b) }} {{ [value_json.a, value_json.b] | max }}', { a: 3, b: 9 }, '3 9'],
    ["{{ '%.1f' | format(value_json.t) }}", { t: 21.449 }, '21.4'],
    ["{{ value.split(';')[1] | trim }}", undefined, 'b', 'a; b'],
    ["{% if value_json.s == 'on' %}1{% elif value_json.s == 'off' %}0{% else %}?{% endif %}", { s: 'off' }, '0'],
    ["{{ {'state': value_json.s, 'level': 3} | tojson }}", { s: 'on' }, '{"state":"on","level":3}'],
    ["{{ value_json.s in ['on', 'ON'] }}", { s: 'ON' }, 'true'],
    ['{{ value_json.a is none }} {{ value_json.b is not defined }}', { a: null }, 'true true'],
  ];
  for (const [tpl, valueJson, expected, value] of cases) {
    assert.equal(ok(tpl, value ?? JSON.stringify(valueJson), valueJson), expected, tpl);
  }
});
