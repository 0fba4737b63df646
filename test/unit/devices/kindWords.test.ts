import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEVICE_TYPES, kindNoun, kindOf, typeWordGroups } from '../../../devices/kinds/index.js';
import { staticLists } from '../../../daemon/intents/lists.js';
import { nameTokens } from '../../../daemon/intents/normalize.js';
import type { TypeSlot } from '../../../daemon/intents/types.js';

/** The sentence lists' type words come from the kinds' own modules (devices/kinds/<kind>.ts `typeWords`). */
describe('type words per kind', () => {
  test('every kind has a reply noun in both languages', () => {
    for (const t of DEVICE_TYPES) {
      assert.ok(kindNoun(t, 'en').length > 0 && kindNoun(t, 'zh').length > 0, t);
      assert.notEqual(kindNoun(t, 'en'), t, `${t} has a spoken noun, not its id`);
    }
    assert.equal(kindNoun('lock', 'zh'), '锁');
  });

  test('no word is claimed by two kinds: a word that means several lists them in `shared`', () => {
    const seen = new Map<string, string>();
    for (const g of typeWordGroups()) {
      for (const w of [...g.one, ...g.many]) {
        assert.ok(!seen.has(w), `"${w}" listed by ${seen.get(w)} and ${g.domains[0]}`);
        seen.set(w, g.domains[0]);
      }
    }
  });

  test('each kind\'s words reach the sentence lists with that kind first', () => {
    const types = staticLists.get('type')!;
    for (const t of DEVICE_TYPES) {
      for (const g of kindOf(t)!.typeWords) {
        for (const w of [...g.en, ...g.zh]) {
          const found = types.get(nameTokens(w)) as TypeSlot | undefined;
          assert.ok(found, `${t}: "${w}" is in the type list`);
          const slot = found!;
          assert.equal(slot.domains[0], t, w);
          assert.deepEqual(slot.domains.slice(1), [...(g.shared ?? [])], w);
        }
      }
    }
  });

  test('"door" can be a lock, a cover or a contact; "blinds" only a shade', () => {
    const door = typeWordGroups().find((g) => g.one.includes('door'))!;
    assert.deepEqual(door.domains, ['lock', 'cover', 'binary_sensor']);
    assert.equal(door.kind, 'door');
    assert.equal(typeWordGroups().find((g) => g.one.includes('blinds'))!.kind, 'shade');
  });
});
