/**
 * The engine's shortcuts that keep a template from being tried (engine.ts): the start lists kept per first token,
 * the words a template always ends with, the numbers it must read. Each must only ever skip templates that could not
 * match: the corpus test checks the outcomes; these check the shortcuts' own edges.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeviceLists, IntentEngine } from '../../../daemon/intents/index.js';
import type { IntentDevice } from '../../../daemon/intents/index.js';
import { lastTokens, TemplateCompiler } from '../../../daemon/intents/template.js';

const light = (id: string, name: string, area?: string): IntentDevice => ({ id, name, aliases: [], type: 'light', ...(area ? { area } : {}) });

describe('template shortcuts', () => {
  test('the start lists kept per first token follow the names: a device added under a new first word is heard at once', () => {
    // "{name} and {name:name2} on" is the one English sentence only a name can start.
    const engine = new IntentEngine({ recentMatches: 0 });
    engine.setLists({ devices: [light('a', 'Desk Lamp')] });
    const text = 'zebra lamp and desk lamp on';
    // "zebra" starts no name yet: its start list is made (and kept) without the name-led sentences.
    assert.equal(engine.match(text)?.slots.name2, undefined);
    // Same kinds, so the template index stays; the start lists must not.
    engine.setLists({ devices: [light('a', 'Desk Lamp'), light('b', 'Zebra Lamp')] });
    const m = engine.match(text);
    assert.equal(m?.intent, 'HassTurnOn');
    assert.deepEqual([m?.slots.name?.ids, (m?.slots.name2 as { ids?: string[] } | undefined)?.ids], [['b'], ['a']]);
    // And a name taken away is not heard from a kept list.
    engine.setLists({ devices: [light('a', 'Desk Lamp')] });
    assert.equal(engine.match(text)?.slots.name2, undefined);
  });

  test('an area added under a new first word is heard at once too', () => {
    const engine = new IntentEngine({ recentMatches: 0 });
    engine.setLists({ devices: [light('a', 'Lamp', 'Kitchen')], areas: [{ name: 'Kitchen' }] });
    assert.equal(engine.match('turn on the lights in the sunroom')?.slots.area, undefined);
    engine.setLists({ devices: [light('a', 'Lamp', 'Kitchen'), light('b', 'Lamp', 'Sunroom')], areas: [{ name: 'Kitchen' }, { name: 'Sunroom' }] });
    assert.equal(engine.match('sunroom lights on')?.slots.area?.name, 'Sunroom');
  });

  test('lastTokens: the words every parse ends with, or null when a slot or nothing may end it', () => {
    const c = new TemplateCompiler({ on: '(打开|开)' });
    const last = (t: string) => { const s = lastTokens(c.compile(t)); return s ? [...s].sort() : null; };
    assert.deepEqual(last('turn on {name}'), null);
    assert.deepEqual(last('{name} (on|off)'), ['off', 'on']);
    assert.deepEqual(last('{name} on [quickly]'), ['on', 'quickly']);
    assert.deepEqual(last('{name}<on>'), ['开']);
    assert.deepEqual(last('{name}(亮|亮起来)[吧]'), ['亮', '吧', '来']);
    assert.deepEqual(last('{name} [(on|{area})]'), null);
    assert.deepEqual(last('[quickly]'), null);
  });

  test('a sentence that needs a number is still tried when the number is said in words, digits or Chinese', () => {
    const engine = new IntentEngine({ recentMatches: 0 });
    engine.setLists({ devices: [light('a', 'Desk Lamp')] });
    for (const text of ['set the desk lamp to forty percent', 'set the desk lamp to 40%', 'dim the desk lamp to half', '把台灯调到百分之四十', 'set the desk lamp to its lowest setting']) {
      assert.equal(engine.match(text)?.intent, 'HassLightSet', text);
    }
  });
});

describe('remembered lookups of the device lists', () => {
  test('an area known only from a device is found, and again from memory; a changed list forgets', () => {
    const lists = DeviceLists.build({ devices: [light('a', 'Lamp', 'Sunroom')], areas: [{ name: 'Kitchen' }] });
    assert.equal(lists.areaId('Sunroom'), 'sunroom');
    assert.equal(lists.areaId('Sunroom'), 'sunroom');
    assert.equal(lists.areaId('Attic'), undefined);
    assert.equal(lists.areaId('Attic'), undefined);
    const next = DeviceLists.build({ devices: [light('a', 'Lamp', 'Attic')] });
    assert.equal(next.areaId('Attic'), 'attic');
  });

  test('several kinds at once come in list order, the same each time', () => {
    const lists = DeviceLists.build({ devices: [
      light('a', 'Lamp'), { id: 's', name: 'Probe', aliases: [], type: 'sensor', deviceClass: 'temperature' },
      { id: 'c', name: 'Heating', aliases: [], type: 'climate' }, light('b', 'Spot'),
    ] });
    assert.deepEqual(lists.ofTypes(['climate', 'sensor']).map((d) => d.id), ['s', 'c']);
    assert.deepEqual(lists.ofTypes(['climate', 'sensor']).map((d) => d.id), ['s', 'c']);
    assert.deepEqual(lists.ofTypes(['light', 'sensor']).map((d) => d.id), ['a', 's', 'b']);
  });

  test('a battery level is still read off a lock, a temperature off a thermostat and a sensor', () => {
    const engine = new IntentEngine({ recentMatches: 0 });
    engine.setLists({ devices: [
      { id: 'l', name: 'Front Door', aliases: [], type: 'lock', area: 'Hall', state: { battery: 61 } },
      { id: 't', name: 'Heating', aliases: [], type: 'climate', area: 'Hall' },
      light('x', 'Hall Lamp', 'Hall'),
    ] });
    const targets = (text: string) => { const r = engine.resolve(engine.match(text)!); return 'devices' in r ? r.devices.map((d) => d.id) : r.error; };
    assert.deepEqual(targets("what's the battery level in the hall"), ['l']);
    assert.deepEqual(targets("what's the temperature in the hall"), ['t']);
  });
});
