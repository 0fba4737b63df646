import { pathToFileURL } from 'node:url';
import type { HubContext, Subsystem } from '../core/context.js';
import { HubError } from '../core/errors.js';
import { Counter, getOrCreate } from '../core/metrics.js';
import type { PluginEvents } from '../../plugins/sdk/events.js';
import type { FallbackHandler, FallbackOptions, HandlerContext, IntentReply, IntentRequest, SpeakTarget } from '../../plugins/sdk/intents.js';
import type { PluginLogger } from '../../plugins/sdk/logger.js';
import type { AudioInput, SpeechToText, Transcript } from '../../plugins/sdk/stt.js';
import type { LazySignal } from '../core/lazySignal.js';
import { buildCatalog, fail, type CatalogOptions } from './catalog.js';
import { RequestPool, type CloudRequester } from '../cloud/requestPool.js';
import { contain } from './containment.js';
import { guardProcessExit } from './exitGuard.js';
import { IsolatedPlugin } from './isolated/isolatedPlugin.js';
import { isolationFiles } from './discovery.js';
import { createPluginApi } from './pluginApi.js';
import { loadPluginModule } from './loader.js';
import { describe, emptyRegistrations, pluginsHealth, type PluginInfo, type PluginRecord } from './pluginRecord.js';
import type { DeviceAccess, IntentEnginePort, SystemSampleProvider } from './ports.js';
import { validatePluginConfig } from './manifest.js';
import { checkReply } from './replyCheck.js';
import type { AssistantHost } from '../../plugins/sdk/assistant.js';
import type { PluginTool } from '../../plugins/sdk/manifest.js';

/** The ports the host needs, injected by the composition root (daemon/hub.ts). */
export interface PluginHostPorts {
  devices: DeviceAccess;
  intents: IntentEnginePort;
  system: SystemSampleProvider;
  /** The HTTP client behind `api.cloud`; default: a request pool of its own built from `config.cloud` (the hub hands in its one pool). */
  cloud?: CloudRequester;
  /** What the built-in assistant is handed as `api.assistant` (daemon/plugins/assistantHost.ts). */
  assistant?: AssistantHost;
}

/** What a caller passes with one request: its trace id and the session that asked. */
export interface CallInfo {
  traceId: string;
  session: SpeakTarget;
  /** The asking client's token scopes (HandlerContext.scopes). */
  scopes?: readonly string[];
  /** `reply.delta` to the asking client (HandlerContext.stream), when its wire has one. */
  delta?: (text: string) => void;
}

/** One running plugin's fallback as the pipeline asks it. */
export interface FallbackEntry {
  pluginId: string;
  /** Asked before the local intents (FallbackOptions.beforeIntents). */
  beforeIntents: boolean;
  run(utterance: { text: string; lang: string; area?: string }, call: CallInfo): Promise<IntentReply | null>;
}

interface IntentCallShape {
  record: PluginRecord;
  what: string;
  options: { check: (value: unknown) => Handled };
}

export interface Handled {
  reply: IntentReply;
  pluginId: string;
}

/**
 * The plugin subsystem (PROTOCOL §5): loads plugins (catalog.ts), registers the granted ones, starts them,
 * and runs every call into a plugin through its guard (timeout, PLUGIN_FAILED, pause after repeated
 * failures). It owns each plugin's timers, cron jobs and bus listeners and releases them when the plugin
 * stops. It registers the `plugins` health check and `voicehub_plugin_failures_total{plugin}`.
 */
export class PluginHost implements Subsystem {
  readonly name = 'plugins';
  private records: PluginRecord[] = [];
  private readonly owners = new Map<string, PluginRecord>();
  /** Keyed by intent (a declared, bounded set); see intentCall(). */
  private readonly intentCalls = new Map<string, IntentCallShape>();
  private stt: { record: PluginRecord; provider: SpeechToText } | null = null;
  private readonly fallbackList: Array<{ record: PluginRecord; handler: FallbackHandler; options: FallbackOptions }> = [];
  private cloud: CloudRequester | null = null;
  /** Only a client this host made is closed on stop; one handed in belongs to the cloud subsystem. */
  private ownsCloud = false;
  private failuresMetric: Counter<'plugin'> | null = null;
  private releaseExitGuard: (() => void) | null = null;
  private restartsMetric: Counter<'plugin'> | null = null;
  /** Fallbacks registered with beforeIntents (running or not): 0 on most hubs, so the check per utterance is one comparison. */
  private leading = 0;

  constructor(private readonly ctx: HubContext, private readonly ports: PluginHostPorts, private readonly options: CatalogOptions = {}) {}

  async start(signal?: AbortSignal): Promise<void> {
    const { ctx } = this;
    this.releaseExitGuard = guardProcessExit((stack, code) => {
      const record = this.ownerOfStack(stack);
      record?.log.error({ exitCode: code ?? null }, `plugin called process.exit(${code === undefined ? '' : String(code)}): refused, the hub goes on`);
      return record?.manifest?.id ?? null;
    });
    this.restartsMetric = getOrCreate(ctx.metrics, 'voicehub_plugin_restarts_total', () => new Counter({
      name: 'voicehub_plugin_restarts_total', help: 'Isolated plugin processes that exited and were restarted', labelNames: ['plugin'] as const, registers: [ctx.metrics],
    }));
    this.failuresMetric = getOrCreate(ctx.metrics, 'voicehub_plugin_failures_total', () => new Counter({
      name: 'voicehub_plugin_failures_total', help: 'Plugin calls that threw, rejected or timed out', labelNames: ['plugin'] as const, registers: [ctx.metrics],
    }));
    this.ownsCloud = !this.ports.cloud;
    this.cloud = this.ports.cloud ?? new RequestPool({ cloud: ctx.config.cloud, timeoutMs: ctx.config.plugins.timeoutMs, metrics: ctx.metrics, clock: ctx.clock });
    this.records = await buildCatalog(ctx.config, ctx.log, this.options);
    ctx.health.register('plugins', () => pluginsHealth(this.list()));
    // Only now is plugin code imported: enabled, granted plugins, side by side, each within plugins.timeoutMs.
    await Promise.all(this.records.filter((r) => r.state === 'ready').map((r) => this.importPlugin(r)));
    for (const record of this.records) {
      if (signal?.aborted) return;
      if (record.state === 'ready') await this.register(record);
    }
    if (signal?.aborted) return;
    // Registration ran in load order (it decides who owns an intent); starts run side by side, so one slow
    // onStart costs the hub at most plugins.timeoutMs, not that times the number of plugins.
    await Promise.all(this.records.filter((r) => r.state === 'ready').map((r) => this.startPlugin(r)));
    const running = this.records.filter((r) => r.state === 'running').map((r) => r.manifest!.id);
    ctx.log.info({ running, total: this.records.length }, `plugins started: ${running.length} of ${this.records.length} running`);
  }

  async stop(): Promise<void> {
    const shutting = new HubError('SHUTTING_DOWN', 'the hub is stopping');
    for (const record of [...this.records].reverse()) {
      if (record.state !== 'running') continue;
      record.guard?.abortAll(shutting);
      if (record.module?.onStop) {
        await record.guard!.call('onStop', () => record.module!.onStop!(record.api!), { count: false })
          .catch((err: unknown) => record.log.error({ err }, 'onStop failed; releasing its resources anyway'));
      }
      this.release(record);
      await record.isolated?.close(); // its process has exited when stop() returns
      record.state = 'stopped';
    }
    // Processes of plugins that never ran (failed, disabled after their process started) end too.
    await Promise.all(this.records.map((record) => record.isolated?.close()));
    if (this.ownsCloud) await this.cloud?.close();
    this.ctx.health.unregister('plugins');
    this.releaseExitGuard?.();
    this.releaseExitGuard = null;
  }

  /** Every plugin with its state, for /api/plugins, `plugins list` and /health. */
  list(): PluginInfo[] {
    return this.records.map(describe);
  }

  /** GET /api/plugins reads this (daemon/http/apiRoutes.ts, handed the host by the hub). */
  listing(): PluginInfo[] {
    return this.list();
  }

  /**
   * The id of the plugin that answers an intent — running, or loaded but not running (failed, waiting for a
   * grant), so the caller hears why — or null when no enabled plugin declares it (the fallbacks may).
   */
  intentOwner(intent: string): string | null {
    return (this.owners.get(intent) ?? this.declaring(intent))?.manifest?.id ?? null;
  }

  /**
   * Runs the intent's handler in its plugin. Throws NO_MATCH when no plugin declares the intent,
   * PLUGIN_FAILED when its plugin is not running (why is in the message), and what the guard throws.
   */
  handleIntent(request: IntentRequest, call: CallInfo): Promise<Handled> {
    const record = this.owners.get(request.intent);
    if (!record) {
      const declared = this.declaring(request.intent);
      return Promise.reject(declared ? notRunning(declared) : new HubError('NO_MATCH', `no plugin handles ${request.intent}`));
    }
    if (record.state !== 'running') return Promise.reject(notRunning(record));
    const handler = record.registrations.intents.get(request.intent)!;
    const shape = this.intentCall(record, request.intent);
    // The guard's promise is the answer (no async step of our own): the check vets the reply and labels it.
    return record.guard!.call(shape.what, (abort) => handler(request, new CallContext(record, call, abort)), shape.options);
  }

  /**
   * Per intent, the guard call's label and options with the check that vets and labels the reply, made once
   * for the plugin that owns it: built per utterance they were a string, an object and a closure of garbage.
   */
  private intentCall(record: PluginRecord, intent: string): IntentCallShape {
    let shape = this.intentCalls.get(intent);
    if (shape?.record !== record) {
      const pluginId = record.manifest!.id;
      shape = { record, what: `intent ${intent}`, options: { check: (value: unknown): Handled => ({ reply: checkReply(value), pluginId }) } };
      this.intentCalls.set(intent, shape);
    }
    return shape;
  }

  /** The fallback handlers of running plugins, in load order, each contained by its plugin's guard. */
  fallbacks(): FallbackEntry[] {
    return this.fallbackList.filter((f) => f.record.state === 'running').map(({ record, handler, options }) => ({
      pluginId: record.manifest!.id,
      beforeIntents: options.beforeIntents === true,
      run: (utterance, call) => record.guard!.call('fallback', async (abort) => {
        const reply = await handler(utterance, new CallContext(record, call, abort));
        return reply === null || reply === undefined ? null : checkReply(reply);
      }, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    }));
  }

  /**
   * The tools running plugins declare in their manifests (PluginManifest.tools), each only while its plugin
   * owns the tool's intent (another plugin that registered the intent first keeps it), in load order.
   */
  tools(): Array<{ pluginId: string; tool: PluginTool }> {
    const out: Array<{ pluginId: string; tool: PluginTool }> = [];
    for (const record of this.records) {
      if (record.state !== 'running' || !record.manifest?.tools) continue;
      for (const tool of record.manifest.tools) if (this.owners.get(tool.intent) === record) out.push({ pluginId: record.manifest.id, tool });
    }
    return out;
  }

  /** Whether the plugin that owns an intent is running (the assistant offers tools for such intents). */
  isRunning(intent: string): boolean {
    return this.owners.get(intent)?.state === 'running';
  }

  /** Whether a running plugin asks to see every utterance before the local intents (asked once per utterance: cheap). */
  hasLeadingFallback(): boolean {
    return this.leading > 0 && this.fallbackList.some((f) => f.options.beforeIntents === true && f.record.state === 'running');
  }

  /** Whether a running speech-to-text plugin exists (without one audio answers NO_STT). */
  hasSpeechToText(): boolean {
    return this.stt !== null && this.stt.record.state === 'running';
  }

  /** Audio to text through the speech-to-text plugin; NO_STT without one. */
  async transcribe(input: AudioInput): Promise<Transcript> {
    if (!this.stt || this.stt.record.state !== 'running') throw new HubError('NO_STT', 'no speech-to-text plugin is running');
    const { record, provider } = this.stt;
    if (!provider.formats.includes(input.format)) {
      throw new HubError('BAD_REQUEST', `audio format ${input.format} is not supported (${provider.formats.join(', ')})`);
    }
    return record.guard!.call('transcribe', async (abort) => {
      const out = await provider.transcribe(input, abort.signal);
      if (!out || typeof out.text !== 'string') throw new Error('transcribe() returned no { text }');
      return out;
    });
  }

  /**
   * Claims an uncaught error or unhandled rejection whose stack points into a plugin's files: it is
   * counted as that plugin's failure and logged, and the plugin's id is returned so the process-level
   * handler can carry on instead of exiting. Errors from elsewhere return null.
   */
  claim(err: unknown): string | null {
    const stack = err instanceof Error ? err.stack ?? '' : '';
    const record = stack ? this.ownerOfStack(stack) : undefined;
    if (!record?.guard) return null;
    record.log.error({ err }, 'unhandled error inside the plugin; counted as a failure');
    record.guard.recordFailure(err, 'unhandled rejection');
    return record.manifest!.id;
  }

  /** The loaded plugin with a frame on this stack (its files' path or file URL appears in it). */
  private ownerOfStack(stack: string): PluginRecord | undefined {
    return this.records.find((record) => record.manifest
      && (stack.includes(record.candidate.root) || stack.includes(pathToFileURL(record.candidate.root).href)));
  }

  private async importPlugin(record: PluginRecord): Promise<void> {
    if (record.isolation === 'process') {
      // Imported in its own process, during onRegister (which has the same timeout).
      record.isolated = new IsolatedPlugin(record, {
        ctx: this.ctx, ...isolationFiles(), restarts: this.restartsMetric, sharedResponses: this.ports.intents.responseTemplates?.() ?? {},
      });
      record.module = record.isolated.module();
      // Its process starts now, side by side with the other imports; its import runs in onRegister.
      try {
        await record.isolated.startProcess();
      } catch (err) {
        void record.isolated.close();
        fail(record, (err as Error).message, err);
      }
      return;
    }
    try {
      record.module = await loadPluginModule(record.candidate, record.manifest!, this.ctx.config.plugins.timeoutMs);
    } catch (err) {
      fail(record, (err as Error).message, err);
    }
  }

  private async register(record: PluginRecord): Promise<void> {
    const manifest = record.manifest!;
    const { ctx } = this;
    let config: Readonly<Record<string, unknown>>;
    try {
      const entry = (ctx.config.plugins as Record<string, { config?: Record<string, unknown> }>)[manifest.id];
      config = validatePluginConfig(manifest, entry?.config ?? {});
    } catch (err) {
      fail(record, (err as Error).message, err);
      return;
    }
    const guard = contain(record, ctx, this.failuresMetric);
    record.api = createPluginApi(record, config, {
      ctx, devices: this.ports.devices, intents: this.ports.intents, system: this.ports.system, cloud: this.cloud!,
      ...(this.ports.assistant ? { assistant: this.ports.assistant } : {}),
    });
    record.registrationOpen = true;
    let status: unknown;
    try {
      for (const [event, handler] of Object.entries(record.module!.events ?? {})) {
        record.api.events.on(event as keyof PluginEvents, handler as never);
      }
      status = record.module!.onRegister ? await guard.call('onRegister', () => record.module!.onRegister!(record.api!), { count: false }) : undefined;
    } catch (err) {
      record.registrations = emptyRegistrations();
      this.release(record);
      fail(record, `onRegister failed: ${(err as Error).message}`, err);
      return;
    } finally {
      record.registrationOpen = false;
    }
    if (status && typeof status === 'object' && (status as { status?: unknown }).status === 'inactive') {
      record.registrations = emptyRegistrations();
      this.release(record);
      record.state = 'disabled';
      record.reason = `onRegister answered inactive: ${String((status as { reason?: unknown }).reason ?? 'no reason given')}`;
      record.log.info(record.reason);
      return;
    }
    this.applyRegistrations(record);
  }

  private applyRegistrations(record: PluginRecord): void {
    const id = record.manifest!.id;
    const regs = record.registrations;
    // Sentences first: a template the engine refuses is a broken plugin, and nothing of it is kept. The hub's
    // own plugins' sentences (a test compiles them all) wait for the first match or the warm-up after
    // `listening`: 10-14 ms of start-up here; an utterance that comes first compiles them before it matches.
    const trusted = record.candidate.source === 'builtin';
    try {
      for (const set of regs.sentences) this.ports.intents.addSentences(set, id, { trusted });
    } catch (err) {
      this.ports.intents.removeOwner(id);
      record.registrations = emptyRegistrations();
      this.release(record);
      fail(record, `its sentences were refused: ${(err as Error).message}`, err);
      return;
    }
    for (const intent of record.manifest!.intents ?? []) {
      if (!regs.intents.has(intent)) record.log.warn({ intent }, `plugin ${id} declares ${intent} but registered no handler for it`);
    }
    for (const intent of regs.intents.keys()) {
      const other = this.owners.get(intent);
      if (other) {
        record.log.warn({ intent, owner: other.manifest!.id }, `${intent} is already handled by ${other.manifest!.id}; ${id} will not get it`);
        continue;
      }
      this.owners.set(intent, record);
    }
    if (regs.stt) {
      if (this.stt) record.log.warn(`speech to text is already provided by ${this.stt.record.manifest!.id}; ${id}'s is not used`);
      else this.stt = { record, provider: regs.stt };
    }
    for (const { handler, options } of regs.fallbacks) {
      this.fallbackList.push({ record, handler, options });
      if (options.beforeIntents === true) this.leading++;
    }
  }

  private async startPlugin(record: PluginRecord): Promise<void> {
    try {
      if (record.module!.onStart) await record.guard!.call('onStart', () => record.module!.onStart!(record.api!), { count: false });
    } catch (err) {
      this.release(record);
      fail(record, `onStart failed: ${(err as Error).message}`, err);
      return;
    }
    const guard = record.guard!;
    for (const [event, handler] of record.registrations.events) {
      this.ctx.bus.on(event, record.owner, (payload) => {
        if (guard.pausedUntil() !== null) return;
        guard.call(`event ${event}`, () => handler(payload as never, { log: record.log })).catch(() => undefined);
      });
    }
    record.state = 'running';
    record.reason = null;
    this.failuresMetric?.inc({ plugin: record.manifest!.id }, 0); // the series exists from the start, at 0
    record.log.info({ version: record.manifest!.version, source: record.candidate.source }, 'plugin running');
  }

  /**
   * The engine refused a built-in plugin's sentences at their late compile (they are gone from it already):
   * that plugin fails as it would have at registration, its intents answered by nobody.
   */
  lateRefusal(id: string, err: Error): void {
    const record = this.records.find((r) => r.manifest?.id === id);
    if (!record || record.state === 'failed') return;
    for (const [intent, owner] of this.owners) if (owner === record) this.owners.delete(intent);
    this.release(record);
    fail(record, `its sentences were refused: ${err.message}`, err);
  }

  /** A loaded plugin that lists the intent in its manifest and was not switched off. */
  private declaring(intent: string): PluginRecord | undefined {
    return this.records.find((r) => r.state !== 'disabled' && r.manifest?.intents?.includes(intent));
  }

  /** Releases what a plugin made through the API: its timers, cron jobs and bus listeners. */
  private release(record: PluginRecord): void {
    record.jobs?.clear();
    this.ctx.bus.removeListeners(record.owner);
    void record.isolated?.close();
  }

}

/**
 * What a handler gets with one call. Its logger (a child with the trace id) and its abort signal are made
 * when the handler first uses them: most calls use neither, and both cost more than the rest of the call.
 */
class CallContext implements HandlerContext {
  private traced: PluginLogger | null = null;

  constructor(private readonly record: PluginRecord, private readonly call: CallInfo, private readonly abort: LazySignal) {}

  get traceId(): string {
    return this.call.traceId;
  }

  get session(): SpeakTarget {
    return this.call.session;
  }

  get log(): PluginLogger {
    this.traced ??= this.record.log.child({ traceId: this.call.traceId });
    return this.traced;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get scopes(): readonly string[] {
    return this.call.scopes ?? NO_SCOPES;
  }

  stream(text: string): void {
    // Nothing once the guard has given up on this call: the client already has its TIMEOUT.
    if (this.abort.aborted || typeof text !== 'string' || text.length === 0) return;
    this.call.delta?.(text);
  }
}

const NO_SCOPES: readonly string[] = Object.freeze([]);

function notRunning(record: PluginRecord): HubError {
  const info = describe(record);
  return new HubError('PLUGIN_FAILED', `plugin ${info.id} cannot answer: it is ${info.state}${info.reason ? ` (${info.reason})` : ''}`,
    { details: { plugin: info.id, state: info.state, missingScopes: info.missingScopes } });
}
