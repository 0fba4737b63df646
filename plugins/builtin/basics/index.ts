import type { IntentReply, IntentRequest, PluginApi, PluginManifest } from '../../sdk/index.js';
import { spokenDate, spokenTime } from './clock.js';
import { SENTENCES } from './sentences.js';
import { TEXTS } from './texts.js';

/**
 * The small intents every assistant answers: the time and the date (in `location.timezone`), "never mind"
 * (a quiet acknowledgement: nothing is done), and broadcast ("tell everyone dinner is ready": the message is
 * spoken to every connected voice client). Home Assistant's intent names, en and zh sentences of its own.
 */
export const manifest: PluginManifest = {
  id: 'voicehub.basics',
  version: '1.0.0',
  name: 'Time, date, never mind, broadcast',
  description: 'Answers the time and date, acknowledges never mind, and broadcasts a message to every voice client',
  capabilities: ['clock', 'broadcast'],
  requiredScopes: ['geo:read', 'schedule', 'voice:speak'],
  intents: ['HassGetCurrentTime', 'HassGetCurrentDate', 'HassNevermind', 'HassBroadcast'],
};

/** A broadcast says at most this much (a wildcard is a few words; the check keeps any future sentence honest). */
const MAX_MESSAGE_CHARS = 200;

export function onRegister(api: PluginApi): void {
  for (const lang of ['en', 'zh'] as const) {
    api.intents.addResponses(lang, TEXTS[lang]);
    for (const [intent, sentences] of Object.entries(SENTENCES[lang])) api.intents.addSentences({ lang, intent, sentences });
  }
  api.intents.handle('HassGetCurrentTime', (req) => reply(api, req, 'time', { time: spokenTime(api.schedule.now(), api.location.timezone, langOf(req)) }));
  api.intents.handle('HassGetCurrentDate', (req) => reply(api, req, 'date', { date: spokenDate(api.schedule.now(), api.location.timezone, langOf(req)) }));
  api.intents.handle('HassNevermind', (req) => reply(api, req, 'nevermind', {}));
  api.intents.handle('HassBroadcast', (req) => broadcast(api, req));
}

function langOf(req: IntentRequest): 'en' | 'zh' {
  return req.lang.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

function reply(api: PluginApi, req: IntentRequest, key: string, vars: Record<string, unknown>): IntentReply {
  return { text: api.respond(key, vars, langOf(req)), data: { ...vars } };
}

function broadcast(api: PluginApi, req: IntentRequest): IntentReply {
  const lang = langOf(req);
  const slot = typeof req.slots.message === 'string' ? req.slots.message.trim() : '';
  const message = asSaid(req.text, slot).slice(0, MAX_MESSAGE_CHARS);
  if (!message) return { text: api.respond('broadcast_empty', {}, lang) };
  // Every connected client hears it, the one that asked included (it may be one of several in a room).
  api.speak(undefined, lang === 'zh' ? `${message}。` : `${message.charAt(0).toUpperCase()}${message.slice(1)}.`);
  return { text: api.respond('broadcast', { message }, lang), data: { message } };
}

/**
 * The message as the user said it: the engine's slot is normalised (filler words such as 了 dropped, lower
 * case), so the message is the rest of the utterance from where the slot starts, without end punctuation.
 */
function asSaid(text: string, slot: string): string {
  if (!slot) return '';
  const first = (/^\p{Script=Han}/u.test(slot) ? slot.charAt(0) : slot.split(/\s+/)[0]).toLowerCase();
  const lower = text.toLowerCase();
  // The last place the slot's first word starts that leaves room for the whole slot after it.
  let at = -1;
  for (let i = lower.indexOf(first); i >= 0; i = lower.indexOf(first, i + 1)) if (text.length - i >= slot.length) at = i;
  const rest = at >= 0 ? text.slice(at) : slot;
  return rest.replace(/[\s.!?\u3002\uff01\uff1f\uff0c,]+$/u, '').trim() || slot;
}
