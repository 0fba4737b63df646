import { get as httpGet } from 'node:http';
import type { HubConfig } from './config/schema.js';
import { systemClock, type Clock, type HubContext, type Subsystem } from './core/context.js';
import { EventBus } from './core/bus.js';
import type { Logger } from './core/log.js';
import { createMetricsRegistry } from './core/metrics.js';
import { HealthRegistry } from './health/healthChecks.js';
import { SystemSampler } from './health/systemSampler.js';
import { Storage } from './storage/storage.js';
import { HttpServer } from './http/httpServer.js';
import { registerOpsRoutes } from './http/opsRoutes.js';
import { Lifecycle } from './core/lifecycle.js';
import { MqttSubsystem } from './mqtt/mqttSubsystem.js';
import { bridgeDevicesTopic } from '../devices/zigbee2mqtt.js';
import { MAX_BRIDGE_PAYLOAD_BYTES } from '../devices/payload.js';
import { AuthService } from './auth/authService.js';
import { loadJose } from './auth/tokens.js';
import { DeviceService } from './devices/deviceService.js';
import { registerApiRoutes } from './http/apiRoutes.js';
import { VoiceServer } from './voice/voiceServer.js';
import { VoiceCore } from './voice/voiceCore.js';
import type { HandlerStage } from './voice/handlerStage.js';
import { PipelineSubsystem } from './pipeline/pipelineSubsystem.js';
import type { LogRing } from './core/logRing.js';
import { registerPageRoutes } from './page/pageRoutes.js';
import { DeviceFeed } from './voice/deviceFeed.js';
import { createAssistantHost } from './plugins/assistantHost.js';
import { SpeechSubsystem } from './speech/speechSubsystem.js';
import { SatelliteDoor } from './voice/satellites/satelliteDoor.js';
import { CloudSubsystem } from './cloud/cloudSubsystem.js';
import { RequestPool } from './cloud/requestPool.js';
import { MemorySettle } from './core/memorySettle.js';

export interface HubOptions {
  config: HubConfig;
  log: Logger;
  clock?: Clock;
  /** A handler stage in place of the intent pipeline (the benchmarks time the session path alone with one). */
  stage?: HandlerStage;
  /** The last log lines, for the page's log view (main.ts keeps them). */
  logRing?: LogRing;
  /** The hub's version, sent in the cloud link's `hello`. */
  version?: string;
}

/**
 * The composition root: builds the context and every subsystem, in the one start order of the design
 * (config → storage → MQTT → devices → plugins → voice server → scheduler → cloud). Nothing imports it
 * but the entry points (cli, tests, benchmarks).
 */
export class Hub {
  readonly ctx: HubContext;
  readonly health = new HealthRegistry({ starting: true });
  readonly storage: Storage;
  readonly http: HttpServer;
  readonly voice: VoiceServer;
  /** The one voice core every front door opens its sessions on (the `/voice` WebSocket today). */
  readonly voiceCore: VoiceCore;
  readonly auth: AuthService;
  readonly mqtt: MqttSubsystem;
  readonly devices: DeviceService;
  readonly plugins: PipelineSubsystem;
  /** Speech in and out (config `speech.*`): the voice core's speech to text and text to speech. */
  readonly speech: SpeechSubsystem;
  /** The cloud link (PROTOCOL §6): started last, stopped first; off when cloud.url is unset. */
  readonly cloud: CloudSubsystem;
  /** The one keep-alive pool for cloud HTTP (`api.cloud.request`; `dispatcher()` for undici users). */
  readonly cloudPool: RequestPool;
  private readonly lifecycle: Lifecycle;
  private readonly sampler: SystemSampler;
  /** Gives the heap's spare memory back when the hub goes quiet (started by warmUp, after `listening`). */
  private readonly settle: MemorySettle;

  constructor(options: HubOptions) {
    const { config, log } = options;
    this.ctx = {
      config,
      log,
      bus: new EventBus(log.child({ subsystem: 'bus' })),
      metrics: createMetricsRegistry(),
      health: this.health,
      clock: options.clock ?? systemClock,
      store: notStarted('store'),
      mqtt: notStarted('mqtt'),
    };
    const sub = (name: string): HubContext => childContext(this.ctx, log.child({ subsystem: name }));
    this.storage = new Storage(sub('storage'));
    const sampler = new SystemSampler(sub('system'));
    this.sampler = sampler;
    this.http = new HttpServer(sub('http'));
    const auth = new AuthService(sub('auth'));
    this.auth = auth;
    const devices = new DeviceService(sub('devices'));
    this.devices = devices;
    // Zigbee2MQTT's device list may be as large as the registry reads (devices/payload.ts), over mqtt.maxPacketBytes.
    const mqtt = new MqttSubsystem(sub('mqtt'), {
      commandTopics: devices,
      largeTopic: { topic: bridgeDevicesTopic(config.mqtt.zigbee2mqttBaseTopic), maxBytes: MAX_BRIDGE_PAYLOAD_BYTES + BRIDGE_PACKET_HEADROOM },
    });
    this.mqtt = mqtt;
    const routes: Subsystem = {
      name: 'routes',
      start: async () => {
        registerOpsRoutes(this.http, this.ctx, this.health, sampler);
        registerApiRoutes(this.http, { devices, plugins: this.plugins.host }, auth);
        await registerPageRoutes(this.http, {
          dataDir: config.dataDir, clock: this.ctx.clock, log: log.child({ subsystem: 'page' }), auth, devices, logRing: options.logRing,
          floors: config.floors,
        });
      },
      stop: async () => {},
    };
    this.cloudPool = new RequestPool({ cloud: config.cloud, timeoutMs: config.plugins.timeoutMs, metrics: this.ctx.metrics, clock: this.ctx.clock });
    const pool = this.cloudPool;
    const poolLog = log.child({ subsystem: 'cloud-pool' });
    // Before the plugins (their onStart may call the cloud) and stopped after them.
    const cloudPool: Subsystem = {
      name: 'cloud-pool',
      start: async () => {
        // Pre-warming is not waited for: a cloud that is down at start must not hold the hub up.
        if (pool.configured) void pool.prewarm().then((n) => poolLog.debug({ connections: n }, 'cloud connections pre-warmed'));
        // With the assistant on, undici loads now, in the background, not on the first question's deadline.
        else if (assistant.settings.configured && assistant.settings.mode !== 'off') void pool.dispatcher().catch((err: unknown) => poolLog.warn({ err }, 'the request pool could not load'));
      },
      stop: () => pool.close(),
    };
    // The assistant rides the same pool (its limits, metrics, keep-alive); its stream may take assistant.timeoutMs.
    const assistant = createAssistantHost(this.ctx, { fetch: pool.fetcher({ timeoutMs: config.assistant.timeoutMs + 1000 }) }, () => this.plugins.host);
    this.plugins = new PipelineSubsystem(sub('plugins'), { devices, system: sampler, cloud: pool, assistant });
    this.speech = new SpeechSubsystem(sub('speech'), { devices, pluginStt: this.plugins.speechToText });
    const voiceCtx = sub('voice');
    this.voiceCore = new VoiceCore({
      ctx: voiceCtx, stage: options.stage ?? this.plugins.stage, stt: this.speech.stt, tts: this.speech.tts, attemptTimeoutMs: attemptTimeout(config),
    });
    this.voice = new VoiceServer({
      ctx: voiceCtx, auth, http: () => this.http.server, addressLimit: (address) => this.http.retryAfter(address, 'upgrade'),
      core: this.voiceCore,
      deviceFeed: new DeviceFeed({ bus: this.ctx.bus, devices, floorOf: floorFinder(config) }),
    });
    // Wyoming satellites (voice.satellites): a second front door on the same core, dialled by the hub.
    const satellites = new SatelliteDoor(sub('satellites'), { core: this.voiceCore });
    // Plugins start before the voice core, and the core before its front doors open, so no utterance meets
    // a half-wired pipeline; on stop the front doors drain and close first, while the core and the plugins
    // their work needs still run, and the core stops after them.
    this.cloud = new CloudSubsystem(sub('cloud'), {
      devices, core: this.voiceCore, version: options.version ?? '0.0.0',
      healthSummary: () => {
        const { status, checks } = this.health.evaluate();
        return { status, checks: Object.fromEntries(Object.entries(checks).filter(([name]) => name !== 'cloud').map(([name, c]) => [name, c.ok])) };
      },
    });
    // The cloud link last: it tells the cloud about a hub that is whole, and it is gone before what it reports on stops.
    this.settle = new MemorySettle({ log: log.child({ subsystem: 'memory' }), metrics: this.ctx.metrics, whenQuiet: () => this.voiceCore.compactReplays() });
    this.lifecycle = new Lifecycle([this.storage, sampler, auth, mqtt, devices, this.http, routes, cloudPool, this.plugins, this.speech, this.voiceCore, this.voice, satellites, this.cloud], log);
  }

  async start(): Promise<void> {
    await this.lifecycle.start();
    this.health.markReady();
  }

  async stop(): Promise<void> {
    this.settle.stop();
    await this.lifecycle.stop();
  }

  /**
   * For the process's unhandledRejection handler: a rejection that came from a plugin is counted against
   * that plugin (and may pause it) and returns its id; the hub goes on. Anything else returns null.
   */
  claimRejection(err: unknown): string | null {
    return this.plugins.host.claim(err);
  }

  /**
   * Progressive start (the seed's cold-start advice): what the first request needs but start-up does not
   * (the JWT library, the intent index and lists) is prepared right after `listening`, off the path a
   * restart waits for. Resolves when that is done (the JWT library loaded, the sentences compiled, our
   * own /health answered): the start script's code cache is made then, so it holds all of it.
   */
  warmUp(): Promise<void> {
    return new Promise((resolve) => {
      setImmediate(() => {
        const jose = loadJose().catch((err: unknown) => this.ctx.log.warn({ err }, 'warm-up failed'));
        this.speech.warm();
        try {
          this.plugins.warm();
        } catch (err) {
          this.ctx.log.warn({ err }, 'warm-up failed');
        }
        const http = this.warmHttp();
        this.sampler.sampleNow();
        this.settle.start();
        void Promise.all([jose, http]).then(() => resolve());
      });
    });
  }

  /**
   * One request to our own /health: the first request a process serves pays for the HTTP parser's and the
   * route's first run (several ms); a monitor's first probe should not. Settles when answered or failed.
   */
  private warmHttp(): Promise<void> {
    const { host } = this.ctx.config.http;
    const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    return new Promise((resolve) => {
      const req = httpGet({ host: target, port: this.http.port, path: '/health', headers: { 'x-trace-id': 'warm-up' } }, (res) => {
        res.on('end', resolve).on('error', resolve).on('close', resolve);
        res.resume();
      });
      req.on('error', () => resolve()); // nothing is lost if it fails: it only warms
      req.setTimeout(2000, () => req.destroy());
    });
  }

  /** One line for systemd's STATUS=, e.g. "12 devices, 2 voice clients". */
  statusLine(): string {
    return `${this.devices.count()} devices, ${this.voice.clientCount} voice clients`;
  }

  /** The real ports after start (a configured 0 picks a free one). */
  ports(): { http: number; mqtt: number | null } {
    return { http: this.http.port, mqtt: this.mqtt.port };
  }
}

/**
 * One attempt at an utterance may take as long as the assistant's answer (assistant.timeoutMs, plus a second
 * for its spoken "that took too long") when the assistant is on; local plugin calls keep plugins.timeoutMs each.
 */
function attemptTimeout(config: HubConfig): number {
  const a = config.assistant;
  const on = a.mode !== 'off' && (a.url !== null || a.apiKey !== null);
  return on ? Math.max(config.plugins.timeoutMs, a.timeoutMs + 1000) : config.plugins.timeoutMs;
}

/**
 * A subsystem's view of the context: its own child logger, everything else the root's. `store` and `mqtt`
 * are accessors, so the storage and MQTT subsystems setting them are seen by every other subsystem.
 */
function childContext(root: HubContext, log: Logger): HubContext {
  return {
    config: root.config,
    log,
    bus: root.bus,
    metrics: root.metrics,
    health: root.health,
    clock: root.clock,
    get store() { return root.store; },
    set store(value) { root.store = value; },
    get mqtt() { return root.mqtt; },
    set mqtt(value) { root.mqtt = value; },
  };
}

/** A PUBLISH's own bytes around its payload: fixed header, topic, packet id, MQTT 5 properties. */
const BRIDGE_PACKET_HEADROOM = 64 * 1024;

/**
 * An area's floor from `areas.<name>.floor` (PROTOCOL §1), matched without regard to case (discovery says
 * "Kitchen", a config may say "kitchen"); none when the config names no floor for it.
 */
function floorFinder(config: HubConfig): (area: string) => string | null {
  const floors = new Map(Object.entries(config.areas).map(([name, a]) => [name.toLowerCase(), a.floor]));
  return (area) => floors.get(area.toLowerCase()) ?? null;
}

/** A stand-in for a context member whose subsystem has not started yet: any use says so clearly. */
function notStarted<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get(_target, prop) {
      if (prop === 'then') return undefined;
      throw new Error(`ctx.${name}.${String(prop)} used before the ${name} subsystem started`);
    },
  });
}
