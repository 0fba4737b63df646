import type { IntentEngine } from '../../daemon/intents/index.js';
import { SENTENCES as BASICS } from '../../plugins/builtin/basics/sentences.js';
import { SENTENCES as LISTS } from '../../plugins/builtin/lists/sentences.js';
import { SENTENCES as SYSTEM } from '../../plugins/builtin/system/sentences.js';
import { SENTENCES as TIMERS } from '../../plugins/builtin/timers/sentences.js';
import { SENTENCES as WEATHER } from '../../plugins/builtin/weather/sentences.js';

/**
 * The sentences the bundled plugins register for their own intents (time and date, never mind, broadcast,
 * lists, timers, hub status, weather), in the
 * order the plugin host loads them (plugins/builtin, by folder name). The core sentence files hold only
 * device intents, so an engine built outside the hub adds these to hear what the running hub hears.
 */
const BUNDLED: ReadonlyArray<[owner: string, sentences: Record<'en' | 'zh', Record<string, string[]>>]> = [
  ['voicehub.basics', BASICS],
  ['voicehub.lists', LISTS],
  ['voicehub.system', SYSTEM],
  ['voicehub.timers', TIMERS],
  ['com.example.weather', WEATHER],
];

export function addBundledPluginSentences(engine: IntentEngine): IntentEngine {
  for (const [owner, byLang] of BUNDLED) {
    for (const lang of ['en', 'zh'] as const) {
      for (const [intent, sentences] of Object.entries(byLang[lang])) engine.addSentences(lang, intent, sentences, { owner });
    }
  }
  return engine;
}
