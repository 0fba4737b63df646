import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGrammar, type GrammarHome } from '../../../daemon/speech/grammar/jsgfBuilder.js';
import { EN_SENTENCES } from '../../../daemon/intents/sentences/en.js';

const sayAll = (): boolean => true;

function rule(jsgf: string, name: string): string {
  const line = jsgf.split('\n').find((l) => l.startsWith(`<${name}> = `));
  assert.ok(line, `rule <${name}> in the grammar`);
  return line.slice(name.length + 5, -1);
}

test('a home with only a switch: no cover or lock sentences ("open the pond pump" cannot be heard)', () => {
  const home: GrammarHome = { devices: [{ name: 'Pond pump', aliases: [], area: 'garden', type: 'switch' }], areas: [] };
  const g = buildGrammar(home, EN_SENTENCES, sayAll);
  assert.ok(g.sentences > 0);
  assert.ok(!g.words.has('open'), 'no cover/lock verbs');
  assert.ok(!g.words.has('unlock'));
  assert.ok(g.words.has('pond') && g.words.has('pump') && g.words.has('off'));
  assert.match(g.jsgf, /^#JSGF V1\.0;\ngrammar voicehub;\npublic <command> = /);
});

test('names, areas and type words are restricted to the kinds a sentence block allows', () => {
  const home: GrammarHome = {
    devices: [
      { name: 'Pond pump', aliases: ['fountain'], area: 'garden', type: 'switch' },
      { name: 'Garage door', aliases: [], area: 'garage', type: 'cover' },
    ],
    areas: [{ name: 'garage', aliases: ['car port'] }],
  };
  const g = buildGrammar(home, EN_SENTENCES, sayAll);
  const covers = rule(g.jsgf, 'name_cover');
  assert.equal(covers, 'garage door');
  const switches = rule(g.jsgf, 'name_climate_fan_light_switch');
  assert.equal(switches, 'pond pump | fountain');
  assert.equal(rule(g.jsgf, 'area_cover'), 'garage | car port');
  // The cover block's type words are cover words only.
  const coverTypes = rule(g.jsgf, 'type_cover');
  assert.ok(coverTypes.includes('blinds') && !coverTypes.includes('plug'), coverTypes);
});

test('digits in names are spelled out; words without a pronunciation leave their phrase out and are reported', () => {
  const home: GrammarHome = {
    devices: [
      { name: 'Bedroom 2 lamp', aliases: [], type: 'light' },
      { name: 'Zorblax light', aliases: ['desk lamp'], type: 'light' },
    ],
    areas: [],
  };
  const g = buildGrammar(home, EN_SENTENCES, (w) => w !== 'zorblax');
  const names = rule(g.jsgf, 'name_climate_fan_light_switch');
  assert.equal(names, 'bedroom two lamp | desk lamp');
  assert.deepEqual(g.unsayable, ['Zorblax light']);
  assert.ok(!g.words.has('zorblax'));
});

test('numbers are spelled out in steps a command uses; percent and degrees are optional words', () => {
  const home: GrammarHome = { devices: [{ name: 'Desk lamp', aliases: [], type: 'light' }, { name: 'Thermostat', aliases: [], type: 'climate' }], areas: [] };
  const g = buildGrammar(home, EN_SENTENCES, sayAll);
  assert.match(rule(g.jsgf, 'percent'), /^\(zero \| five \| ten .* \| ninety five \| one hundred\) \[percent\] \| half \| full$/);
  assert.match(rule(g.jsgf, 'temperature'), /^\(five \| six .* \| twenty one .* \| thirty five\) \[degrees\]$/);
});

test('an empty home has a grammar that matches nothing rather than an invalid file', () => {
  const g = buildGrammar({ devices: [], areas: [] }, EN_SENTENCES, sayAll);
  assert.equal(g.sentences, 0);
  assert.match(g.jsgf, /public <command> = <VOID>;/);
});
