/**
 * The child process of an isolated plugin (`isolation: process`). The hub forks it under Node's permission
 * model (reads limited to this folder, the template renderer and the plugin's own files; no writes, no
 * child processes, no workers), sends `init`, then asks it to load the plugin and run its hooks and
 * handlers. The plugin gets an API object of the same shape as in-process; what needs the hub (device
 * commands and resolution, cloud requests, the store, timers and cron jobs, speech, logs) goes over the
 * channel on fd 3 (channel.ts: frames of at most 1 MiB), where the host checks the scopes again. Imports
 * nothing else of the hub: the permission model would refuse it.
 */
import { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { fillResponse } from '../../intents/fillResponse.js';
import { renderTemplate } from '../template.js';
import { MIN_EVERY_MS } from '../../../plugins/sdk/api.js';
import { encodeFrame, readFrames } from './channel.js';
import type { ApiMethod, ChildToHost, HostToChild, InitMessage, RegisterSummary, WireError } from './protocol.js';

type Fn = (...args: unknown[]) => unknown;

const REFUSAL_CODES = new Set(['VALUE_OUT_OF_RANGE', 'DEVICE_NOT_FOUND', 'DEVICE_AMBIGUOUS', 'DEVICE_UNSUPPORTED', 'CLOUD_UNAVAILABLE', 'BAD_REQUEST', 'MQTT_UNAVAILABLE', 'NO_MATCH']);
/** Codes an error may keep when it crosses to the hub: the refusals, and the API's own denials. */
const PASSED_CODES = new Set([...REFUSAL_CODES, 'PLUGIN_SCOPE_DENIED', 'REGISTER_AFTER_START', 'PLUGIN_MANIFEST_INVALID']);
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
/** Timer and cron bodies by job id: the host keeps the clock and fires them here (a `job` call). */
const jobs = new Map<number, { fn: Fn; once: boolean }>();
let nextJobId = 1;
/** The hub's clock minus this process's (`api.schedule.now`). */
let clockOffset = 0;

const channel = new Socket({ fd: 3, readable: true, writable: true });

/** Throws (nothing sent) when the message is above the channel's cap or cannot be serialized. */
function send(message: ChildToHost): void {
  channel.write(encodeFrame(message));
}

function wireError(err: unknown): WireError {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && PASSED_CODES.has(code) ? { message, code } : { message };
}

function fromWire(error: WireError): Error {
  return Object.assign(new Error(error.message), error.code ? { code: error.code, name: 'HubError' } : {});
}

function coded(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, name: 'HubError' });
}

function callHost(method: ApiMethod, args: unknown[], signal?: AbortSignal): Promise<unknown> {
  const id = nextApiId++;
  return new Promise((resolve, reject) => {
    try {
      send({ t: 'api', id, method, args });
    } catch (err) {
      reject(coded('BAD_REQUEST', `${method} cannot be sent to the hub: ${(err as Error).message}`));
      return;
    }
    const onAbort = () => { try { send({ t: 'cancel', id }); } catch { /* the channel is gone: so is the call */ } };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal?.removeEventListener('abort', onAbort);
    pendingApi.set(id, { resolve: (v) => { settle(); resolve(v); }, reject: (e) => { settle(); reject(e); } });
  });
}

/** A cron expression's shape (5 or 6 fields of cron characters); the hub's cron library has the last word. */
const CRON_FIELD = /^[0-9A-Za-z*,/?#-]+$/;
function cronShape(expression: unknown): boolean {
  if (typeof expression !== 'string') return false;
  const fields = expression.trim().split(/\s+/);
  return (fields.length === 5 || fields.length === 6) && fields.every((f) => CRON_FIELD.test(f));
}


function logger(bound: Record<string, unknown>): Record<string, Fn> {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (objOrMsg: unknown, msg?: unknown) => {
    const obj = typeof objOrMsg === 'object' && objOrMsg !== null ? { ...bound, ...plain(objOrMsg) } : bound;
    const text = String(typeof objOrMsg === 'string' ? objOrMsg : msg ?? '').slice(0, 2000);
    try {
      send({ t: 'log', level, obj, msg: text });
    } catch {
      send({ t: 'log', level, obj: bound, msg: `${text.slice(0, 200)} (its fields were too large to log)` });
    }
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


function makeApi(): Record<string, unknown> {
  const { manifest, config } = init!;
  const log = logger({});
  // Timers and cron jobs live in the host (its clock, its guard, released when the plugin stops); the body runs here.
  const schedule = (method: 'schedule.after' | 'schedule.every' | 'schedule.cron', what: unknown, fn: unknown, options?: unknown) => {
    if (typeof fn !== 'function') throw coded('BAD_REQUEST', 'a scheduled job must be a function');
    if (method === 'schedule.cron') {
      if (!cronShape(what)) throw coded('BAD_REQUEST', `invalid cron expression ${JSON.stringify(what)}`);
    } else {
      if (typeof what !== 'number' || !Number.isFinite(what) || what < 0) {
        throw coded('BAD_REQUEST', `a delay must be a finite number of milliseconds ≥ 0, got ${String(what)}`);
      }
      // The hub refuses it too (scheduler.ts); said here at once, as in process, not as a later log line.
      if (method === 'schedule.every' && what < MIN_EVERY_MS) {
        throw coded('SCHEDULE_TOO_FREQUENT', `api.schedule.every takes a period of at least ${MIN_EVERY_MS} ms, got ${what}`);
      }
    }
    const id = nextJobId++;
    jobs.set(id, { fn: fn as Fn, once: method === 'schedule.after' });
    const timezone = (options as { timezone?: unknown } | undefined)?.timezone;
    callHost(method, [id, what, typeof timezone === 'string' ? { timezone } : {}]).catch((err: unknown) => {
      jobs.delete(id);
      log.error({ err }, `${method} refused by the hub: ${(err as Error).message}`);
    });
    return {
      cancel: () => {
        if (jobs.delete(id)) callHost('schedule.cancel', [id]).catch(() => undefined);
      },
    };
  };
  const devicesApi = Object.freeze({
    list: () => { need('devices:read'); return structuredClone(devices); },
    get: (id: string) => { need('devices:read'); const d = devices.find((x) => x.id === id); return d ? structuredClone(d) : undefined; },
    available: (id: string) => { need('devices:read'); return (devices.find((x) => x.id === id) as { available?: boolean | null } | undefined)?.available; },
    // The request being handled was resolved by the host with the call: answered at once, like in-process.
    // Any other request goes to the intent engine in the hub: a Promise of the Targets (await works for both).
    resolve: (request: object) => {
      need('devices:read');
      const found = request && typeof request === 'object' ? targetsFor.get(request) : undefined;
      if (!found) {
        const r = (request && typeof request === 'object' ? request : {}) as Record<string, unknown>;
        return callHost('devices.resolve', [{ intent: r.intent, text: r.text, lang: r.lang, slots: plain(r.slots ?? {}), ...(r.area === undefined ? {} : { area: r.area }) }]);
      }
      if (!found.ok) throw fromWire(found.error);
      return structuredClone(found.value);
    },
    command: (id: string, command: unknown, options?: { traceId?: string }) => {
      try { need('devices:control'); } catch (err) { return Promise.reject(err); }
      return callHost('devices.command', [id, command, options?.traceId === undefined ? {} : { traceId: options.traceId }]);
    },
  });
  const cloud = Object.freeze({
    request: async (url: string, reqInit: Record<string, unknown> = {}) => {
      const { signal, ...rest } = reqInit; // the signal stays here: aborting it cancels the host's request
      const res = await callHost('cloud.request', [url, rest], signal instanceof AbortSignal ? signal : undefined) as { status: number; headers: Record<string, unknown>; text: string };
      return { status: res.status, headers: res.headers, text: async () => res.text, json: async () => JSON.parse(res.text) as unknown };
    },
    get configured() { return init!.cloudConfigured; },
  });
  const store = Object.freeze({
    open: async (defaults: () => object) => {
      const data = await callHost('store.open', [structuredClone(defaults())]);
      let queued: Promise<unknown> | null = null;
      const collection = {
        data,
        markDirty() {
          // Coalesced: many changes in one turn cross the channel once.
          queued ??= new Promise((resolve) => setImmediate(resolve)).then(() => { queued = null; return callHost('store.save', [collection.data]); });
        },
        async flush() {
          if (queued) await queued;
          await callHost('store.flush', []);
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
      const to = typeof target === 'string' ? target : target && typeof target === 'object' ? plain(target) : undefined;
      try {
        send({ t: 'speak', target: to, text: text.slice(0, 1000) });
      } catch (err) {
        throw coded('BAD_REQUEST', `speak cannot be sent to the hub: ${(err as Error).message}`);
      }
    },
    get cloud() { need('cloud:request'); return cloud; },
    get location() { need('geo:read'); return init!.location; },
    get schedule() {
      need('schedule');
      return Object.freeze({
        now: () => Date.now() + clockOffset,
        after: (ms: number, fn: Fn) => schedule('schedule.after', ms, fn),
        every: (ms: number, fn: Fn) => schedule('schedule.every', ms, fn),
        cron: (expression: string, fn: Fn, options?: { timezone?: string }) => schedule('schedule.cron', expression, fn, options),
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
      if (own !== undefined) return renderTemplate(own, vars);
      // The intent engine's shared templates (a copy came with init), English where the language has none.
      const shared = init!.sharedResponses;
      if (!Object.hasOwn(shared.en ?? {}, key)) return key;
      const template = (Object.hasOwn(shared[primary] ?? {}, key) ? shared[primary]![key] : shared.en![key])!;
      return fillResponse(template, vars && typeof vars === 'object' ? vars : {});
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
  const ctx = (call: { traceId?: string; session?: unknown; scopes?: unknown }) => ({
    traceId: call.traceId ?? '', session: call.session ?? {}, signal,
    scopes: Array.isArray(call.scopes) ? Object.freeze(call.scopes.filter((s): s is string => typeof s === 'string')) : [], stream: () => {}, log: (api!.log as { child: Fn }).child({ traceId: call.traceId }),
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
    case 'job': {
      const job = jobs.get(Number(name));
      if (!job) return null; // cancelled while the host fired it
      if (job.once) jobs.delete(Number(name));
      await job.fn();
      return null;
    }
    default:
      throw new Error(`unknown call ${kind}`);
  }
}

function onMessage(raw: HostToChild): void {
  switch (raw.t) {
    case 'init':
      init ??= raw;
      system = raw.system;
      clockOffset = raw.now - Date.now();
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
      clockOffset = raw.now - Date.now();
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
}

// A frame above the cap from the hub cannot happen unless something is badly wrong: this process ends.
readFrames(channel, { message: (m) => onMessage(m as HostToChild), violation: () => process.exit(1) });

// A floating rejection is the plugin's bug, logged where the hub can see it; this process goes on.
// The hub counts it as the plugin's failure, as it does for an in-process plugin's.
process.on('unhandledRejection', (err) => send({ t: 'unhandled', message: String((err as Error)?.message ?? err).slice(0, 2000) }));
// The channel closing means the hub is gone or done with this plugin.
channel.on('end', () => process.exit(0));
channel.on('close', () => process.exit(0));
channel.on('error', () => process.exit(0));
send({ t: 'ready' });
