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
