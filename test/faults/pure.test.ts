import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, sep } from 'node:path';
import fc from 'fast-check';
import { compileTemplate, renderTemplate, renderValueTemplate } from '../../devices/template.js';
import { parseDiscovery, parseDiscoveryTopic } from '../../devices/haDiscovery.js';
import { parseBridgeDevices } from '../../devices/zigbee2mqtt.js';
import { decodePayload } from '../../devices/payload.js';
import { filterCovers, isValidTopicFilter, isValidTopicName, topicMatches } from '../../daemon/mqtt/topicFilter.js';
import { normalize, tokenize } from '../../daemon/intents/normalize.js';
import { parseDuration, parseNumber, parsePercent, parseTemperature } from '../../daemon/intents/numbers.js';
import { validateManifest } from '../../daemon/plugins/manifest.js';
import { isHubError } from '../../daemon/core/errors.js';
import { DOCUMENTED_CODES, IN_PROCESS_HEAP_SLACK_MB, deepJson, heapAfterGcMB, jsonValue, params } from './fuzz.js';
import { bridgeDevices, discoveryConfig, discoveryTopic, template } from './generators.js';

/**
 * Pure logic fuzzed in-process against the compiled modules (faster than through a daemon, so more runs):
 * the template evaluator, discovery and Zigbee2MQTT parsers, payload decoding, MQTT topic filters, and the
 * intent engine's text normaliser and number readers. None may throw; every failure carries a documented code.
 */

const bytes = fc.oneof(fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)), jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  deepJson.map((s) => Buffer.from(s)));

/** The heap with every module loaded, before any property: "memory back near baseline after" (the last test). */
const heapBefore = heapAfterGcMB();

function documented(code: string): void {
  assert.ok(DOCUMENTED_CODES.has(code), `undocumented code ${code}`);
}

test('templates from the grammar: compile and render never throw, answer ok or a documented code, and output stays bounded', () => {
  fc.assert(fc.property(template, fc.string({ maxLength: 40 }), jsonValue(['temperature', 'state', 'x', 'nested']), (tpl, value, json) => {
    const compiled = compileTemplate(tpl);
    if (!compiled.ok) documented(compiled.code);
    for (const r of [renderTemplate(tpl, { value, value_json: json }), renderValueTemplate(tpl, value, json)]) {
      if (!r.ok) documented(r.code);
      else assert.ok(r.value.length <= 1_000_000, `output of ${r.value.length} chars`);
    }
  }), params(2000));
});

test('discovery: any topic and payload (configs with real and abbreviated keys, bytes, deep JSON) parse to a result, never a throw', () => {
  fc.assert(fc.property(discoveryTopic('homeassistant'), fc.oneof(discoveryConfig.map((c) => Buffer.from(JSON.stringify(c))), bytes), (topic, payload) => {
    const r = parseDiscovery(topic, payload, 'homeassistant');
    if (r.kind === 'invalid') documented(r.code);
    if (r.kind === 'config') {
      for (const p of r.problems) documented(p.code);
      for (const e of r.entities) assert.equal(typeof e.device.id, 'string');
    }
    // A topic the parser accepts is one HA would: its parts are ids.
    if (!parseDiscoveryTopic(topic, 'homeassistant')) assert.equal(r.kind, 'invalid');
  }), params(2000));
});

test('Zigbee2MQTT bridge/devices: any list of devices or bytes parses to devices or a documented code', () => {
  fc.assert(fc.property(fc.oneof(bridgeDevices.map((l) => Buffer.from(JSON.stringify(l) ?? '')), bytes), (payload) => {
    const r = parseBridgeDevices(payload, 'zigbee2mqtt');
    if (!r.ok) documented(r.code);
    else for (const d of r.devices) assert.equal(typeof d.id, 'string');
  }), params(2000));
});

test('payload decoding: any bytes decode or fail with a documented code', () => {
  fc.assert(fc.property(fc.string({ maxLength: 30 }), bytes, (topic, payload) => {
    const r = decodePayload(topic, payload);
    if (!r.ok) documented(r.code);
  }), params(2000));
});

// Levels from a small alphabet so that filters and topics meet often; `$` levels test [MQTT-4.7.2-1].
const level = fc.constantFrom('a', 'b', 'c', '', '$SYS');
const filterLevels = fc.array(fc.oneof(level, fc.constant('+')), { minLength: 1, maxLength: 4 })
  .chain((ls) => fc.boolean().map((hash) => (hash ? [...ls, '#'] : ls)))
  .filter((ls) => ls.join('/') !== ''); // an empty filter is not one (MQTT-4.7.3-1)
/** A topic the filter must match: each `+` one plain level, `#` zero or more. */
function topicFor(levels: string[]): fc.Arbitrary<string> {
  const plain = fc.constantFrom('a', 'b', 'x', '');
  return fc.tuple(...levels.map((l) => (l === '+' ? plain.map((p) => [p]) : l === '#' ? fc.array(plain, { maxLength: 3 }) : fc.constant([l]))))
    .map((parts) => {
      const flat = parts.flat();
      return flat.join('/');
    })
    .filter((t) => t.length > 0 && !(levels[0] === '#' && t.startsWith('$')));
}

test('topic filters: a filter matches every topic made from it; a covering pattern matches them too', () => {
  fc.assert(fc.property(filterLevels, filterLevels, (fl, pl) => {
    const filter = fl.join('/');
    const pattern = pl.join('/');
    assert.ok(isValidTopicFilter(filter) && isValidTopicFilter(pattern));
    fc.assert(fc.property(topicFor(fl), (topic) => {
      if (!isValidTopicName(topic)) return;
      // A zero-level '#' on a filter of one level ('#' alone) leaves no topic; `$` first levels only match literally.
      if ((fl[0] === '+' || fl[0] === '#') && topic.startsWith('$')) return;
      assert.ok(topicMatches(filter, topic), `${filter} should match ${topic}`);
      if (filterCovers(pattern, filter)) assert.ok(topicMatches(pattern, topic), `${pattern} covers ${filter} but not ${topic}`);
    }), { numRuns: 10 });
  }), params(1000));
});

test('the normaliser: tokenize and normalize never throw and normalize is idempotent; number readers answer a finite number or null', () => {
  const text = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.array(fc.constantFrom('twenty', 'one', 'hundred', '25', '%', 'percent', '度', '二十', '五', '分钟', 'minutes', 'and', '-', '.', '1e308', ' '), { maxLength: 8 }).map((w) => w.join(' ')));
  fc.assert(fc.property(text, (s) => {
    tokenize(s);
    const n = normalize(s);
    assert.equal(normalize(n), n, `normalize is not idempotent on ${JSON.stringify(s)}`);
    for (const read of [parseNumber, parseDuration, parsePercent, parseTemperature]) {
      const v = read(s);
      assert.ok(v === null || Number.isFinite(v), `${read.name}(${JSON.stringify(s)}) = ${v}`);
    }
  }), params(2000));
});

test('plugin ids, the one file name a plugin chooses (its document, `plugin-<id>.json`): any id with traversal, separators or odd bytes is refused with PLUGIN_MANIFEST_INVALID; an accepted one names a file inside the data dir', () => {
  const segment = fc.oneof(fc.constantFrom('..', '.', '', 'com', 'example', '%2e%2e', '\\', '/', 'a/b', '..\\..', '\u0000', 'x'), fc.string({ maxLength: 8 }));
  const id = fc.oneof(fc.array(segment, { minLength: 1, maxLength: 5 }).map((p) => p.join('.')), fc.array(segment, { minLength: 1, maxLength: 5 }).map((p) => p.join('/')), fc.string({ maxLength: 30 }),
    fc.stringMatching(/^[a-z0-9-]{1,8}(\.[a-z0-9-]{1,8}){1,3}$/));
  const dataDir = resolve('/srv/voicehub/data');
  fc.assert(fc.property(id, (pluginId) => {
    let accepted: string;
    try {
      accepted = validateManifest({ id: pluginId, version: '1.0.0', capabilities: ['x'], requiredScopes: [] }, '0.1.0').id;
    } catch (err) {
      assert.ok(isHubError(err) && err.code === 'PLUGIN_MANIFEST_INVALID', `${JSON.stringify(pluginId)}: ${String(err)}`);
      return;
    }
    const file = resolve(join(dataDir, `plugin-${accepted}.json`));
    assert.ok(file.startsWith(dataDir + sep) && !file.slice(dataDir.length + 1).includes(sep), `${JSON.stringify(pluginId)} names ${file}`);
  }), params(2000));
});

test('after the in-process properties: this process\'s heap is back near where it started (every cache they filled is bounded)', () => {
  const heapAfter = heapAfterGcMB();
  console.log(`pure fuzz: heap in use after full collections ${heapBefore.toFixed(1)} → ${heapAfter.toFixed(1)} MB (tolerance + ${IN_PROCESS_HEAP_SLACK_MB} MB)`);
  assert.ok(heapAfter <= heapBefore + IN_PROCESS_HEAP_SLACK_MB, `heap ${heapBefore.toFixed(1)} → ${heapAfter.toFixed(1)} MB`);
});
