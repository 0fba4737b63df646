import { DEVICE_INTENTS, type DecidedTargets, type DeviceAction, type DeviceCommand, type HandlerContext, type IntentReply, type IntentRequest, type PluginApi, type PluginManifest } from '../../sdk/index.js';

/**
 * Device control and state questions: turn on/off, toggle, brightness, position, stop, fan speed,
 * temperature, lock/unlock (HassTurnOn/Off on a lock), scenes, scripts, buttons, valves, vacuums, media players,
 * humidifiers, water heaters, and "is the front door locked", "what's the
 * humidity in the living room". It executes what it is handed: the hub's intent engine picked the devices
 * and worded the reply, and each device's kind decided its command, when the sentence matched
 * (`request.targets`); the hub translates and publishes (`api.devices.command`). A request the hub could not
 * carry out ("250 percent", a device nobody has) comes refused (`request.refused`) and is answered so, before
 * anything is sent. Questions, and changes relative to the state now ("a bit brighter"), are worked out
 * from the devices' state when asked (`api.devices.resolve`).
 */
export const manifest: PluginManifest = {
  id: 'voicehub.devices',
  version: '1.0.0',
  name: 'Devices',
  description: 'Controls devices and answers questions about their state',
  capabilities: ['device_control', 'device_state'],
  requiredScopes: ['devices:read', 'devices:control'],
  // Every device intent, the kinds' own included (HassVacuumStart, HassHumidifierSetpoint…): the engine picks
  // the devices and each device's kind its command; a new kind's intents arrive here from its module.
  intents: [...DEVICE_INTENTS],
};

const QUESTION_SET = new Set(['HassClimateGetTemperature', 'HassGetState']);
const COMMANDS = (manifest.intents ?? []).filter((i) => !QUESTION_SET.has(i));
const QUESTIONS = [...QUESTION_SET];

const TEXTS: Record<'en' | 'zh', Record<string, string>> = {
  en: {
    some_failed: '{{ done }} But {{ names }} did not respond.', unreachable: 'I can\'t reach {{ names }} right now, so nothing was changed.',
    offline: '{{ names }} is offline, so nothing was changed.', some_offline: '{{ done }} But {{ names }} is offline and was left as it was.',
    unconfirmed: 'I couldn\'t confirm that {{ names }} got the command; it may have changed anyway.',
  },
  zh: {
    some_failed: '{{ done }}但{{ names }}没有响应。', unreachable: '现在连接不上{{ names }}，所以什么都没有改变。',
    offline: '{{ names }}离线了，所以什么都没有改变。', some_offline: '{{ done }}但{{ names }}离线了，没有改变。',
    unconfirmed: '无法确认{{ names }}收到了指令，它可能已经改变了。',
  },
};

export function onRegister(api: PluginApi): void {
  for (const lang of ['en', 'zh'] as const) api.intents.addResponses(lang, TEXTS[lang]);
  for (const intent of COMMANDS) api.intents.handle(intent, (req, ctx) => act(api, req, ctx));
  for (const intent of QUESTIONS) api.intents.handle(intent, (req) => ask(api, req));
}

/**
 * Not an async function on purpose, nor is actOn's one-device path: this runs for most utterances, and the
 * command's own promise (settled once the broker has handed the message out) is the answer with one then()
 * on it; each async frame here cost a promise and its garbage per utterance. A throw (a refusal) reaches the
 * plugin's guard as a rejection would.
 */
function act(api: PluginApi, req: IntentRequest, ctx: HandlerContext): IntentReply | Promise<IntentReply> {
  const targets = handed(api, req);
  // The devices to command: the first by its index, a list only once there is a second (most sentences name one
  // device, and a list of one cost an array and its tuple per utterance).
  let first = -1;
  let work: Work[] | null = null;
  // A device that announced it is offline (its availability topic) is not sent a command it cannot take,
  // and the reply says so instead of claiming it was done.
  let offline: string[] | null = null;
  for (let i = 0; i < targets.ids.length; i++) {
    const id = targets.ids[i]!;
    if (!targets.commands[i]) continue;
    if (api.devices.available(id) === false) (offline ??= []).push(targets.names[i] ?? id);
    else if (first < 0) first = i;
    else (work ??= [workAt(targets, first)]).push(workAt(targets, i));
  }
  const todo: Work[] | Work | null = work ?? (first < 0 ? null : workAt(targets, first));
  if (offline === null) return actOn(api, req, ctx, targets, todo);
  const lang = langOf(req);
  const names = offline.join(listSeparator(lang));
  if (todo === null) return { text: capitalize(api.respond('offline', { names }, lang)), actions: [] };
  return Promise.resolve(actOn(api, req, ctx, targets, todo))
    .then((done) => ({ ...done, text: api.respond('some_offline', { done: done.text, names }, lang) }));
}

/** Target i as work: its id, its command (not null: the caller checked) and its name in the reply. */
function workAt(targets: DecidedTargets, i: number): Work {
  const id = targets.ids[i]!;
  return [id, targets.commands[i]!, targets.names[i] ?? id];
}

function langOf(req: IntentRequest): 'en' | 'zh' {
  return req.lang.startsWith('zh') ? 'zh' : 'en';
}

function listSeparator(lang: 'en' | 'zh'): string {
  return lang === 'zh' ? '、' : ', ';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A device to command: its id, the command its kind decided, and its name as the reply says it. */
type Work = [id: string, command: Readonly<DeviceCommand>, name: string];

/**
 * What the hub decided when the sentence matched, or its refusal. A request that carries neither was made
 * by someone else (another plugin, a test) or depends on the state now ("a bit brighter"): the engine works
 * it out from its text, the same way.
 */
function handed(api: PluginApi, req: IntentRequest): DecidedTargets {
  if (req.refused) throw api.refuse(req.refused.code, req.refused.message);
  return req.targets ?? api.devices.resolve(req);
}

/** Sends the commands (none, one, or a list of several): one device's refusal is the answer; several at once, each on its own. */
function actOn(api: PluginApi, req: IntentRequest, ctx: HandlerContext, targets: DecidedTargets, todo: Work[] | Work | null): IntentReply | Promise<IntentReply> {
  if (todo === null) return { text: targets.done, actions: [] };
  if (isList(todo)) return actOnEach(api, req, ctx, targets, todo);
  // Most sentences name one device: its refusal or the broker's error is the answer as it is.
  const [id, command, name] = todo;
  return api.devices.command(id, command, { traceId: ctx.traceId }).then(
    (): IntentReply => ({ text: targets.done, actions: [{ device: id, command: command.command }] }),
    (err: unknown) => {
      if (!isUnreachable(err)) throw err;
      return unreachable(api, req, ctx, [{ name, reason: err }]);
    },
  );
}

/** A list of work items, not one item (whose first element is the device id, a string). */
function isList(todo: Work[] | Work): todo is Work[] {
  return typeof todo[0] !== 'string';
}

/** Every device at once: one slow device does not hold up the others. */
async function actOnEach(api: PluginApi, req: IntentRequest, ctx: HandlerContext, targets: DecidedTargets, work: Work[]): Promise<IntentReply> {
  const results = await Promise.allSettled(work.map(([id, command]) => api.devices.command(id, command, { traceId: ctx.traceId })));
  const actions: DeviceAction[] = [];
  const failed: Array<{ name: string; reason: unknown }> = [];
  results.forEach((result, i) => {
    const [id, command, name] = work[i]!;
    if (result.status === 'fulfilled') actions.push({ device: id, command: command.command });
    else failed.push({ name, reason: result.reason });
  });
  if (actions.length === 0) {
    if (failed.every((f) => isUnreachable(f.reason))) return unreachable(api, req, ctx, failed);
    throw failed[0]!.reason; // the device layer's own refusal (unsupported, out of range)
  }
  if (failed.length > 0) {
    ctx.log.warn({ failed: failed.map((f) => ({ device: f.name, err: f.reason })) }, 'some devices did not take the command');
    const lang = langOf(req);
    return { text: api.respond('some_failed', { done: targets.done, names: failed.map((f) => f.name).join(listSeparator(lang)) }, lang), actions };
  }
  return { text: targets.done, actions };
}

/** The broker is away or did not acknowledge in time: the hub gives the command up and never sends it later. */
function isUnreachable(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'MQTT_UNAVAILABLE';
}

/**
 * Whether nothing left the hub (`details.sent === false`: refused while the broker was away, or still queued
 * when its time ran out). Any other MQTT_UNAVAILABLE may have reached the broker: a command given up
 * unacknowledged was on the wire, and its PUBACK may only have been late (mqtt.commandMaxAgeMs). An error
 * that does not say (from an isolated plugin's side, say) counts as "may have".
 */
function neverSent(err: unknown): boolean {
  return (err as { details?: { sent?: unknown } } | null)?.details?.sent === false;
}

/**
 * Said at once, with no action, rather than an error the user might take for "maybe". "Nothing was changed"
 * only for commands that never left the hub (the hub never sends such a command late, mqtt.commandMaxAgeMs);
 * a command given up unacknowledged may have switched the device, and the answer says so (issue 18).
 */
function unreachable(api: PluginApi, req: IntentRequest, ctx: HandlerContext, failed: Array<{ name: string; reason: unknown }>): IntentReply {
  const lang = langOf(req);
  const separator = listSeparator(lang);
  const notSent = failed.filter((f) => neverSent(f.reason));
  const maybe = failed.filter((f) => !neverSent(f.reason));
  const parts: string[] = [];
  if (notSent.length > 0) {
    ctx.log.warn({ code: 'MQTT_UNAVAILABLE', devices: notSent.map((f) => f.name), err: notSent[0]!.reason }, 'device command not sent: the MQTT broker is not reachable');
    parts.push(api.respond('unreachable', { names: notSent.map((f) => f.name).join(separator) }, lang));
  }
  if (maybe.length > 0) {
    ctx.log.warn({ code: 'MQTT_UNAVAILABLE', devices: maybe.map((f) => f.name), err: maybe[0]!.reason }, 'device command not confirmed: given up unacknowledged, it may have reached the device');
    parts.push(api.respond('unconfirmed', { names: maybe.map((f) => f.name).join(separator) }, lang));
  }
  return { text: parts.join(lang === 'zh' ? '' : ' '), actions: [] };
}

function ask(api: PluginApi, req: IntentRequest): IntentReply {
  const targets = api.devices.resolve(req);
  return {
    text: targets.answer,
    actions: [],
    data: { devices: targets.devices.map((d) => ({ id: d.id, state: d.state, available: d.available })) },
  };
}

