import type { DeviceAction, DeviceCommand, DeviceView, HandlerContext, IntentReply, IntentRequest, PluginApi, PluginManifest } from '../../sdk/index.js';

/**
 * Device control and state questions: turn on/off, toggle, brightness, position, stop, fan speed,
 * temperature, lock/unlock (HassTurnOn/Off on a lock), and "is the front door locked", "what's the
 * humidity in the living room". Everything goes through the API: the intent engine picks the devices and
 * words the reply (`api.devices.resolve`), the hub translates and publishes (`api.devices.command`). A
 * request it cannot carry out ("250 percent", a device nobody has) is refused before anything is sent.
 */
export const manifest: PluginManifest = {
  id: 'voicehub.devices',
  version: '1.0.0',
  name: 'Devices',
  description: 'Controls devices and answers questions about their state',
  capabilities: ['device_control', 'device_state'],
  requiredScopes: ['devices:read', 'devices:control'],
  intents: [
    'HassTurnOn', 'HassTurnOff', 'HassToggle', 'HassLightSet', 'HassSetPosition', 'HassStopMoving', 'HassFanSetSpeed',
    'HassClimateSetTemperature', 'HassClimateGetTemperature', 'HassGetState',
  ],
};

const COMMANDS = ['HassTurnOn', 'HassTurnOff', 'HassToggle', 'HassLightSet', 'HassSetPosition', 'HassStopMoving', 'HassFanSetSpeed', 'HassClimateSetTemperature'];
const QUESTIONS = ['HassClimateGetTemperature', 'HassGetState'];

const TEXTS: Record<'en' | 'zh', Record<string, string>> = {
  en: { some_failed: '{{ done }} But {{ names }} did not respond.' },
  zh: { some_failed: '{{ done }}但{{ names }}没有响应。' },
};

export function onRegister(api: PluginApi): void {
  for (const lang of ['en', 'zh'] as const) api.intents.addResponses(lang, TEXTS[lang]);
  for (const intent of COMMANDS) api.intents.handle(intent, (req, ctx) => act(api, req, ctx));
  for (const intent of QUESTIONS) api.intents.handle(intent, (req) => ask(api, req));
}

async function act(api: PluginApi, req: IntentRequest, ctx: HandlerContext): Promise<IntentReply> {
  const targets = api.devices.resolve(req);
  const work: Array<[DeviceView, DeviceCommand, string]> = [];
  for (let i = 0; i < targets.devices.length; i++) {
    const device = targets.devices[i]!;
    const command = targets.commands[i];
    if (command) work.push([device, inCelsius(command, req), targets.names[i] ?? device.name]);
  }
  if (work.length === 0) return { text: targets.answer || targets.done, actions: [] };
  if (work.length === 1) {
    // Most sentences name one device: its refusal or the broker's error is the answer as it is.
    const [device, command] = work[0]!;
    await api.devices.command(device.id, command, { traceId: ctx.traceId });
    return { text: targets.done, actions: [{ device: device.id, command: command.command }] };
  }
  // Every device at once: one slow device does not hold up the others.
  const results = await Promise.allSettled(work.map(([device, command]) => api.devices.command(device.id, command, { traceId: ctx.traceId })));
  const actions: DeviceAction[] = [];
  const failed: Array<{ name: string; reason: unknown }> = [];
  results.forEach((result, i) => {
    const [device, command, name] = work[i]!;
    if (result.status === 'fulfilled') actions.push({ device: device.id, command: command.command });
    else failed.push({ name, reason: result.reason });
  });
  if (actions.length === 0) throw failed[0]!.reason; // the device layer's own refusal (unsupported, out of range, broker down)
  if (failed.length > 0) {
    ctx.log.warn({ failed: failed.map((f) => ({ device: f.name, err: f.reason })) }, 'some devices did not take the command');
    const lang = req.lang.startsWith('zh') ? 'zh' : 'en';
    return { text: api.respond('some_failed', { done: targets.done, names: failed.map((f) => f.name).join(lang === 'zh' ? '、' : ', ') }, lang), actions };
  }
  return { text: targets.done, actions };
}

function ask(api: PluginApi, req: IntentRequest): IntentReply {
  const targets = api.devices.resolve(req);
  return {
    text: targets.answer,
    actions: [],
    data: { devices: targets.devices.map((d) => ({ id: d.id, state: d.state, available: d.available })) },
  };
}

/** A temperature said in Fahrenheit is sent in Celsius, the hub's unit, to half a degree. */
function inCelsius(command: DeviceCommand, req: IntentRequest): DeviceCommand {
  if (command.command !== 'set_temperature' || req.slots.unit !== 'F') return command;
  const c = ((command.params.temperature - 32) * 5) / 9;
  return { command: 'set_temperature', params: { temperature: Math.round(c * 2) / 2 } };
}
