/**
 * Floors (`floors:` in the config, each area naming its `floor`): the spoken forms of each floor — its key,
 * its aliases, then the words people use for a level ("ground floor", "first floor", "二楼", "一层",
 * "basement") — and "upstairs"/"downstairs"/"楼上"/"楼下" by level: upstairs is every floor above level 0,
 * downstairs the level-0 floor (the lowest one when there is none at 0). A configured name or alias always
 * wins over a derived word. Data and a trie; resolve.ts filters devices by their area's floor.
 */
import { TokenTrie } from './lists.js';
import { joinTokens, nameTokens } from './normalize.js';
import type { FloorSlot, IntentFloor } from './types.js';

const EN_ORDINALS = ['ground', 'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'];
const ZH_NUMBERS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** Words for one level: "first floor", "level 1", "二楼"/"二层" (Chinese counts the ground floor as 一楼). */
function levelWords(level: number): string[] {
  const out: string[] = [];
  if (level >= 0 && level < EN_ORDINALS.length) out.push(`${EN_ORDINALS[level]} floor`);
  if (level === 0) out.push('ground level', 'main floor');
  if (level === -1) out.push('basement', 'cellar', 'lower level', '地下室', '负一楼', '负一层', '地下一层');
  if (level >= 0 && level < ZH_NUMBERS.length) out.push(`${ZH_NUMBERS[level]}楼`, `${ZH_NUMBERS[level]}层`);
  out.push(`level ${level}`);
  return out;
}

export function buildFloors(floors: readonly IntentFloor[]): TokenTrie<FloorSlot> {
  const trie = new TokenTrie<FloorSlot>();
  const add = (form: string, ids: string[]) => {
    const tokens = nameTokens(form);
    if (tokens.length > 0 && ids.length > 0) trie.add(tokens, () => ({ ids, text: joinTokens(tokens) }));
  };
  for (const f of floors) for (const form of [f.name, f.name.replace(/_/g, ' '), ...(f.aliases ?? [])]) add(form, [f.name]);
  for (const f of floors) for (const form of levelWords(f.level ?? 0)) add(form, [f.name]);
  const levels = floors.map((f) => f.level ?? 0);
  const up = floors.filter((f) => (f.level ?? 0) > 0).map((f) => f.name);
  const ground = levels.includes(0) ? 0 : Math.min(...levels.filter((l) => l >= 0));
  const down = floors.filter((f) => (f.level ?? 0) === ground).map((f) => f.name);
  for (const form of ['upstairs', 'up stairs', 'upper floor', 'upper floors', '楼上']) add(form, up);
  for (const form of ['downstairs', 'down stairs', '楼下']) add(form, down);
  const top = Math.max(...levels);
  if (floors.length > 1) for (const form of ['top floor', '顶楼', '顶层']) add(form, floors.filter((f) => (f.level ?? 0) === top).map((f) => f.name));
  return trie;
}
