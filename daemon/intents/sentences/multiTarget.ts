/**
 * Two targets in one command: "turn on the kitchen and the hallway lights", "turn off the desk lamp and the
 * floor lamp", "打开客厅和卧室的灯", "关掉台灯和落地灯": one reply, one action per device. The second room or
 * name fills `area2` / `name2` (the `{list:slot}` form); resolve.ts resolves each and joins them. Kept apart
 * from en.ts and zh.ts and merged into the built-in sentences by the engine (one line there).
 */
import type { SentenceBlock } from '../types.js';

const ON = '(turn|switch|power|put) on';
const OFF = '(turn|switch|power|put|shut) off';
const BOTH_AREAS = '{area} and [in] {area:area2}';
const BOTH_NAMES = '{name} and {name:name2}';
const DOMAINS = ['light', 'switch', 'fan', 'climate'] as const;

function en(verb: string, particle: string): string[] {
  return [
    `${verb} ${BOTH_AREAS} {type}`, `${verb} {type} in ${BOTH_AREAS}`, `(turn|switch|put) ${BOTH_AREAS} {type} ${particle}`,
    `(turn|switch|put) {type} in ${BOTH_AREAS} ${particle}`, `${verb} ${BOTH_NAMES}`, `(turn|switch|put) ${BOTH_NAMES} ${particle}`,
    `${BOTH_NAMES} ${particle}`,
  ];
}

function zh(verb: string): string[] {
  return [
    `${verb}{area}和{area:area2}[里|里面][所有|全部][{type}]`, `把{area}和{area:area2}[里|里面]{type}${verb}`, `{area}和{area:area2}[里|里面]{type}${verb}`,
    `${verb}{name}和{name:name2}`, `把{name}和{name:name2}${verb}`, `{name}和{name:name2}${verb}`,
  ];
}

export const MULTI_TARGET: Readonly<Record<'en' | 'zh', Readonly<Record<string, readonly SentenceBlock[]>>>> = {
  en: {
    HassTurnOn: [{ domains: [...DOMAINS], sentences: en(ON, 'on') }],
    HassTurnOff: [{ domains: [...DOMAINS], sentences: en(OFF, 'off') }],
  },
  zh: {
    HassTurnOn: [{ domains: [...DOMAINS], sentences: zh('<on>') }],
    HassTurnOff: [{ domains: [...DOMAINS], sentences: zh('<off>') }],
  },
};
