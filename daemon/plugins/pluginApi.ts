import type { HubContext } from '../core/context.js';
import { HubError } from '../core/errors.js';
import type { Device } from '../../devices/model.js';
import { API_VERSION, type CloudApi, type DevicesApi, type Location, type PluginApi, type RefusalCode, type ScheduleApi, type StoreApi, type SystemApi, type Targets } from '../../plugins/sdk/api.js';
import type { DeviceCommand, DeviceView } from '../../plugins/sdk/devices.js';
import type { EventHandler, PluginEventName } from '../../plugins/sdk/events.js';
import type { IntentRequest, SentenceSet, SpeakTarget } from '../../plugins/sdk/intents.js';
import type { Scope } from '../../plugins/sdk/manifest.js';
import type { CloudRequester } from '../cloud/requestPool.js';
import type { AssistantHost } from '../../plugins/sdk/assistant.js';
import { isHubBuiltin } from './grants.js';
import { PLUGIN_EVENTS } from './loader.js';
import type { PluginRecord } from './pluginRecord.js';
import type { DeviceAccess, IntentEnginePort, SystemSampleProvider } from './ports.js';
import { renderTemplate } from './template.js';

/** What the API object reaches through; nothing else of the hub is visible to a plugin. */
export interface ApiDeps {
  ctx: HubContext;
  devices: DeviceAccess;
  intents: IntentEnginePort;
  system: SystemSampleProvider;
  cloud: CloudRequester;
  /** What the built-in assistant gets (daemon/plugins/assistantHost.ts); absent: nobody gets it. */
  assistant?: AssistantHost;
}

const REFUSAL_CODES: ReadonlySet<string> = new Set<RefusalCode>([
  'VALUE_OUT_OF_RANGE', 'DEVICE_NOT_FOUND', 'DEVICE_AMBIGUOUS', 'DEVICE_UNSUPPORTED', 'CLOUD_UNAVAILABLE', 'BAD_REQUEST',
]);
const MAX_SPEAK_CHARS = 1000;
const MAX_FALLBACK_TIMEOUT_MS = 120_000;
/** The one plugin `api.assistant` is handed to. */
export const ASSISTANT_ID = 'voicehub.assistant';

/**
 * Builds the one API object of a plugin (plugins/sdk/api.ts documents it). Members whose scope was not
 * granted are getters that throw PLUGIN_SCOPE_DENIED, so asking is the error, not a silent no-op.
 * The object is frozen: a plugin cannot swap a member for another plugin to find.
 */
export function createPluginApi(record: PluginRecord, config: Readonly<Record<string, unknown>>, deps: ApiDeps): PluginApi {
  const manifest = record.manifest!;
  const id = manifest.id;
  const scopes = new Set<Scope>(manifest.requiredScopes.filter((s) => record.granted.includes(s)));
  const need = (scope: Scope): void => {
    if (!scopes.has(scope)) {
      throw new HubError('PLUGIN_SCOPE_DENIED', `plugin ${id} used ${scope}, which it was not granted (add it to requiredScopes and to plugins.${id}.grant)`,
        { details: { plugin: id, scope } });
    }
  };
  const registering = (what: string): void => {
    if (!record.registrationOpen) {
      throw new HubError('REGISTER_AFTER_START', `plugin ${id} tried to register ${what} after onRegister; register everything in onRegister`, { details: { plugin: id } });
    }
  };
  const regs = record.registrations;
  const { ctx } = deps;

  const devices: DevicesApi = Object.freeze({
    list: () => { need('devices:read'); return deps.devices.list().map(toView); },
    get: (deviceId: string) => { need('devices:read'); const d = deps.devices.get(deviceId); return d ? toView(d) : undefined; },
    // The devices plugin asks this for every device it commands: a view would copy the whole device for one field.
    available: (deviceId: string) => { need('devices:read'); return deps.devices.get(deviceId)?.available; },
    resolve: (request: IntentRequest): Targets => {
      need('devices:read');
      const found = deps.intents.resolve(request);
      // Fresh state from the device layer; an id the registry no longer has is dropped with its command.
      const ids: string[] = [];
      const devices: DeviceView[] = [];
      const commands: Targets['commands'] = [];
      const names: string[] = [];
      for (let i = 0; i < found.ids.length; i++) {
        const device = deps.devices.get(found.ids[i]!);
        if (!device) continue;
        ids.push(device.id);
        devices.push(toView(device));
        commands.push(found.commands[i] ?? null);
        names.push(found.names[i] ?? '');
      }
      const targets: Targets = { ids, devices, commands, names, scope: found.scope, phrase: found.phrase, done: found.done, answer: found.answer };
      if (found.area) targets.area = found.area;
      return targets;
    },
    command: (deviceId: string, command: DeviceCommand, options?: { traceId?: string }) => {
      try {
        need('devices:control');
        if (!command || typeof command !== 'object' || typeof command.command !== 'string') {
          throw new HubError('BAD_REQUEST', 'a device command is an object with a `command` name');
        }
        return deps.devices.command(deviceId, command, { traceId: options?.traceId, source: id });
      } catch (err) {
        return Promise.reject(err); // a refusal arrives like a broker error: as a rejection, never a throw
      }
    },
  });
  const cloud: CloudApi = Object.freeze({
    request: (url: string, init?: Parameters<CloudApi['request']>[1]) => deps.cloud.request(url, init),
    get configured() { return deps.cloud.configured; },
  });
  const location: Location = Object.freeze({ ...ctx.config.location });
  const schedule: ScheduleApi = Object.freeze({
    now: () => ctx.clock.now(),
    after: (ms: number, fn: () => void | Promise<void>) => record.jobs!.after(ms, fn),
    every: (ms: number, fn: () => void | Promise<void>) => record.jobs!.every(ms, fn),
    cron: (expression: string, fn: () => void | Promise<void>, options?: { timezone?: string }) => record.jobs!.cron(expression, fn, options),
  });
  const store: StoreApi = Object.freeze({
    open: <T extends object>(defaults: () => T) => ctx.store.collection<T>(`plugin-${id}`, defaults),
  });
  const system: SystemApi = Object.freeze({
    latest: () => {
      // Only the documented figures, whatever else the sampler keeps.
      const s = deps.system.latest();
      return { cpuTempC: s.cpuTempC, load1: s.load1, memFreeMB: s.memFreeMB, diskFreeMB: s.diskFreeMB, uptimeS: s.uptimeS, hubUptimeS: s.hubUptimeS };
    },
  });

  return Object.freeze({
    apiVersion: API_VERSION,
    id,
    scopes: Object.freeze([...scopes]),
    log: record.log,
    config,
    get devices() {
      if (!scopes.has('devices:read') && !scopes.has('devices:control')) need('devices:read');
      return devices;
    },
    speak(target: SpeakTarget | string | undefined, text: string) {
      need('voice:speak');
      if (typeof text !== 'string' || text.trim() === '') throw new HubError('BAD_REQUEST', 'speak needs non-empty text');
      const sessionId = typeof target === 'string' ? target : target?.sessionId;
      const clientId = typeof target === 'string' ? undefined : target?.clientId;
      ctx.bus.emit('voice.speak', { sessionId, ...(clientId === undefined ? {} : { clientId }), text: text.slice(0, MAX_SPEAK_CHARS), source: id });
    },
    get cloud() { need('cloud:request'); return cloud; },
    get location() { need('geo:read'); return location; },
    get schedule() { need('schedule'); return schedule; },
    get store() { need('storage'); return store; },
    system,
    intents: Object.freeze({
      handle(intent: string, handler: Parameters<PluginApi['intents']['handle']>[1]) {
        registering(`a handler for ${intent}`);
        if (!manifest.intents?.includes(intent)) {
          throw new HubError('PLUGIN_MANIFEST_INVALID', `plugin ${id} handles ${intent}, which its manifest.intents does not list`, { details: { plugin: id, intent } });
        }
        if (typeof handler !== 'function') throw new HubError('PLUGIN_MANIFEST_INVALID', `the handler for ${intent} must be a function`);
        regs.intents.set(intent, handler);
      },
      addSentences(set: SentenceSet) {
        registering('sentences');
        if (!set || typeof set.lang !== 'string' || typeof set.intent !== 'string' || !Array.isArray(set.sentences)
          || !set.sentences.every((s) => typeof s === 'string')) {
          throw new HubError('PLUGIN_MANIFEST_INVALID', `plugin ${id}: addSentences needs { lang, intent, sentences: string[] }`);
        }
        if (!manifest.intents?.includes(set.intent)) {
          throw new HubError('PLUGIN_MANIFEST_INVALID', `plugin ${id} adds sentences for ${set.intent}, which its manifest.intents does not list`);
        }
        regs.sentences.push({ lang: set.lang, intent: set.intent, sentences: [...set.sentences] });
      },
      addResponses(lang: string, responses: Record<string, string>) {
        registering('responses');
        const mine = regs.responses.get(lang) ?? {};
        for (const [key, template] of Object.entries(responses)) {
          if (typeof template !== 'string') throw new HubError('PLUGIN_MANIFEST_INVALID', `plugin ${id}: response ${key} must be a string`);
          mine[key] = template;
        }
        regs.responses.set(lang, mine);
      },
    }),
    events: Object.freeze({
      on<K extends PluginEventName>(event: K, handler: EventHandler<K>) {
        registering(`a listener for ${event}`);
        if (!PLUGIN_EVENTS.includes(event)) throw new HubError('PLUGIN_MANIFEST_INVALID', `plugin ${id} listens to unknown event ${event}`);
        need('devices:read');
        if (typeof handler !== 'function') throw new HubError('PLUGIN_MANIFEST_INVALID', `the ${event} listener must be a function`);
        regs.events.push([event, handler as EventHandler<PluginEventName>]);
      },
    }),
    respond(key: string, vars: Record<string, unknown> = {}, lang = 'en') {
      const primary = String(lang).toLowerCase().split(/[-_]/)[0] || 'en'; // BCP 47 "zh-CN" → "zh"
      const own = regs.responses.get(primary)?.[key] ?? regs.responses.get('en')?.[key];
      if (own !== undefined) return renderTemplate(own, vars);
      return deps.intents.respond(key, vars, primary) ?? key;
    },
    registerSpeechToText(provider) {
      registering('speech to text');
      if (!manifest.capabilities.includes('stt')) throw new HubError('PLUGIN_MANIFEST_INVALID', `plugin ${id} offers speech to text without the capability "stt"`);
      if (!provider || typeof provider.transcribe !== 'function') throw new HubError('PLUGIN_MANIFEST_INVALID', 'a speech-to-text provider needs transcribe()');
      regs.stt = provider;
    },
    registerFallback(handler, options = {}) {
      registering('a fallback');
      if (!manifest.capabilities.includes('fallback')) throw new HubError('PLUGIN_MANIFEST_INVALID', `plugin ${id} registers a fallback without the capability "fallback"`);
      if (typeof handler !== 'function') throw new HubError('PLUGIN_MANIFEST_INVALID', 'a fallback must be a function');
      const timeoutMs = options?.timeoutMs;
      if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_FALLBACK_TIMEOUT_MS)) {
        throw new HubError('PLUGIN_MANIFEST_INVALID', `a fallback's timeoutMs must be an integer 1–${MAX_FALLBACK_TIMEOUT_MS}`);
      }
      regs.fallbacks.push({ handler, options: { ...(timeoutMs === undefined ? {} : { timeoutMs }), beforeIntents: options?.beforeIntents === true } });
    },
    get assistant() {
      // The API key is in it: only the hub's own assistant, shipped with it in its namespace, may have it.
      if (!deps.assistant || id !== ASSISTANT_ID || !isHubBuiltin(id, record.candidate.source)) {
        throw new HubError('PLUGIN_SCOPE_DENIED', `plugin ${id} read api.assistant, which only the built-in ${ASSISTANT_ID} gets`, { details: { plugin: id, scope: 'assistant' } });
      }
      return deps.assistant;
    },
    refuse(code: RefusalCode, message: string) {
      const known = REFUSAL_CODES.has(code) ? code : 'BAD_REQUEST';
      return new HubError(known, String(message), { details: { plugin: id, refused: true } });
    },
  } satisfies PluginApi);
}

/** The device as plugins see it: no MQTT binding, copies they may keep or change. */
export function toView(device: Device): DeviceView {
  return {
    id: device.id,
    name: device.name,
    aliases: [...device.aliases],
    area: device.area,
    type: device.type,
    capabilities: [...device.capabilities],
    state: { ...device.state },
    unit: device.mqtt.unit,
    deviceClass: device.mqtt.deviceClass,
    available: device.available,
  };
}
