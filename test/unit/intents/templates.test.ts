/**
 * Every built-in template (device sentences and the bundled plugins' own) compiles to what its author meant:
 * each `[optional]` part can be left out and put in, each alternative can be said, and nothing in the text
 * is silently dropped. Checked by writing out two sentences per template from the parsed syntax (shortest:
 * optional parts out, first alternatives; longest: optional parts in, last alternatives) and running the
 * compiled template on them, with slots standing for one placeholder token each.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseTemplate, TemplateCompiler } from '../../../daemon/intents/template.js';
import { Matcher } from '../../../daemon/intents/matcher.js';
import { nameTokens } from '../../../daemon/intents/normalize.js';
import { IntentEngine } from '../../../daemon/intents/index.js';
import { EN_SENTENCES } from '../../../daemon/intents/sentences/en.js';
import { ZH_SENTENCES } from '../../../daemon/intents/sentences/zh.js';
import { SENTENCES as SYSTEM } from '../../../plugins/builtin/system/sentences.js';
import { SENTENCES as TIMERS } from '../../../plugins/builtin/timers/sentences.js';
import { SENTENCES as WEATHER } from '../../../plugins/builtin/weather/sentences.js';
import type { LangSentences } from '../../../daemon/intents/types.js';
import { expectIntent, homeEngine } from './fixture.js';

type Ast = ReturnType<typeof parseTemplate>;

/** One sentence a template says: `longest` takes every optional part and the last alternative. */
function writeOut(ast: Ast, rules: Readonly<Record<string, string>>, longest: boolean, depth = 0): string {
  assert.ok(depth < 20, 'rules nest too deep');
  switch (ast.t) {
    case 'text': return ast.s;
    case 'slot': return ` zz${ast.list.replace(/_/g, '')} `;
    case 'rule': return ` ${writeOut(parseTemplate(rules[ast.name]), rules, longest, depth + 1)} `;
    case 'seq': return ast.items.map((i) => writeOut(i, rules, longest, depth)).join('');
    case 'alt':
      if (ast.optional && !longest) return ' ';
      return ` ${writeOut(longest ? ast.opts[ast.opts.length - 1] : ast.opts[0], rules, longest, depth)} `;
  }
}

/** Placeholder tokens `zz<list>` read as one token of that list. */
const placeholderReader = (list: string, tokens: readonly string[], i: number) =>
  tokens[i] === `zz${list.replace(/_/g, '')}` ? [{ end: i + 1, value: tokens[i] }] : [];

function allTemplates(): { lang: 'en' | 'zh'; intent: string; template: string; rules: Readonly<Record<string, string>> }[] {
  const out: { lang: 'en' | 'zh'; intent: string; template: string; rules: Readonly<Record<string, string>> }[] = [];
  const builtins: LangSentences[] = [EN_SENTENCES, ZH_SENTENCES];
  for (const data of builtins) {
    for (const [intent, blocks] of Object.entries(data.intents)) {
      for (const block of blocks) for (const template of block.sentences) out.push({ lang: data.lang, intent, template, rules: data.rules });
    }
  }
  for (const plugin of [SYSTEM, TIMERS, WEATHER]) {
    for (const lang of ['en', 'zh'] as const) {
      const rules = lang === 'en' ? EN_SENTENCES.rules : ZH_SENTENCES.rules;
      for (const [intent, templates] of Object.entries(plugin[lang])) for (const template of templates) out.push({ lang, intent, template, rules });
    }
  }
  return out;
}

describe('sentence templates', () => {
  test('every built-in template says both its shortest and its longest sentence', () => {
    const all = allTemplates();
    assert.ok(all.length > 300, `only ${all.length} templates found`);
    const compilers = { en: new TemplateCompiler(EN_SENTENCES.rules), zh: new TemplateCompiler(ZH_SENTENCES.rules) };
    const matcher = new Matcher();
    const failures: string[] = [];
    for (const { lang, intent, template, rules } of all) {
      const nodes = compilers[lang].compile(template);
      for (const longest of [false, true]) {
        const sentence = writeOut(parseTemplate(template), rules, longest);
        const tokens = nameTokens(sentence);
        if (!matcher.run(nodes, tokens, placeholderReader, () => true)) failures.push(`${intent} "${template}" does not say "${tokens.join(' ')}"`);
      }
    }
    assert.deepEqual(failures, []);
  });

  test('regular-expression habits are refused instead of silently meaning something else', () => {
    for (const bad of ['<target>[现在](是)?(多少|几)度', 'turn on (the)* light', 'lights+ on', 'what is it?']) {
      assert.throws(() => new IntentEngine({ builtins: false }).addSentences('zh', 'X', [bad], { owner: 't' }), { code: 'PLUGIN_MANIFEST_INVALID' }, bad);
    }
    // What the syntax does have still compiles: optional parts, alternatives, glued plurals, percent and degrees.
    new IntentEngine({ builtins: false }).addSentences('en', 'X', ["[the] light[s] (on|off) 50% 20° it's"], { owner: 't' });
  });

  test('the words that were mandatory by mistake are optional now (issue 14 item 8)', () => {
    const engine = homeEngine();
    expectIntent(engine, '空调现在多少度', 'HassClimateGetTemperature');
    expectIntent(engine, '卧室空调现在多少度', 'HassClimateGetTemperature', { ids: ['bedroom_ac'] });
    expectIntent(engine, '卧室空调现在是多少度', 'HassClimateGetTemperature', { ids: ['bedroom_ac'] });
    expectIntent(engine, '前门现在状态', 'HassGetState', { ids: ['front_door'] });
    expectIntent(engine, '前门现在是什么状态', 'HassGetState', { ids: ['front_door'] });
  });
});
