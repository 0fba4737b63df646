import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { HubContext } from '../../core/context.js';
import { ErrorCodes, HubError, isHubError, type ErrorCode } from '../../core/errors.js';
import { Counter, getOrCreate } from '../../core/metrics.js';
import type { CloudRequest, Job, PluginApi, PluginCollection } from '../../../plugins/sdk/api.js';
import type { DeviceCommand } from '../../../plugins/sdk/devices.js';
import type { PluginEventName } from '../../../plugins/sdk/events.js';
import type { HandlerContext, IntentRequest } from '../../../plugins/sdk/intents.js';
import type { PluginModule } from '../../../plugins/sdk/manifest.js';
import type { AudioInput } from '../../../plugins/sdk/stt.js';
import { PLUGIN_EVENTS } from '../loader.js';
import type { PluginRecord } from '../pluginRecord.js';
import { encodeFrame, MAX_MESSAGE_BYTES, readFrames } from './channel.js';
import { budgetChannel, CHANNEL_BYTES_PER_S } from './channelBudget.js';
import type { ApiMethod, ChildToHost, HostCallKind, HostToChild, RegisterSummary, WireError } from './protocol.js';
import { backoffStep } from '../../core/backoff.js';
import { assertNoLinksOut } from './linkCheck.js';
import { CpuWindow, parseProcStat } from './cpuWindow.js';
import { Offences, OFFENDER_NICE } from './offences.js';
import { pluginEntry } from '../grants.js';
import { WarnThrottle } from '../../core/warnThrottle.js';

/** Codes a reply from the child may carry: refusals (an answer to the user) and a scope denial. */
const PASSED_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'VALUE_OUT_OF_RANGE', 'DEVICE_NOT_FOUND', 'DEVICE_AMBIGUOUS', 'DEVICE_UNSUPPORTED', 'CLOUD_UNAVAILABLE', 'BAD_REQUEST',
  'MQTT_UNAVAILABLE', 'NO_MATCH', 'PLUGIN_SCOPE_DENIED', 'REGISTER_AFTER_START', 'PLUGIN_MANIFEST_INVALID',
]);
/** Restart back-off: 1 s, doubling per crash in a row, at most a minute; a child that ran this long resets it. */
const RESTART_BASE_MS = 1000;
const RESTART_MAX_MS = 60_000;
const STABLE_AFTER_MS = 30_000;
/** API calls one child may have running in the hub at once; more are refused (a flood cannot queue up work). */
const MAX_API_INFLIGHT = 64;
/**
 * Timers and cron jobs one child may keep in the hub at once: each is a timer and a map entry there, and a child
 * asking for them a batch at a time (under MAX_API_INFLIGHT) could otherwise fill the hub's heap. More are refused.
 */
const MAX_JOBS = 256;
/** Calls from the hub into one child at once (intents, events, jobs…); more fail at once with PLUGIN_FAILED. */
const MAX_CALLS_INFLIGHT = 64;
/** Bytes the hub may have queued for a child that does not read its channel; past this, sends are refused. */
const MAX_QUEUED_BYTES = 4 * MAX_MESSAGE_BYTES;
/**
 * The child's resident memory, checked every RSS_CHECK_MS: Buffers live outside the V8 heap and its cap,
 * so a plugin could otherwise take the unit's whole MemoryMax. Above this it is killed (and restarted).
 */
const CHILD_RSS_MAX_MB = 160;
/**
 * The child's data segment (RLIMIT_DATA: its heap, Buffers and thread stacks, ~80 MB at rest for ~45 MB
 * resident): an allocation past it fails in the plugin (a RangeError) instead of being made, so a plugin that
 * asks for 320 MB at once stops near 185 MB resident rather than reaching it between two RSS checks; what it
 * kept is then over CHILD_RSS_MAX_MB and the process is killed. Set by the shell that execs Node (Node has no
 * setrlimit): `ulimit -d` in KiB.
 */
const CHILD_DATA_MAX_MB = 224;
/** How often the child's memory and CPU time are read (more often for a CPU window under 4 s). */
const RESOURCE_CHECK_MS = 1000;
/**
 * A child that has answered no heartbeat for plugins.cpuQuota.stuckMs is stuck in a synchronous loop once it has
 * also used this share of stuckMs in CPU time since the ping (answering takes well under a millisecond of CPU):
 * one merely starved by a busy machine uses little and is left alone until it has burnt that much.
 */
const STUCK_BUSY_SHARE = 0.5;
/**
 * The child's own heap: a plugin that leaks or builds huge strings dies alone, well before the hub would.
 * A small young generation too: the child is about 51 MB resident, a bare Node process about 40.
 */
const CHILD_HEAP_MB = 96;
const CHILD_SEMI_SPACE_MB = 1;
/** How long a new child may take to be ready (Node's own start-up) before it counts as failed. */
const PROCESS_START_MS = 30_000;
const MAX_LOG_CHARS = 2000;
/** Log lines (API log, stdout, stderr) one child may write per second; the rest are counted and dropped (an SD card). */
const MAX_LOG_LINES_PER_S = 100;

/**
 * Every plugin process still running: killed when the hub's process exits however it exits (a crash too),
 * so a child stuck in a loop, which never reads its channel closing, is not left spinning as an orphan.
 */
const children = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); });
  }
}

export interface IsolationDeps {
  ctx: HubContext;
  /** dist/daemon/plugins/isolated/runner.js: the child's entry. */
  runner: string;
  /** The hub's package.json (Node reads it to know runner.js is an ES module). */
  hubPackageJson: string;
  restarts: Counter<'plugin'> | null;
  /** The intent engine's shared response templates by language, for `api.respond` in the child. */
  sharedResponses: Record<string, Record<string, string>>;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/**
 * One plugin with `isolation: process` (issue 11, like Homebridge's child bridges): its code runs in a child
 * process forked under Node's permission model, reading only its own files, writing nothing, starting no
 * process or worker. The host sees an ordinary PluginModule whose hooks and handlers are calls over the IPC
 * channel (protocol.ts); the child's API calls come back here and run on the plugin's real API object, with
 * the same scope checks as in-process. A crash, `process.exit` or a killed child answers its calls in flight
 * with PLUGIN_FAILED and is restarted with back-off (reloaded, registered and started again in the child);
 * the hub never stops for it.
 */
export class IsolatedPlugin {
  private child: ChildProcess | null = null;
  private channel: Socket | null = null;
  private onReady: (() => void) | null = null;
  /** Timers and cron jobs the child made, by its job id: cancelled when that child exits (a new one makes its own). */
  private readonly jobs = new Map<number, Job>();
  /** The host's side of API calls that can be cancelled from the child (cloud.request with a signal). */
  private readonly apiAborts = new Map<number, AbortController>();
  /** The one timer of watch(): limits and the heartbeat. */
  private watchTimer: NodeJS.Timeout | null = null;
  /** The heartbeat while calls are in flight (watch()): the ping not yet answered, with the CPU time when it went. */
  private heartbeat: { at: number; cpuMs: number | null } | null = null;
  /** Limit stops in a row: their restarts back off eight-fold and come back at niceness 19 (offences.ts). */
  private readonly offences = new Offences();
  /** Why the hub stopped the child (CPU share, memory) and when it comes back: the plugin shows `paused` until then. */
  private limitStop: { code: ErrorCode; reason: string; until: number | null } | null = null;
  private api: PluginApi | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private apiInflight = 0;
  private closing = false;
  private closed: Promise<void> | null = null;
  private crashes = 0;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private store: PluginCollection<object> | null = null;
  private devicesQueued = false;
  private readonly listener: { name: string };
  private logWindow = { second: 0, lines: 0, dropped: 0 };
  /**
   * The child's reports of an unhandled rejection: 10, then 1 a second. Each is a counted failure, a bus event
   * (the cloud's outbox keeps it) and two log lines; a child sending them in a loop (the channel fuzz) had the
   * hub write thousands a second. One left out is not counted: past ten a plugin is failing for good anyway.
   */
  private readonly unhandledReports: WarnThrottle;
  /** The plugin has passed onStart once: a restarted child is started again too. */
  private started = false;
  /** The channel's byte budget on the live child (channelBudget.ts): stopped when that child exits. */
  private stopBudget: (() => void) | null = null;
  /** One warning a minute while the channel is throttled; the metrics count every byte and every wait. */
  private readonly throttleWarnings: WarnThrottle;
  private readonly channelMetrics: { bytes: Counter<'plugin'>; throttled: Counter<'plugin'> };

  constructor(private readonly record: PluginRecord, private readonly deps: IsolationDeps) {
    this.listener = { name: `isolated:${record.manifest!.id}` };
    this.unhandledReports = new WarnThrottle(deps.ctx.clock, { perSecond: 1, burst: 10, maxKeys: 1 });
    this.throttleWarnings = new WarnThrottle(deps.ctx.clock, { perSecond: 1 / 60, burst: 1, maxKeys: 1 });
    const metrics = deps.ctx.metrics;
    this.channelMetrics = {
      bytes: getOrCreate(metrics, 'voicehub_plugin_channel_bytes_total', () => new Counter({
        name: 'voicehub_plugin_channel_bytes_total', help: 'Bytes an isolated plugin\'s process sent the hub over its channel', labelNames: ['plugin'] as const, registers: [metrics],
      })),
      throttled: getOrCreate(metrics, 'voicehub_plugin_channel_throttled_seconds_total', () => new Counter({
        name: 'voicehub_plugin_channel_throttled_seconds_total', help: 'Seconds the hub did not read an isolated plugin\'s channel because it sent more than its byte budget', labelNames: ['plugin'] as const, registers: [metrics],
      })),
    };
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Set while a child the hub stopped for its CPU share or memory is down: what describe() shows as `paused`. */
  stoppedByLimit(): { code: ErrorCode; reason: string; until: number | null } | null {
    return this.limitStop;
  }

  /** plugins.<id>.nice / cpuQuota, or the plugins.* defaults. */
  private limits(): { nice: number; cpuQuota: { percent: number; windowMs: number; stuckMs: number } } {
    const { plugins } = this.deps.ctx.config;
    const entry = pluginEntry(this.deps.ctx.config, this.record.manifest!.id);
    return { nice: entry?.nice ?? plugins.nice, cpuQuota: entry?.cpuQuota ?? plugins.cpuQuota };
  }

  /** The PluginModule the host runs: every hook is a call into the child. */
  module(): PluginModule {
    return {
      manifest: this.record.manifest!,
      onRegister: async (api) => {
        this.api = api;
        if (!this.child) await this.startProcess();
        await this.load();
        const summary = await this.call('register') as RegisterSummary;
        this.limitStop = null; // a child stopped before it was registered is replaced by this one
        this.replay(summary, api);
        return summary.status as never;
      },
      onStart: async () => {
        await this.call('start');
        this.started = true;
      },
      onStop: async () => {
        await this.call('stop');
      },
    };
  }

  /** Stops the child for good (the hub stops, or the plugin failed): no restart follows. Idempotent. */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.pingTimer) clearTimeout(this.pingTimer);
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.deps.ctx.bus.removeListeners(this.listener);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.channel?.end(); // the runner exits when its channel closes
    // One stuck in a synchronous loop never sees that: it is killed.
    const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(kill);
  }

  /** Starts the child, sends init and loads the plugin in it. */
  private async boot(): Promise<void> {
    await this.startProcess();
    await this.load();
  }

  /**
   * Starts the child and waits until it can take messages. The host does this before onRegister, with its
   * own limit (a process start is the hub's cost, ~0.3 s on a Pi, and not the plugin's timeoutMs).
   */
  async startProcess(): Promise<void> {
    // Node's permission model follows links: one leading out of the plugin's folder would open the hub's files.
    await assertNoLinksOut(this.record.candidate.root, statSync(this.record.candidate.root).isDirectory());
    const child = this.spawn();
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string) => { this.onReady = null; clearTimeout(timer); reject(new HubError('PLUGIN_FAILED', `plugin ${this.record.manifest!.id}'s process ${why}`)); };
      const onExit = (code: number | null) => fail(`exited (${code}) before it was ready`);
      const timer = setTimeout(() => { child.off('exit', onExit); child.kill('SIGKILL'); fail(`was not ready within ${PROCESS_START_MS} ms`); }, PROCESS_START_MS);
      this.onReady = () => { this.onReady = null; clearTimeout(timer); child.off('exit', onExit); resolve(); };
      child.once('exit', onExit);
    });
  }

  /** Sends init and imports the plugin in the child (within the caller's timeout: onRegister's, or none on a restart). */
  private async load(): Promise<void> {
    const api = this.api!;
    const scopes = api.scopes;
    this.send({
      t: 'init',
      entry: this.record.candidate.entry,
      manifest: this.record.manifest!,
      scopes: [...scopes],
      config: structuredClone(api.config) as Record<string, unknown>,
      location: scopes.includes('geo:read') ? { ...api.location } : null,
      cloudConfigured: scopes.includes('cloud:request') ? api.cloud.configured : false,
      devices: scopes.includes('devices:read') ? api.devices.list() : null,
      system: api.system.latest(),
      now: this.deps.ctx.clock.now(),
      sharedResponses: this.deps.sharedResponses,
    });
    if (scopes.includes('devices:read')) this.followDevices();
    await this.call('load');
  }

  private spawn(): ChildProcess {
    const { record, deps } = this;
    const root = record.candidate.root;
    const isDir = statSync(root).isDirectory();
    const reads = [
      deps.runner, join(dirname(deps.runner), 'channel.js'), join(dirname(deps.runner), '..', 'template.js'),
      join(dirname(deps.runner), '..', '..', 'intents', 'fillResponse.js'), deps.hubPackageJson,
      // The SDK's few runtime files (the API version, the scopes, the device vocabulary as data), which a built-in imports.
      join(dirname(deps.runner), '..', '..', '..', 'plugins', 'sdk', '*'),
      isDir ? join(root, '*') : root,
      // Node looks for the nearest package.json to tell an ES module from CommonJS.
      ...(isDir ? [] : [join(dirname(root), 'package.json')]),
    ];
    const nodeArgs = [
      '--experimental-permission', ...reads.map((p) => `--allow-fs-read=${p}`), '--no-warnings',
      `--max-old-space-size=${CHILD_HEAP_MB}`, `--max-semi-space-size=${CHILD_SEMI_SPACE_MB}`, deps.runner,
    ];
    const [command, args] = withDataLimit(process.execPath, nodeArgs);
    const child = spawn(command, args, {
      // No secrets from the hub's environment: the child gets a clean one.
      env: { ...(process.env.TZ ? { TZ: process.env.TZ } : {}), ...(process.env.LANG ? { LANG: process.env.LANG } : {}) },
      cwd: isDir ? root : dirname(root),
      // fd 3 is the channel (channel.ts), not Node's IPC: its frames are size-checked before they are read.
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    this.lowerPriority(child);
    const channel = child.stdio[3] as Socket;
    this.channel = channel;
    channel.on('error', () => undefined); // a child that dies mid-write: its exit is what counts
    const plugin = { plugin: record.manifest!.id };
    this.stopBudget = budgetChannel(channel, this.deps.ctx.clock, {
      read: (bytes) => this.channelMetrics.bytes.inc(plugin, bytes),
      throttled: (waitMs) => {
        this.channelMetrics.throttled.inc(plugin, waitMs / 1000);
        const leftOut = this.throttleWarnings.admit('throttled');
        if (leftOut !== null) {
          record.log.warn({ code: 'PLUGIN_CHANNEL_THROTTLED', waitMs, bytesPerSecond: CHANNEL_BYTES_PER_S, ...(leftOut > 0 ? { throttledSinceLastLine: leftOut } : {}) },
            'plugin process sends more than its channel budget; the hub reads from it more slowly');
        }
      },
    });
    readFrames(channel, {
      message: (m) => {
        if (this.child !== child) return;
        try {
          this.onMessage(m as ChildToHost);
        } catch (err) {
          // A message the hub cannot handle (a field that cannot even be printed: {toString: 0}) is the plugin's
          // fault, like a broken frame: its process goes, never the hub (the throw used to reach the stream).
          record.log.error({ err, pid: child.pid, code: 'PLUGIN_FAILED' }, `plugin process sent a message the hub cannot handle (${(err as Error).message}); killing it`);
          child.kill('SIGKILL');
        }
      },
      violation: (err) => {
        record.log.error({ err, pid: child.pid }, `plugin process broke its channel (${err.message}); killing it`);
        child.kill('SIGKILL');
      },
    });
    track(child);
    this.watch(child);
    // The hub's own servers keep it running; a plugin's process and pipes never do (a test or CLI can end).
    child.unref();
    for (const stream of [channel, child.stdout, child.stderr]) (stream as Socket | null)?.unref?.();
    this.startedAt = Date.now();
    for (const [stream, level] of [[child.stdout, 'info'], [child.stderr, 'warn']] as const) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.log(level, { stream: level === 'info' ? 'stdout' : 'stderr' }, line));
    }
    child.on('error', (err) => record.log.error({ err }, 'plugin process error'));
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    record.log.info({ pid: child.pid }, 'plugin process started (isolation: process)');
    return child;
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === child) { this.child = null; this.channel = null; this.stopBudget?.(); this.stopBudget = null; }
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watchTimer = null;
    this.heartbeat = null;
    for (const job of this.jobs.values()) job.cancel();
    this.jobs.clear();
    for (const abort of this.apiAborts.values()) abort.abort();
    this.apiAborts.clear();
    this.apiInflight = 0;
    const id = this.record.manifest!.id;
    const limit = this.limitStop;
    const failure = new HubError('PLUGIN_FAILED', limit
      ? `plugin ${id}'s process was stopped while answering: ${limit.reason}`
      : `plugin ${id}'s process exited (${signal ?? code}) while answering`, { details: { plugin: id, exitCode: code, signal, ...(limit ? { cause: limit.code } : {}) } });
    for (const pending of this.pending.values()) pending.reject(failure);
    this.pending.clear();
    if (this.closing) return;
    if (!this.api) return; // exited before onRegister: onRegister starts a new one
    const ranMs = Date.now() - this.startedAt;
    if (ranMs > STABLE_AFTER_MS) this.crashes = 0;
    // A limit stop (CPU share, a spin, memory) backs off per offence in a row; a crash on the crash back-off.
    const offenceDelay = this.offences.stopped(ranMs, limit !== null);
    const delay = offenceDelay ?? backoffStep(this.crashes, RESTART_BASE_MS, RESTART_MAX_MS);
    if (offenceDelay === null) this.crashes++;
    this.deps.restarts?.inc({ plugin: id });
    this.record.guard?.recordFailure(failure, 'process exit');
    this.record.log.error({ exitCode: code, signal, restartInMs: delay, ...(limit ? { code: limit.code, offences: this.offences.inRow } : {}) }, `plugin process exited (${signal ?? code}); restarting in ${delay} ms`);
    if (limit) limit.until = Date.now() + delay;
    this.restartTimer = setTimeout(() => void this.restart(), delay);
    this.restartTimer.unref();
  }

  /** A new child: load, register (the host keeps the first registrations) and start again. */
  private async restart(): Promise<void> {
    this.restartTimer = null;
    if (this.closing) return;
    try {
      await this.boot();
      await this.call('register');
      if (this.started) await this.call('start');
      this.limitStop = null;
      this.record.log.info({ pid: this.child?.pid }, 'plugin process restarted');
    } catch (err) {
      this.record.log.error({ err }, 'plugin process could not be restarted; trying again');
      if (this.child) this.child.kill('SIGKILL'); // its exit schedules the next try
      else {
        if (this.limitStop) this.limitStop.until = Date.now() + RESTART_MAX_MS;
        this.restartTimer = setTimeout(() => void this.restart(), RESTART_MAX_MS);
      }
    }
  }

  /** The child's registrations, made on the host's API object: the host checks them like in-process ones. */
  private replay(summary: RegisterSummary, api: PluginApi): void {
    const call = (kind: HostCallKind, name: string, args: unknown[], ctx?: HandlerContext, request?: IntentRequest) =>
      this.call(kind, { name, args, signal: ctx?.signal, targets: request ? this.targets(request) : undefined });
    // The asking client's scopes go along: a handler (a tool the assistant calls) may act on them.
    const info = (ctx: HandlerContext) => ({ traceId: ctx.traceId, session: { ...ctx.session }, scopes: [...ctx.scopes] });
    for (const intent of summary.intents) {
      api.intents.handle(intent, (request, ctx) => call('intent', intent, [plainRequest(request), info(ctx)], ctx, request) as never);
    }
    for (const set of summary.sentences) api.intents.addSentences(set);
    for (const [lang, texts] of Object.entries(summary.responses)) api.intents.addResponses(lang, texts);
    for (const event of summary.events) {
      if (!PLUGIN_EVENTS.includes(event)) throw new HubError('PLUGIN_MANIFEST_INVALID', `plugin listens to unknown event ${String(event)}`);
      api.events.on(event as PluginEventName, (payload) => call('event', event, [structuredClone(payload)]) as never);
    }
    if (summary.stt) {
      api.registerSpeechToText({
        formats: summary.stt,
        transcribe: (input: AudioInput, signal: AbortSignal) => this.call('transcribe', { args: [input], signal }) as never,
      });
    }
    for (let i = 0; i < summary.fallbacks; i++) {
      api.registerFallback((utterance, ctx) => call('fallback', String(i), [{ ...utterance }, info(ctx)], ctx) as never);
    }
  }

  /** What api.devices.resolve answers for this request, computed here where the intent engine is. */
  private targets(request: IntentRequest): { ok: true; value: unknown } | { ok: false; error: WireError } | undefined {
    if (!this.api!.scopes.includes('devices:read')) return undefined;
    try {
      return { ok: true, value: this.api!.devices.resolve(request) };
    } catch (err) {
      return { ok: false, error: toWire(err) };
    }
  }

  private call(kind: HostCallKind, options: { name?: string; args?: unknown[]; signal?: AbortSignal; targets?: ReturnType<IsolatedPlugin['targets']> } = {}): Promise<unknown> {
    const id = this.nextId++;
    // Events and jobs come with no signal of their own: they get plugins.timeoutMs, so a stuck child is noticed.
    if (!options.signal && (kind === 'event' || kind === 'job')) options = { ...options, signal: AbortSignal.timeout(this.deps.ctx.config.plugins.timeoutMs) };
    return new Promise((resolve, reject) => {
      if (!this.channel?.writable) {
        reject(new HubError('PLUGIN_FAILED', `plugin ${this.record.manifest!.id}'s process is not running (it restarts after a crash)`));
        return;
      }
      if (this.pending.size >= MAX_CALLS_INFLIGHT) {
        reject(new HubError('PLUGIN_FAILED', `plugin ${this.record.manifest!.id} is busy: ${MAX_CALLS_INFLIGHT} calls are waiting for it`));
        return;
      }
      const done = () => { this.pending.delete(id); options.signal?.removeEventListener('abort', onAbort); };
      const onAbort = () => {
        done();
        this.send({ t: 'abort', id });
        reject(new HubError('PLUGIN_FAILED', `${kind} was aborted`));
        this.checkAlive();
      };
      this.pending.set(id, { resolve: (v) => { done(); resolve(v); }, reject: (e) => { done(); reject(e); } });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const sent = this.send({
        t: 'call', id, kind, ...(options.name === undefined ? {} : { name: options.name }), args: options.args ?? [],
        ...(options.targets ? { targets: options.targets } : {}), system: this.api!.system.latest(), now: this.deps.ctx.clock.now(),
      });
      if (sent !== true) this.pending.get(id)?.reject(new HubError('PLUGIN_FAILED', `plugin ${this.record.manifest!.id}'s process cannot be reached: ${sent}`));
    });
  }

  /**
   * After a call timed out: a child that does not even answer a ping within plugins.timeoutMs is stuck (a
   * synchronous loop, which in the hub's own process nothing could stop) and is killed; its exit restarts it.
   */
  private checkAlive(): void {
    const child = this.child;
    if (!child || this.pingTimer || this.closing) return;
    const timeoutMs = this.deps.ctx.config.plugins.timeoutMs;
    this.pingTimer = setTimeout(() => {
      this.pingTimer = null;
      if (this.child !== child) return;
      this.record.log.error({ pid: child.pid }, `plugin process does not answer within ${timeoutMs} ms (stuck in a loop?); killing it`);
      child.kill('SIGKILL');
    }, timeoutMs);
    this.pingTimer.unref();
    this.send({ t: 'ping' });
  }

  /** true once queued to the child, or why not (too large, not running, not reading). */
  private send(message: HostToChild): true | string {
    const channel = this.channel;
    if (!channel?.writable) return 'its process is not running';
    if (channel.writableLength > MAX_QUEUED_BYTES) return `it has not read the ${channel.writableLength} bytes already sent`;
    let frame: Buffer;
    try {
      frame = encodeFrame(message);
    } catch (err) {
      this.record.log.warn({ err, t: message.t }, `cannot send to the plugin process: ${(err as Error).message}`);
      return (err as Error).message;
    }
    channel.write(frame);
    return true;
  }

  /**
   * Runs the child below the hub's CPU priority (plugins.nice added to the hub's own niceness, at most 19): when
   * the CPU is short, the hub's voice path is served first and a busy plugin takes what is left. Relative to the
   * hub, so a hub started with `nice` keeps its plugins below it. Best effort: where the system refuses, the
   * plugin keeps the hub's priority (logged).
   */
  private lowerPriority(child: ChildProcess): void {
    const { nice } = this.limits();
    // A repeat offender (stopped for a limit and not yet forgiven) comes back below everything (offences.ts).
    const offender = this.offences.inRow > 0;
    if (child.pid === undefined || (nice === 0 && !offender)) return;
    try {
      setPriority(child.pid, offender ? OFFENDER_NICE : Math.min(19, getPriority() + nice));
    } catch (err) {
      this.record.log.warn({ err, pid: child.pid }, `cannot lower the plugin process's priority: ${(err as Error).message}`);
    }
  }

  /**
   * Watches the child through /proc (Linux) on one timer, reading /proc/<pid>/stat at most once a tick for both
   * checks that need its CPU time:
   * - every RESOURCE_CHECK_MS (more often for a CPU window under 4 s), its limits, stopping it with the limit's code
   *   (shown as the plugin's state until it is back): memory past CHILD_RSS_MAX_MB resident (PLUGIN_MEMORY_LIMIT;
   *   Buffers live outside the V8 heap and its cap, so a plugin could otherwise take the unit's whole MemoryMax; it
   *   is also the OOM killer's first choice), and CPU above plugins.cpuQuota over its window (PLUGIN_CPU_QUOTA; busy
   *   timers, a loop that yields, a spin in a timer all keep answering pings: only its CPU time shows what it takes);
   * - every stuckMs/4, the watchdog path for a synchronous spin (`for (;;) {}` in a handler), which the CPU share
   *   would catch only after half its window and the timed-out-call ping only after two plugins.timeoutMs: while a
   *   call is in flight the child is pinged; one that has answered no ping for stuckMs and has burnt stuckMs/2 of
   *   CPU time since (a starved child uses little, and a pong costs well under a millisecond) cannot be doing
   *   anything but spin, and is stopped at once (PLUGIN_STUCK). While no call is in flight nothing is sent.
   */
  private watch(child: ChildProcess): void {
    const pid = child.pid;
    if (pid === undefined || process.platform !== 'linux') return;
    void writeFile(`/proc/${pid}/oom_score_adj`, '1000').catch(() => undefined);
    const { cpuQuota } = this.limits();
    const { stuckMs } = cpuQuota;
    const window = new CpuWindow(cpuQuota.windowMs, cpuQuota.percent);
    const resourceEveryMs = Math.min(RESOURCE_CHECK_MS, Math.max(100, Math.floor(cpuQuota.windowMs / 4)));
    const spinEveryMs = stuckMs > 0 ? Math.max(25, Math.floor(stuckMs / 4)) : Infinity;
    const everyMs = Math.min(resourceEveryMs, spinEveryMs);
    let resourcesDue = performance.now() + resourceEveryMs;
    const tick = async () => {
      this.watchTimer = null;
      if (this.child !== child) return;
      const now = performance.now();
      // Half a tick of slack: a timer may fire a hair before the monotonic clock says the time has come.
      const resources = now + everyMs / 2 >= resourcesDue;
      const sent = this.heartbeat;
      let ping: { at: number; cpuMs: number | null } | null = null;
      if (stuckMs > 0 && !sent && this.pending.size > 0) {
        ping = { at: now, cpuMs: null };
        this.heartbeat = ping;
        this.send({ t: 'ping' });
      }
      const judge = stuckMs > 0 && sent !== null && now - sent.at >= stuckMs;
      const [status, stat] = await Promise.all([
        resources ? readFile(`/proc/${pid}/status`, 'utf8').catch(() => '') : '',
        resources || ping || judge ? readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '') : '',
      ]);
      if (this.child !== child) return;
      const cpuMs = parseProcStat(stat)?.cpuMs ?? null;
      if (ping) ping.cpuMs = cpuMs;
      if (resources) {
        resourcesDue = performance.now() + resourceEveryMs;
        const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
        if (kb / 1024 > CHILD_RSS_MAX_MB) {
          this.stopForLimit(child, 'PLUGIN_MEMORY_LIMIT', `uses ${Math.round(kb / 1024)} MB (at most ${CHILD_RSS_MAX_MB})`, { rssMB: Math.round(kb / 1024) });
          return;
        }
        const over = cpuMs !== null ? window.add({ at: performance.now(), cpuMs }) : null;
        if (over) {
          const share = Math.round(over.percent * 10) / 10;
          this.stopForLimit(child, 'PLUGIN_CPU_QUOTA', `used ${share} % of a core over ${(over.spanMs / 1000).toFixed(1)} s (at most ${cpuQuota.percent} % over ${cpuQuota.windowMs / 1000} s)`, { cpuPercent: share, cpuMs: Math.round(over.cpuMs), spanMs: Math.round(over.spanMs) });
          return;
        }
      }
      if (judge) {
        const burntMs = cpuMs !== null && sent.cpuMs !== null ? cpuMs - sent.cpuMs : 0;
        // Still unanswered (a pong clears it) and it burnt the CPU of a spin; otherwise it is starved: wait on.
        if (this.heartbeat === sent && burntMs >= STUCK_BUSY_SHARE * stuckMs) {
          const spanMs = performance.now() - sent.at;
          const share = Math.round((burntMs / spanMs) * 100);
          this.stopForLimit(child, 'PLUGIN_STUCK', `answered no heartbeat for ${Math.round(spanMs)} ms while using ${share} % of a core (a synchronous loop; at most ${stuckMs} ms)`,
            { cpuPercent: share, cpuMs: Math.round(burntMs), spanMs: Math.round(spanMs), stuckMs });
          return;
        }
      }
      this.watchTimer = setTimeout(() => void tick(), everyMs);
      this.watchTimer.unref();
    };
    this.watchTimer = setTimeout(() => void tick(), everyMs);
    this.watchTimer.unref();
  }

  /** Kills a child over a limit; until it is back the plugin shows `paused` with the code (onExit sets when). */
  private stopForLimit(child: ChildProcess, code: ErrorCode, reason: string, fields: Record<string, unknown>): void {
    this.limitStop = { code, reason, until: null };
    this.record.log.error({ pid: child.pid, code, ...fields }, `plugin process ${reason}; killing it`);
    child.kill('SIGKILL');
  }

  private onMessage(m: ChildToHost): void {
    if (!m || typeof m !== 'object') return;
    switch (m.t) {
      case 'ready':
        this.onReady?.();
        return;
      case 'cancel':
        this.apiAborts.get(m.id)?.abort();
        return;
      case 'pong':
        if (this.pingTimer) clearTimeout(this.pingTimer);
        this.pingTimer = null;
        this.heartbeat = null;
        return;
      case 'done': {
        const pending = this.pending.get(m.id);
        if (!pending) return;
        if (m.ok) pending.resolve(m.value);
        else pending.reject(fromWire(m.error));
        return;
      }
      case 'api':
        void this.serve(m.id, m.method, Array.isArray(m.args) ? m.args : []);
        return;
      case 'log': {
        const level = (['debug', 'info', 'warn', 'error'] as const).includes(m.level) ? m.level : 'info';
        this.log(level, () => ({ ...loggable(m.obj), isolated: true }), String(m.msg));
        return;
      }
      case 'unhandled': {
        const leftOut = this.unhandledReports.admit('unhandled');
        if (leftOut === null) return;
        const err = new Error(String(m.message).slice(0, MAX_LOG_CHARS));
        this.log('error', { err, ...(leftOut > 0 ? { leftOut } : {}) }, 'unhandled rejection inside the plugin; counted as a failure');
        this.record.guard?.recordFailure(err, 'unhandled rejection');
        return;
      }
      case 'speak':
        try {
          if (typeof m.text !== 'string') throw new HubError('BAD_REQUEST', 'speak needs text');
          this.api!.speak(m.target as never, m.text);
        } catch (err) {
          // Within the child's log lines a second: a child sending bad speak messages in a loop wrote a line each.
          this.log('warn', { err }, `speak refused: ${(err as Error).message}`);
        }
        return;
    }
  }

  /** A log line from the child, within MAX_LOG_LINES_PER_S; how many were dropped is said once the next second starts. */
  private log(level: 'debug' | 'info' | 'warn' | 'error', obj: Record<string, unknown> | (() => Record<string, unknown>), msg: string): void {
    const second = Math.floor(Date.now() / 1000);
    const w = this.logWindow;
    if (second !== w.second) {
      if (w.dropped > 0) this.record.log.warn({ dropped: w.dropped }, `plugin wrote too much: ${w.dropped} log lines dropped (at most ${MAX_LOG_LINES_PER_S} a second)`);
      this.logWindow = { second, lines: 0, dropped: 0 };
    }
    if (++this.logWindow.lines > MAX_LOG_LINES_PER_S) {
      this.logWindow.dropped++;
      return;
    }
    this.record.log[level](typeof obj === 'function' ? obj() : obj, msg.slice(0, MAX_LOG_CHARS));
  }

  /** Runs one API call the child asked for, on the plugin's real API object (its getters check the scopes). */
  private async serve(id: number, method: ApiMethod, args: unknown[]): Promise<void> {
    if (this.apiInflight >= MAX_API_INFLIGHT) {
      this.send({ t: 'result', id, ok: false, error: { message: `too many API calls at once (at most ${MAX_API_INFLIGHT})`, code: 'BAD_REQUEST' } });
      return;
    }
    const child = this.child;
    this.apiInflight++;
    let answer: HostToChild;
    try {
      answer = { t: 'result', id, ok: true, value: await this.run(id, method, args) };
    } catch (err) {
      answer = { t: 'result', id, ok: false, error: toWire(err) };
    } finally {
      this.apiAborts.delete(id);
      if (this.child === child) this.apiInflight--;
    }
    if (this.child !== child) return; // asked by a child that has exited since
    const sent = this.send(answer);
    if (sent !== true && answer.ok) this.send({ t: 'result', id, ok: false, error: { message: `the answer cannot be sent: ${sent}`, code: 'BAD_REQUEST' } });
  }

  private async run(callId: number, method: ApiMethod, args: unknown[]): Promise<unknown> {
    const api = this.api!;
    switch (method) {
      case 'devices.resolve': {
        const r = (args[0] && typeof args[0] === 'object' ? args[0] : {}) as Record<string, unknown>;
        if (typeof r.intent !== 'string' || typeof r.text !== 'string' || typeof r.lang !== 'string') {
          throw new HubError('BAD_REQUEST', 'devices.resolve needs an intent request { intent, text, lang, slots }');
        }
        const slots = r.slots && typeof r.slots === 'object' ? r.slots as IntentRequest['slots'] : {};
        return api.devices.resolve({ intent: r.intent, text: r.text, lang: r.lang, slots, ...(typeof r.area === 'string' ? { area: r.area } : {}) });
      }
      case 'schedule.after':
      case 'schedule.every':
      case 'schedule.cron': {
        const [jobId, what, options] = args as [number, unknown, { timezone?: unknown } | undefined];
        if (!Number.isSafeInteger(jobId) || this.jobs.has(jobId)) throw new HubError('BAD_REQUEST', 'a job needs a new id');
        if (this.jobs.size >= MAX_JOBS) throw new HubError('BAD_REQUEST', `too many timers and cron jobs at once (at most ${MAX_JOBS} per plugin)`);
        const fire = () => this.call('job', { name: String(jobId) }) as Promise<void>;
        const job = method === 'schedule.cron'
          ? api.schedule.cron(what as string, fire, typeof options?.timezone === 'string' ? { timezone: options.timezone } : {})
          : method === 'schedule.every'
            ? api.schedule.every(what as number, fire)
            : api.schedule.after(what as number, () => { this.jobs.delete(jobId); return fire(); });
        this.jobs.set(jobId, job);
        return null;
      }
      case 'schedule.cancel': {
        const jobId = args[0] as number;
        this.jobs.get(jobId)?.cancel();
        this.jobs.delete(jobId);
        return null;
      }
      case 'devices.command': {
        const [deviceId, command, options] = args as [string, DeviceCommand, { traceId?: string } | undefined];
        await api.devices.command(String(deviceId), command, { traceId: typeof options?.traceId === 'string' ? options.traceId : undefined });
        return null;
      }
      case 'cloud.request': {
        const [url, init] = args as [string, CloudRequest | undefined];
        const cloud = api.cloud; // the scope check, before any abort controller exists
        const abort = new AbortController();
        this.apiAborts.set(callId, abort);
        const res = await cloud.request(String(url), { ...(init && typeof init === 'object' ? init : {}), signal: abort.signal });
        return { status: res.status, headers: res.headers, text: await res.text() };
      }
      case 'store.open': {
        this.store ??= await api.store.open(() => (args[0] && typeof args[0] === 'object' ? args[0] : {}) as object);
        return this.store.data;
      }
      case 'store.save': {
        if (!this.store) throw new HubError('BAD_REQUEST', 'open the store first');
        if (!args[0] || typeof args[0] !== 'object') throw new HubError('BAD_REQUEST', 'the store holds an object');
        this.store.data = args[0];
        this.store.markDirty();
        return null;
      }
      case 'store.flush':
        await this.store?.flush();
        return null;
      default:
        throw new HubError('BAD_REQUEST', `unknown API call ${String(method)}`);
    }
  }

  /** Keeps the child's copy of the devices fresh (api.devices.list/get are synchronous): one update per turn. */
  private followDevices(): void {
    const { bus } = this.deps.ctx;
    bus.removeListeners(this.listener);
    const queue = () => {
      if (this.devicesQueued) return;
      this.devicesQueued = true;
      setImmediate(() => {
        this.devicesQueued = false;
        // A child behind on reading gets the next update (send refuses while too much is queued).
        if (this.channel?.writable) this.send({ t: 'devices', devices: this.api!.devices.list() });
      });
    };
    for (const event of PLUGIN_EVENTS) bus.on(event, this.listener, queue);
  }
}

/**
 * The command that starts a plugin's process: on Linux through /bin/sh, which sets the data limit and execs Node
 * (the same pid, so priority and /proc reads apply to Node); where that shell is missing, Node itself, unbounded.
 */
function withDataLimit(node: string, nodeArgs: string[]): [string, string[]] {
  if (process.platform !== 'linux' || !existsSync('/bin/sh')) return [node, nodeArgs];
  // A hard limit below ours (set by the service) makes `ulimit` fail: Node starts anyway, under that one.
  return ['/bin/sh', ['-c', `ulimit -d ${CHILD_DATA_MAX_MB * 1024} 2>/dev/null; exec "$0" "$@"`, node, ...nodeArgs]];
}

/** The request as the child gets it, with what the hub decided for a device intent (targets or refusal). */
function plainRequest(request: IntentRequest): IntentRequest {
  return {
    intent: request.intent, text: request.text, lang: request.lang, slots: structuredClone(request.slots), ...(request.area === undefined ? {} : { area: request.area }),
    ...(request.targets === undefined ? {} : { targets: structuredClone(request.targets) }),
    ...(request.refused === undefined ? {} : { refused: { code: request.refused.code, message: request.refused.message } }),
  };
}

/**
 * A plugin's log fields as the hub writes them: kept when they print within about MAX_LOG_CHARS, else a note (a
 * child could otherwise have each of its 100 lines a second carry a megabyte). Counted by walking the value, which
 * stops as soon as the budget is spent: a megabyte is never printed only to be measured.
 */
function loggable(obj: unknown): Record<string, unknown> {
  if (!obj || typeof obj !== 'object') return {};
  let left = MAX_LOG_CHARS;
  const fits = (v: unknown): boolean => {
    left -= typeof v === 'string' ? v.length + 2 : 8;
    if (left < 0) return false;
    if (v === null || typeof v !== 'object') return true;
    for (const key in v) {
      left -= key.length;
      if (left < 0 || !fits((v as Record<string, unknown>)[key])) return false;
    }
    return true;
  };
  if (!fits(obj)) return { fields: `left out: over ${MAX_LOG_CHARS} characters` };
  // The keys of the hub's own line (and a code it does not document) go under `fromPlugin`: a plugin's fields
  // cannot make its line another plugin's, a subsystem's or another level (the channel fuzz wrote `code` and
  // `plugin` into the hub's log). A spread copies a `__proto__` key as data, never as the prototype.
  const fields: Record<string, unknown> = { ...obj };
  let moved: Record<string, unknown> | null = null;
  for (const key of HUB_LOG_KEYS) {
    if (!Object.hasOwn(fields, key)) continue;
    if (key === 'code' && typeof fields.code === 'string' && Object.hasOwn(ErrorCodes, fields.code)) continue;
    (moved ??= {})[key] = fields[key];
    delete fields[key];
  }
  return moved ? { ...fields, fromPlugin: moved } : fields;
}

/** Fields of the hub's log lines that a plugin's own fields may not set (pino's, the plugin logger's, `code`). */
const HUB_LOG_KEYS = ['level', 'time', 'msg', 'pid', 'hostname', 'subsystem', 'plugin', 'isolated', 'code', 'fromPlugin'] as const;

function toWire(err: unknown): WireError {
  const message = err instanceof Error ? err.message : String(err);
  return isHubError(err) && PASSED_CODES.has(err.code) ? { message, code: err.code } : { message };
}

/** An error from the child: a HubError only for the codes it may pass on, a plain Error (the plugin's failure) otherwise. */
function fromWire(error: WireError | undefined): Error {
  const message = String(error?.message ?? 'the plugin process answered with an error').slice(0, MAX_LOG_CHARS);
  return error?.code && PASSED_CODES.has(error.code) ? new HubError(error.code as ErrorCode, message) : new Error(message);
}
