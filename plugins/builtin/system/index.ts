import type { IntentReply, IntentRequest, PluginApi, PluginManifest, SystemStatus } from '../../sdk/index.js';
import { SENTENCES } from './sentences.js';

/**
 * "How is the hub doing?" / "系统状态怎么样": CPU temperature, load, free memory and uptime from the hub's
 * health sampler (the read-only `api.system`, which needs no scope). The plugin ships the sentences of
 * `HubStatus` (sentences.ts) and answers it.
 */
export const manifest: PluginManifest = {
  id: 'voicehub.system',
  version: '1.0.0',
  name: 'Hub status',
  description: 'Answers how the hub itself is doing',
  capabilities: ['system_status'],
  requiredScopes: [],
  intents: ['HubStatus'],
};

const TEXTS: Record<'en' | 'zh', Record<string, string>> = {
  en: {
    status: 'The hub is {{ verdict }}: {{ details }}.',
    verdict_ok: 'doing fine',
    verdict_hot: 'running hot',
    verdict_busy: 'busy',
    temp: 'CPU at {{ value }} °C',
    load: 'load {{ value }}',
    memory: '{{ value }} MB memory free',
    uptime: 'up {{ value }}',
  },
  zh: {
    status: '主机{{ verdict }}：{{ details }}。',
    verdict_ok: '运行正常',
    verdict_hot: '温度偏高',
    verdict_busy: '负载较高',
    temp: 'CPU温度{{ value }}°C',
    load: '负载{{ value }}',
    memory: '可用内存{{ value }}MB',
    uptime: '已运行{{ value }}',
  },
};

/** Above these the answer says so (a Pi throttles from 80 °C). */
const HOT_C = 75;
const BUSY_LOAD = 3;

export function onRegister(api: PluginApi): void {
  for (const lang of ['en', 'zh'] as const) {
    api.intents.addResponses(lang, TEXTS[lang]);
    for (const [intent, sentences] of Object.entries(SENTENCES[lang])) api.intents.addSentences({ lang, intent, sentences });
  }
  api.intents.handle('HubStatus', (req) => status(api, req));
}

function status(api: PluginApi, req: IntentRequest): IntentReply {
  const lang = req.lang.toLowerCase().startsWith('zh') ? 'zh' : 'en';
  const s: SystemStatus = api.system.latest();
  const details: string[] = [];
  if (s.cpuTempC !== null) details.push(api.respond('temp', { value: Math.round(s.cpuTempC) }, lang));
  details.push(api.respond('load', { value: s.load1.toFixed(2) }, lang));
  if (s.memFreeMB !== null) details.push(api.respond('memory', { value: Math.round(s.memFreeMB) }, lang));
  details.push(api.respond('uptime', { value: uptime(s.uptimeS, lang) }, lang));
  const verdict = s.cpuTempC !== null && s.cpuTempC >= HOT_C ? 'verdict_hot' : s.load1 >= BUSY_LOAD ? 'verdict_busy' : 'verdict_ok';
  return {
    text: api.respond('status', { verdict: api.respond(verdict, {}, lang), details: details.join(lang === 'zh' ? '，' : ', ') }, lang),
    data: { system: { ...s } },
  };
}

function uptime(seconds: number, lang: 'en' | 'zh'): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (lang === 'zh') return d ? `${d}天${h}小时` : h ? `${h}小时${m}分钟` : `${m}分钟`;
  const unit = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return d ? `${unit(d, 'day')} ${unit(h, 'hour')}` : h ? `${unit(h, 'hour')} ${unit(m, 'minute')}` : unit(m, 'minute');
}
