import type { HandlerContext, IntentReply, IntentRequest, PluginApi, PluginManifest } from '../../sdk/index.js';
import { durationFromSlots, formatDuration, MAX_TIMER_S, shortLang, timerName } from './duration.js';
import { TimerBook, type StoredTimer } from './timerBook.js';
import { TEXTS } from './texts.js';
import { SENTENCES } from './sentences.js';

/**
 * Kitchen timers: "set a timer for 5 minutes", "设置一个五分钟的定时器", cancel (one, by name or length, or
 * all), status, pause and resume, add or take off time. Timers live in the plugin's store, so a restart loses
 * none: on start every stored timer is armed again (one that came due while the hub was down fires at once).
 * When one ends the plugin speaks to the session that set it, in the language it was set in.
 */
export const manifest: PluginManifest = {
  id: 'voicehub.timers',
  version: '1.0.0',
  name: 'Timers',
  description: 'Voice timers that survive a restart and speak when done',
  capabilities: ['timers'],
  requiredScopes: ['schedule', 'storage', 'voice:speak'],
  intents: [
    'HassStartTimer', 'HassCancelTimer', 'HassCancelAllTimers', 'HassTimerStatus', 'HassPauseTimer', 'HassUnpauseTimer',
    'HassIncreaseTimer', 'HassDecreaseTimer',
  ],
};

/** Per API object: the host may register the plugin again in one process (a restart), so nothing is global. */
const books = new WeakMap<PluginApi, TimerBook>();
const bookOf = (api: PluginApi): TimerBook => books.get(api)!;

export function onRegister(api: PluginApi): void {
  books.set(api, new TimerBook(api, (timer) => done(api, timer)));
  for (const lang of ['en', 'zh'] as const) {
    api.intents.addResponses(lang, TEXTS[lang]);
    for (const [intent, sentences] of Object.entries(SENTENCES[lang])) api.intents.addSentences({ lang, intent, sentences });
  }
  api.intents.handle('HassStartTimer', (req, ctx) => start(api, req, ctx));
  api.intents.handle('HassCancelTimer', (req) => cancel(api, req));
  api.intents.handle('HassCancelAllTimers', (req) => cancelAll(api, req));
  api.intents.handle('HassTimerStatus', (req) => status(api, req));
  api.intents.handle('HassPauseTimer', (req) => pause(api, req, true));
  api.intents.handle('HassUnpauseTimer', (req) => pause(api, req, false));
  api.intents.handle('HassIncreaseTimer', (req) => change(api, req, 1));
  api.intents.handle('HassDecreaseTimer', (req) => change(api, req, -1));
}

export async function onStart(api: PluginApi): Promise<void> {
  await bookOf(api).open();
}

export async function onStop(api: PluginApi): Promise<void> {
  // The host cancels the scheduled jobs; the timers stay stored and are armed again on the next start.
  await bookOf(api).close();
}

function done(api: PluginApi, timer: StoredTimer): void {
  const text = timer.name
    ? api.respond('timer_done_named', { name: timer.name }, timer.lang)
    : api.respond('timer_done', { duration: formatDuration(timer.durationS, timer.lang) }, timer.lang);
  api.speak(timer.target, text);
  api.log.info({ timer: timer.id }, 'timer done');
}

function checkSeconds(api: PluginApi, seconds: number, lang: 'en' | 'zh'): number {
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > MAX_TIMER_S) throw api.refuse('VALUE_OUT_OF_RANGE', api.respond('timer_out_of_range', {}, lang));
  return Math.round(seconds);
}

function start(api: PluginApi, req: IntentRequest, ctx: HandlerContext): IntentReply {
  const lang = shortLang(req.lang);
  const seconds = durationFromSlots(req.slots);
  if (seconds === null) return { text: api.respond('timer_no_duration', {}, lang) };
  const name = timerName(req.slots.timer_name ?? req.slots.name);
  const timer = bookOf(api).add(checkSeconds(api, seconds, lang), lang, { sessionId: ctx.session.sessionId, clientId: ctx.session.clientId }, name);
  ctx.log.info({ timer: timer.id, seconds: timer.durationS }, 'timer started');
  const duration = formatDuration(timer.durationS, lang);
  return {
    text: capitalize(api.respond(name ? 'timer_started_named' : 'timer_started', { duration, name }, lang)),
    data: { timer: { id: timer.id, name: timer.name ?? null, seconds: timer.durationS, endsAt: new Date(timer.endsAt).toISOString() } },
  };
}

/**
 * The timer a request means: by name ("the pizza timer"; a room said as a name, "the kitchen timer", is the
 * timer set from that room), else by its length ("the 5 minute timer", `timer_duration`), else the latest one.
 */
function pick(api: PluginApi, req: IntentRequest): StoredTimer | null | undefined {
  const timers = bookOf(api).list();
  if (timers.length === 0) return null;
  const name = timerName(req.slots.timer_name ?? req.slots.name)?.toLowerCase();
  if (name) return timers.find((t) => t.name?.toLowerCase() === name) ?? (timers.length === 1 && isRoomWord(req, name) ? timers[0] : undefined);
  const length = req.slots.timer_duration;
  if (typeof length === 'number') return timers.find((t) => t.durationS === Math.round(length));
  const seconds = req.intent === 'HassCancelTimer' ? durationFromSlots(req.slots) : null;
  if (seconds !== null) return timers.find((t) => t.durationS === Math.round(seconds));
  return timers[timers.length - 1];
}

/** "The kitchen timer" with the only timer set in the kitchen's satellite: the room, not a name. */
function isRoomWord(req: IntentRequest, name: string): boolean {
  return typeof req.area === 'string' && req.area.toLowerCase().replace(/_/g, ' ') === name;
}

function cancel(api: PluginApi, req: IntentRequest): IntentReply {
  const lang = shortLang(req.lang);
  const timer = pick(api, req);
  if (timer === null) return { text: api.respond('no_timers', {}, lang) };
  if (!timer) return { text: api.respond('timer_not_found', {}, lang) };
  bookOf(api).remove(timer.id);
  return {
    text: timer.name
      ? api.respond('timer_cancelled_named', { name: timer.name }, lang)
      : api.respond('timer_cancelled', { duration: formatDuration(timer.durationS, lang) }, lang),
    data: { cancelled: [timer.id] },
  };
}

function cancelAll(api: PluginApi, req: IntentRequest): IntentReply {
  const lang = shortLang(req.lang);
  const timers = bookOf(api).list();
  if (timers.length === 0) return { text: api.respond('no_timers', {}, lang) };
  if (timers.length === 1) return cancel(api, { ...req, slots: {} });
  const ids = timers.map((t) => t.id);
  for (const id of ids) bookOf(api).remove(id);
  return { text: api.respond('timers_cancelled', { count: ids.length }, lang), data: { cancelled: ids } };
}

function status(api: PluginApi, req: IntentRequest): IntentReply {
  const lang = shortLang(req.lang);
  const book = bookOf(api);
  let timers = book.list();
  if (timers.length === 0) return { text: api.respond('no_timers', {}, lang) };
  // "How long is left on the pizza timer": that one only.
  if (req.slots.timer_name !== undefined || req.slots.timer_duration !== undefined) {
    const one = pick(api, req);
    if (!one) return { text: api.respond('timer_not_found', {}, lang) };
    timers = [one];
  }
  const parts = timers.map((t) => {
    const vars = { left: formatDuration(book.secondsLeft(t), lang), duration: formatDuration(t.durationS, lang), name: t.name };
    const key = `${t.pausedLeftMs !== undefined ? 'timer_paused_left' : 'timer_left'}${t.name ? '_named' : ''}`;
    return api.respond(key, vars, lang);
  });
  const text = lang === 'zh' ? `${parts.join('；')}。` : `${parts.join('; ')}.`;
  return {
    text: capitalize(text),
    data: { timers: timers.map((t) => ({ id: t.id, name: t.name ?? null, secondsLeft: book.secondsLeft(t), paused: t.pausedLeftMs !== undefined })) },
  };
}

function pause(api: PluginApi, req: IntentRequest, pausing: boolean): IntentReply {
  const lang = shortLang(req.lang);
  const timer = pick(api, req);
  if (timer === null) return { text: api.respond('no_timers', {}, lang) };
  if (!timer) return { text: api.respond('timer_not_found', {}, lang) };
  const paused = timer.pausedLeftMs !== undefined;
  if (pausing && paused) return { text: api.respond('timer_already_paused', {}, lang) };
  if (!pausing && !paused) return { text: api.respond('timer_not_paused', {}, lang) };
  const book = bookOf(api);
  if (pausing) book.pause(timer.id);
  else book.resume(timer.id);
  return { text: api.respond(pausing ? 'timer_paused' : 'timer_resumed', { left: formatDuration(book.secondsLeft(timer), lang) }, lang) };
}

function change(api: PluginApi, req: IntentRequest, sign: 1 | -1): IntentReply {
  const lang = shortLang(req.lang);
  const seconds = durationFromSlots(req.slots);
  if (seconds === null) return { text: api.respond('timer_no_duration', {}, lang) };
  const timer = pick(api, req);
  if (timer === null) return { text: api.respond('no_timers', {}, lang) };
  if (!timer) return { text: api.respond('timer_not_found', {}, lang) };
  const book = bookOf(api);
  const left = book.secondsLeft(timer) + sign * checkSeconds(api, seconds, lang);
  if (left > MAX_TIMER_S) throw api.refuse('VALUE_OUT_OF_RANGE', api.respond('timer_out_of_range', {}, lang));
  book.setLeft(timer.id, Math.max(0, left));
  return { text: api.respond('timer_changed', { left: formatDuration(Math.max(0, left), lang) }, lang) };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
