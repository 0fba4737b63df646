import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { EventBus } from '../../../daemon/core/bus.js';
import { buildConfig } from '../../../daemon/config/load.js';
import type { HubConfig } from '../../../daemon/config/schema.js';
import type { Clock, HubContext, MqttTransport } from '../../../daemon/core/context.js';
import { HubError } from '../../../daemon/core/errors.js';
import { HealthRegistry } from '../../../daemon/health/healthChecks.js';
import { silentLogger, type Logger } from '../../../daemon/core/log.js';
import { Storage } from '../../../daemon/storage/storage.js';
import type { Device, DeviceCommand } from '../../../devices/model.js';
import { PluginHost, type PluginHostPorts } from '../../../daemon/plugins/pluginHost.js';
import type { DeviceAccess } from '../../../daemon/plugins/ports.js';
import { IntentEngine, intentLists } from '../../../daemon/intents/index.js';
import { EngineAdapter } from '../../../daemon/pipeline/engineAdapter.js';
import type { SpeakEvent } from '../../../daemon/core/events.js';
import type { CatalogOptions } from '../../../daemon/plugins/catalog.js';
import { REPO_ROOT } from '../../helpers/daemon.js';

export const FIXTURES = join(REPO_ROOT, 'test/fixtures/plugins');

/** A real clock that a test can move forward (pauses, due timers) while timeouts still run for real. */
export class ShiftedClock implements Clock {
  offset = 0;
  now(): number { return Date.now() + this.offset; }
  setTimeout(fn: () => void, ms: number): NodeJS.Timeout { return setTimeout(fn, ms); }
  clearTimeout(handle: NodeJS.Timeout): void { clearTimeout(handle); }
}

/** A DeviceAccess over a plain list that records the commands it is given (for tests without MQTT). */
export class RecordingDevices implements DeviceAccess {
  readonly commands: Array<{ id: string; command: DeviceCommand; traceId?: string; source: string }> = [];
  constructor(readonly devices: Device[] = []) {}
  list(): Device[] { return this.devices; }
  get(id: string): Device | undefined { return this.devices.find((d) => d.id === id); }
  async command(id: string, command: DeviceCommand, options: { traceId?: string; source: string }): Promise<void> {
    if (!this.get(id)) throw new HubError('DEVICE_NOT_FOUND', `no device ${id}`);
    this.commands.push({ id, command, ...options });
  }
}

/** The real intent engine over a device list, as the hub wires it (daemon/pipeline/engineAdapter.ts). */
export function engineFor(devices: DeviceAccess = new RecordingDevices(), areas?: Record<string, { aliases?: string[] }>): { engine: IntentEngine; adapter: EngineAdapter } {
  const engine = new IntentEngine();
  engine.setLists(intentLists(devices.list(), areas));
  return { engine, adapter: new EngineAdapter(engine, (id) => devices.get(id)?.state) };
}

export const quietSystem = {
  latest: () => ({ cpuTempC: 48.2, load1: 0.42, memFreeMB: 512.4, diskFreeMB: 9000, uptimeS: 93_784, hubUptimeS: 60 }),
};

export interface Harness {
  ctx: HubContext;
  dir: string;
  storage: Storage;
  clock: ShiftedClock;
  spoken: SpeakEvent[];
  close(): Promise<void>;
}

/** A HubContext with real bus, metrics, health and Storage in a temp dir (reused when `dir` is given). */
export async function makeContext(raw: Record<string, unknown> = {}, options: { dir?: string; clock?: ShiftedClock; log?: Logger } = {}): Promise<Harness> {
  const dir = options.dir ?? await mkdtemp(join(tmpdir(), 'voicehub-plugins-'));
  const config: HubConfig = buildConfig({ dataDir: join(dir, 'data'), ...raw }, {}, dir);
  const log = options.log ?? silentLogger();
  const clock = options.clock ?? new ShiftedClock();
  const ctx: HubContext = {
    config, log, bus: new EventBus(log), metrics: new Registry(), health: new HealthRegistry(), clock,
    store: undefined as never, mqtt: undefined as unknown as MqttTransport,
  };
  const storage = new Storage(ctx);
  await storage.start();
  const spoken: SpeakEvent[] = [];
  const listener = { name: 'test' };
  ctx.bus.on('voice.speak', listener, (e) => { spoken.push(e); });
  return {
    ctx, dir, storage, clock, spoken,
    close: async () => {
      await storage.stop();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export function hostFor(h: Harness, catalog: CatalogOptions, ports: Partial<PluginHostPorts> = {}): PluginHost {
  const devices = ports.devices ?? new RecordingDevices();
  return new PluginHost(h.ctx, {
    devices,
    intents: ports.intents ?? engineFor(devices).adapter,
    system: ports.system ?? quietSystem,
    ...(ports.cloud ? { cloud: ports.cloud } : {}),
  }, { builtinDir: null, nodeModulesDirs: [], hubVersion: '0.1.0', ...catalog });
}

/** A call context for handleIntent. */
export const call = (traceId = 'trace-1', sessionId = 'session-1') => ({ traceId, session: { sessionId, clientId: 'client-1' } });

export const request = (intent: string, slots: Record<string, string | number> = {}, text = 'test', lang = 'en') => ({ intent, text, lang, slots });
