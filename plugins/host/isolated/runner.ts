/**
 * The child process of an isolated plugin (`isolation: process`). The hub forks it under Node's permission
 * model (reads limited to this folder, the template renderer and the plugin's own files; no writes, no
 * child processes, no workers), sends `init`, then asks it to load the plugin and run its hooks and
 * handlers. The plugin gets an API object of the same shape as in-process; what needs the hub (device
 * commands, cloud requests, the store, speech, logs) goes over the IPC channel, where the host checks the
 * scopes again. Imports nothing else of the hub: the permission model would refuse it.
 */
import { pathToFileURL } from 'node:url';
import { renderTemplate } from '../template.js';
import type { ApiMethod, ChildToHost, HostToChild, InitMessage, RegisterSummary, WireError } from './protocol.js';

type Fn = (...args: unknown[]) => unknown;

const REFUSAL_CODES = new Set(['VALUE_OUT_OF_RANGE', 'DEVICE_NOT_FOUND', 'DEVICE_AMBIGUOUS', 'DEVICE_UNSUPPORTED', 'CLOUD_UNAVAILABLE', 'BAD_REQUEST', 'MQTT_UNAVAILABLE', 'NO_MATCH']);
const HOOKS = ['onRegister', 'onStart', 'onStop'] as const;

let init: InitMessage | null = null;
let exported: Record<string, unknown> | null = null;
let registrationOpen = false;
let system: unknown = null;
let devices: Array<{ id: string }> = [];
const intents = new Map<string, Fn>();
const events = new Map<string, Fn[]>();
const fallbacks: Fn[] = [];
let stt: { formats: readonly string[]; transcribe: Fn } | null = null;
const responses: Record<string, Record<string, string>> = {};
const sentences: RegisterSummary['sentences'] = [];
/** Calls the host is running for this plugin, by id. */
const pendingApi = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
/** Host calls running here, with the abort controller their handler's `ctx.signal` comes from. */
const running = new Map<number, AbortController>();
/** The resolve() answer the host computed for the request being handled (the intent engine stays in the hub). */
const targetsFor = new WeakMap<object, { ok: true; value: unknown } | { ok: false; error: WireError }>();
let nextApiId = 1;

function send(message: ChildToHost): void {
  process.send?.(message);
}

function wireError(err: unknown): WireError {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && REFUSAL_CODES.has(code) ? { message, code } : { message };
}

function fromWire(error: WireError): Error {
  return Object.assign(new Error(error.message), error.code ? { code: error.code, name: 'HubError' } : {});
}

function coded(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, name: 'HubError' });
}

function callHost(method: ApiMethod, ...args: unknown[]): Promise<unknown> {
  const id = nextApiId++;
  return new Promise((resolve, reject) => {
    pendingApi.set(id, { resolve, reject });
    send({ t: 'api', id, method, args });
  });
}

function logger(bound: Record<string, unknown>): Record<string, Fn> {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (objOrMsg: unknown, msg?: unknown) => {
    const obj = typeof objOrMsg === 'object' && objOrMsg !== null ? { ...bound, ...plain(objOrMsg) } : bound;
    send({ t: 'log', level, obj, msg: String(typeof objOrMsg === 'string' ? objOrMsg : msg ?? '') });
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (more: unknown) => logger({ ...bound, ...plain(more) }) as never };
}

/** What may cross the channel of a log object: errors as their message, the rest as JSON allows. */
function plain(value: unknown): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v instanceof Error ? { message: v.message, code: (v as { code?: unknown }).code } : v))) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function need(scope: string): void {
  if (!init!.scopes.includes(scope as never)) {
    throw coded('PLUGIN_SCOPE_DENIED', `plugin ${init!.manifest.id} used ${scope}, which it was not granted`);
  }
}

function registering(what: string): void {
  if (!registrationOpen) throw coded('REGISTER_AFTER_START', `plugin ${init!.manifest.id} tried to register ${what} after onRegister`);
}

function notIsolated(what: string): never {
  throw coded('BAD_REQUEST', `${what} is not available to a plugin with isolation: process`);
}

function makeApi(): Record<string, unknown> {
  const { manifest, config } = init!;
  const log = logger({});
  const timers = new Set<NodeJS.Timeout>();
  const job = (timer: NodeJS.Timeout) => { timers.add(timer); return { cancel: () => { clearTimeout(timer); clearInterval(timer); timers.delete(timer); } }; };
  const guarded = (fn: Fn) => () => { try { void Promise.resolve(fn()).catch((err: unknown) => log.error({ err }, 'scheduled job failed')); } catch (err) { log.error({ err }, 'scheduled job failed'); } };
  const devicesApi = Object.freeze({
    list: () => { need('devices:read'); return structuredClone(devices); },
    get: (id: string) => { need('devices:read'); const d = devices.find((x) => x.id === id); return d ? structuredClone(d) : undefined; },
    resolve: (request: object) => {
      need('devices:read');
      const found = request && typeof request === 'object' ? targetsFor.get(request) : undefined;
      if (!found) notIsolated('devices.resolve for anything but the request being handled');
      if (!found.ok) throw fromWire(found.error);
      return structuredClone(found.value);
    },
    command: (id: string, command: unknown, options?: { traceId?: string }) => {
      try { need('devices:control'); } catch (err) { return Promise.reject(err); }
      return callHost('devices.command', id, command, options?.traceId === undefined ? {} : { traceId: options.traceId });
    },
  });
  const cloud = Object.freeze({
    request: async (url: string, reqInit: Record<string, unknown> = {}) => {
      const { signal: _signal, ...rest } = reqInit; // an AbortSignal cannot cross; the host's timeout bounds the request
      const res = await callHost('cloud.request', url, rest) as { status: number; headers: Record<string, unknown>; text: string };
      return { status: res.status, headers: res.headers, text: async () => res.text, json: async () => JSON.parse(res.text) as unknown };
    },
    get configured() { return init!.cloudConfigured; },
  });
  const store = Object.freeze({
    open: async (defaults: () => object) => {
      const data = await callHost('store.open', structuredClone(defaults()));
      let queued: Promise<unknown> | null = null;
      const collection = {
        data,
        markDirty() {
          // Coalesced: many changes in one turn cross the channel once.
          queued ??= new Promise((resolve) => setImmediate(resolve)).then(() => { queued = null; return callHost('store.save', collection.data); });
        },
        async flush() {
          if (queued) await queued;
          await callHost('store.flush');
        },
      };
      return collection;
    },
  });
  return Object.freeze({
    apiVersion: '1.0.0',
    id: manifest.id,
    scopes: Object.freeze([...init!.scopes]),
    log,
    config: Object.freeze(config),
    get devices() { if (!init!.scopes.includes('devices:control')) need('devices:read'); return devicesApi; },
    speak(target: unknown, text: string) {
      need('voice:speak');
      if (typeof text !== 'string' || text.trim() === '') throw coded('BAD_REQUEST', 'speak needs non-empty text');
      send({ t: 'speak', target: typeof target === 'string' ? target : target && typeof target === 'object' ? { ...target } : undefined, text: text.slice(0, 1000) });
    },
    get cloud() { need('cloud:request'); return cloud; },
    get location() { need('geo:read'); return init!.location; },
    get schedule() {
      need('schedule');
      return Object.freeze({
        now: () => Date.now(),
        after: (ms: number, fn: Fn) => job(setTimeout(guarded(fn), ms)),
        every: (ms: number, fn: Fn) => job(setInterval(guarded(fn), ms)),
        cron: () => notIsolated('schedule.cron'),
      });
    },
    get store() { need('storage'); return store; },
    system: Object.freeze({ latest: () => structuredClone(system) }),
    intents: Object.freeze({
      handle(intent: string, handler: Fn) {
        registering(`a handler for ${intent}`);
        if (typeof handler !== 'function') throw coded('PLUGIN_MANIFEST_INVALID', `the handler for ${intent} must be a function`);
        intents.set(String(intent), handler);
      },
      addSentences(set: { lang: string; intent: string; sentences: string[] }) {
        registering('sentences');
        sentences.push(structuredClone(set));
      },
      addResponses(lang: string, texts: Record<string, string>) {
        registering('responses');
        responses[lang] = { ...responses[lang], ...structuredClone(texts) };
      },
    }),
    events: Object.freeze({
      on(event: string, handler: Fn) {
        registering(`a listener for ${event}`);
        need('devices:read');
        if (typeof handler !== 'function') throw coded('PLUGIN_MANIFEST_INVALID', `the ${event} listener must be a function`);
        events.set(event, [...(events.get(event) ?? []), handler]);
      },
    }),
    respond(key: string, vars: Record<string, unknown> = {}, lang = 'en') {
      const primary = String(lang).toLowerCase().split(/[-_]/)[0] || 'en';
      const own = responses[primary]?.[key] ?? responses.en?.[key];
      // The intent engine's shared templates stay in the hub: an isolated plugin renders only its own.
      return own === undefined ? key : renderTemplate(own, vars);
    },
    registerSpeechToText(provider: { formats: readonly string[]; transcribe: Fn }) {
      registering('speech to text');
      if (!provider || typeof provider.transcribe !== 'function') throw coded('PLUGIN_MANIFEST_INVALID', 'a speech-to-text provider needs transcribe()');
      stt = provider;
    },
    registerFallback(handler: Fn) {
      registering('a fallback');
      if (typeof handler !== 'function') throw coded('PLUGIN_MANIFEST_INVALID', 'a fallback must be a function');
      fallbacks.push(handler);
    },
    refuse(code: string, message: string) {
      return coded(REFUSAL_CODES.has(code) ? code : 'BAD_REQUEST', String(message));
    },
  });
}

let api: Record<string, unknown> | null = null;

async function run(kind: string, name: string | undefined, args: unknown[], signal: AbortSignal): Promise<unknown> {
  const ctx = (call: { traceId?: string; session?: unknown }) => ({
    traceId: call.traceId ?? '', session: call.session ?? {}, signal, log: (api!.log as { child: Fn }).child({ traceId: call.traceId }),
  });
  switch (kind) {
    case 'load': {
      const ns = await import(pathToFileURL(init!.entry).href) as Record<string, unknown>;
      const fallback = ns.default;
      const holds = (o: object) => [...HOOKS, 'events', 'manifest'].some((k) => k in o);
      exported = !holds(ns) && fallback && typeof fallback === 'object' && holds(fallback) ? fallback as Record<string, unknown> : ns;
      for (const hook of HOOKS) {
        if (exported[hook] !== undefined && typeof exported[hook] !== 'function') throw new Error(`\`${hook}\` must be a function`);
      }
      api = makeApi();
      return null;
    }
    case 'register': {
      registrationOpen = true;
      try {
        const declared = exported!.events as Record<string, Fn> | undefined;
        for (const [event, handler] of Object.entries(declared ?? {})) (api!.events as { on: Fn }).on(event, handler);
        const status = exported!.onRegister ? await (exported!.onRegister as Fn).call(exported, api) : undefined;
        const summary: RegisterSummary = {
          status: status && typeof status === 'object' ? plain(status) : null,
          intents: [...intents.keys()], sentences, responses, events: [...events.keys()] as RegisterSummary['events'],
          stt: stt ? [...stt.formats].map(String) : null, fallbacks: fallbacks.length,
        };
        return summary;
      } finally {
        registrationOpen = false;
      }
    }
    case 'start':
    case 'stop': {
      const hook = exported![kind === 'start' ? 'onStart' : 'onStop'] as Fn | undefined;
      return hook ? await hook.call(exported, api) ?? null : null;
    }
    case 'intent': {
      const [request, call] = args as [object, { traceId?: string; session?: unknown }];
      const handler = intents.get(name!);
      if (!handler) throw new Error(`no handler for ${name}`);
      return handler(request, ctx(call));
    }
    case 'fallback': {
      const [utterance, call] = args as [object, { traceId?: string; session?: unknown }];
      return fallbacks[Number(name)]?.(utterance, ctx(call)) ?? null;
    }
    case 'event': {
      for (const handler of events.get(name!) ?? []) await handler(args[0], { log: api!.log });
      return null;
    }
    case 'transcribe': {
      if (!stt) throw new Error('no speech-to-text provider');
      return stt.transcribe(args[0], signal);
    }
    default:
      throw new Error(`unknown call ${kind}`);
  }
}

process.on('message', (raw: HostToChild) => {
  switch (raw.t) {
    case 'init':
      init ??= raw;
      system = raw.system;
      devices = raw.devices ?? [];
      return;
    case 'devices':
      devices = raw.devices;
      return;
    case 'result': {
      const pending = pendingApi.get(raw.id);
      if (!pending) return;
      pendingApi.delete(raw.id);
      if (raw.ok) pending.resolve(raw.value);
      else pending.reject(fromWire(raw.error));
      return;
    }
    case 'abort':
      running.get(raw.id)?.abort();
      return;
    case 'ping':
      send({ t: 'pong' });
      return;
    case 'call': {
      system = raw.system;
      const abort = new AbortController();
      running.set(raw.id, abort);
      const request = raw.kind === 'intent' ? raw.args[0] : null;
      if (request && typeof request === 'object' && raw.targets) targetsFor.set(request, raw.targets);
      run(raw.kind, raw.name, raw.args, abort.signal).then(
        (value) => send({ t: 'done', id: raw.id, ok: true, value: value === undefined ? null : value }),
        (err: unknown) => send({ t: 'done', id: raw.id, ok: false, error: wireError(err) }),
      ).catch((err: unknown) => send({ t: 'done', id: raw.id, ok: false, error: { message: `the answer cannot cross to the hub: ${(err as Error).message}` } }))
        .finally(() => running.delete(raw.id));
      return;
    }
  }
});

// A floating rejection is the plugin's bug, logged where the hub can see it; this process goes on.
process.on('unhandledRejection', (err) => send({ t: 'log', level: 'error', obj: { err: plain({ e: err }).e ?? String(err) }, msg: 'unhandled rejection inside the plugin' }));
// The channel closing means the hub is gone or done with this plugin.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
