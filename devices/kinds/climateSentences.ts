import type { KindSentences } from './kind.js';

/**
 * A thermostat's modes and presets by voice (devices/kinds/climate.ts): one intent, HassClimateSetMode, whose `mode`
 * is an HVAC mode in fixed words (`{hvac_mode}`: "cooling", 制冷), a preset the home's thermostats announce
 * (`{device_mode}`, daemon/intents/deviceModes.ts) or a usual preset word (`{climate_preset}`: eco, away, 节能).
 * Which one a thermostat takes is its own: an HVAC mode it lists, else a preset it lists, else nothing is sent
 * (daemon/intents/resolve.ts). And "what mode is the thermostat in" (HassGetState asking `mode`).
 */
const M = '{MODE}';

/**
 * Each template once per word list rather than one alternation of the three: a template whose list is a fixed one
 * is tried only when the utterance holds a word that can start it (the engine's `needsLists`), so the sentences
 * cost little in a home whose thermostats nobody is speaking to. The live list is no fixed one: its Chinese
 * variants need 模式 (`needsTokens`), and a device's own word without 模式 is still heard when the table knows it.
 */
const OPTIONAL_EN_MODE_WORD = /\{MODE\} \[(mode\|preset[^\]]*)\]/;
const OPTIONAL_MODE_WORD = /\{MODE\}\[([^\]]*\u6a21\u5f0f[^\]]*)\]/;

function variants(lang: 'en' | 'zh', templates: readonly string[]): string[] {
  return templates.flatMap((t) => [
    t.replace(M, '{hvac_mode:mode}'), t.replace(M, '{climate_preset:mode}'),
    ...(lang === 'en' ? [t.replace(OPTIONAL_EN_MODE_WORD, '{device_mode:mode} ($1)').replace(M, '{device_mode:mode}')]
      : t.includes(`${M}模式`) ? [t.replace(M, '{device_mode:mode}')]
      : OPTIONAL_MODE_WORD.test(t) ? [t.replace(OPTIONAL_MODE_WORD, '{device_mode:mode}($1)')] : []),
  ]);
}

export const CLIMATE_SENTENCES: KindSentences = {
  en: {
    HassClimateSetMode: [{
      domains: ['climate'],
      sentences: variants('en', [
        `(set|put|turn|change|switch|run) <target> [mode|preset] (to|into|in|on) ${M} [mode|preset|setting]`,
        `(set|change|switch) [the] [hvac|operating|operation] (mode|preset) (of|on|for) <target> <to> ${M}`,
        `<target> [to] ${M} (mode|preset)`, `<target> to ${M}`,
        `(use|enable|activate|start|turn on|switch on|select) ${M} [mode|preset] (on|of|for|in) <target>`,
        `(switch|change|go|set) [it] to ${M} (mode|preset)`, `${M} (mode|preset) [<in_area>]`,
        `(use|enable|activate|start|turn on|switch on|select) ${M} (mode|preset) [<in_area>]`,
      ]),
    }],
    HassGetState: [{
      domains: ['climate'],
      slots: { asked: 'mode' },
      sentences: [
        'what [hvac|operating] (mode|preset) is <target> [in|on|set to|running]', 'which (mode|preset) is <target> [in|on|set to]',
        'what is <target> (mode|preset)', 'what is [the] [current] [hvac] (mode|preset) (of|on|for) <target>',
        'is <target> (heating|cooling) or (cooling|heating)', 'what mode is [the] (heating|ac|aircon|air conditioning) [<in_area>] (in|on)',
      ],
    }],
  },
  zh: {
    HassClimateSetMode: [{
      domains: ['climate'],
      sentences: variants('zh', [
        `<target>[模式]<setto>${M}[模式|档]`, `<setto><target>[到|为|成]${M}[模式]`,
        `<target>(切换|切|换|转|改)(到|为|成)[模式]${M}[模式]`,
        `<target>(开|用|开启|打开|启动|启用)[到]${M}[模式]`, `(开|开启|打开|启动|启用|切换到|切到|调到|换到|改成|用)<target>[的]${M}模式`,
        `<target>${M}模式`, `(开|开启|打开|启动|启用|切换到|切到|调到|换到|改成|用)${M}模式`, `[<where>]${M}模式`,
      ]),
    }],
    HassGetState: [{
      domains: ['climate'],
      slots: { asked: 'mode' },
      sentences: [
        '<target>[现在|目前|当前](是|在|开的是|用的是|开着|处于)(什么|哪个|啥|哪种)模式[<ask>]', '<target>[现在|目前|当前]的模式是(什么|啥|哪个)[<ask>]',
        '<target>[现在|目前|当前](开的|用的|是)(什么|啥)模式[<ask>]', '<target>[现在|目前|当前]是制冷还是制热[<ask>]',
      ],
    }],
  },
};
