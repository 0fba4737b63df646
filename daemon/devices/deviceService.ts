import { Counter, type Registry } from 'prom-client';
import type { HubContext, Subsystem } from '../core/context.js';
import { HubError } from '../core/errors.js';
import { getOrCreate } from '../core/metrics.js';
import { DeviceRegistry, emptyDevicesDocument } from '../../devices/registry.js';
import { DeviceSubscriptions } from '../../devices/mqttSubscriptions.js';
import { translateCommand } from '../../devices/commands.js';
import type { Device, DeviceCommand } from '../../devices/model.js';
import {
  applyPatch, checkOverridesDocument, checkPatch, emptyOverridesDocument, MAX_OVERRIDES, type DeviceOverridesDocument,
} from '../../devices/userOverrides.js';
import type { Collection } from '../core/context.js';
import { BridgePublisher } from './bridgePublisher.js';

/** Home Assistant's birth topic: integrations (Zigbee2MQTT, ESPHome, Tasmota) re-announce discovery on `online`. */
const HA_STATUS_SUFFIX = 'status';

/**
 * The device subsystem: the registry (devices/) fed by the MQTT transport, and the one way to command a
 * device — translate per its own convention, publish with QoS 1, count, log with the caller's traceId.
 * Everything above it (plugins, HTTP API, CLI) goes through this service.
 */
export class DeviceService implements Subsystem {
  readonly name = 'devices';
  private registry: DeviceRegistry | null = null;
  private subscriptions: DeviceSubscriptions | null = null;
  private bridge: BridgePublisher | null = null;
  private overrides: Collection<DeviceOverridesDocument> | null = null;

  constructor(private readonly ctx: HubContext) {}

  async start(): Promise<void> {
    const { ctx } = this;
    // Counted in a plain number per message and handed to the counter at scrape time: prom-client's inc()
    // builds two objects a call, once per state message on the ingest path.
    const updates = appliedCount(ctx.metrics);
    getOrCreate(ctx.metrics, 'voicehub_device_updates_total', () => new Counter({
      name: 'voicehub_device_updates_total', help: 'Device state messages applied to the registry', registers: [ctx.metrics],
      collect() {
        if (updates.n === 0) return;
        this.inc(updates.n);
        updates.n = 0;
      },
    }));
    // Device state comes in bursts and devices report it again: its first write after a quiet spell may wait
    // one flush interval like the rest, so steady ingest writes devices.json once per interval from the start.
    const collection = await ctx.store.collection('devices', emptyDevicesDocument, { atOnce: false });
    // Users' names, aliases and areas (`voicehub devices set`, PATCH /api/devices/:id): a file edited by
    // hand or damaged keeps what fits, and start-up goes on.
    const overrides = await ctx.store.collection('deviceOverrides', emptyOverridesDocument);
    const checked = checkOverridesDocument(overrides.data, ctx.config.floors);
    if (checked.dropped > 0 || checked.floorsDropped > 0) {
      ctx.log.warn({ dropped: checked.dropped, floorsDropped: checked.floorsDropped, code: 'STORED_ENTRY_INVALID' },
        'device overrides that do not fit were dropped (a floor no longer under floors: is dropped alone)');
      overrides.data = checked.doc;
      overrides.markDirty();
    } else overrides.data = checked.doc;
    this.overrides = overrides;
    const registry = new DeviceRegistry({
      collection, bus: ctx.bus, log: ctx.log, clock: ctx.clock,
      discoveryPrefix: ctx.config.mqtt.discoveryPrefix,
      zigbee2mqttBaseTopic: ctx.config.mqtt.zigbee2mqttBaseTopic,
      configDevices: ctx.config.devices,
      onStateApplied: () => { updates.n++; },
      userOverrides: new Map(Object.entries(checked.doc.overrides)),
    });
    registry.start();
    this.registry = registry;
    this.subscriptions = new DeviceSubscriptions({ registry, transport: ctx.mqtt, log: ctx.log });
    await this.subscriptions.start();
    this.bridge = new BridgePublisher({ ctx, snapshot: () => registry.snapshot() });
    this.bridge.start();
    // Retained discovery configs live in the broker; the embedded one forgets them on restart, so ask
    // integrations to announce again. Not retained: a birth message, as Home Assistant sends it.
    ctx.mqtt.publish(`${ctx.config.mqtt.discoveryPrefix}/${HA_STATUS_SUFFIX}`, 'online', { qos: 0, retain: false })
      .catch((err: unknown) => ctx.log.warn({ err }, 'could not publish the discovery birth message'));
  }

  async stop(): Promise<void> {
    this.bridge?.stop();
    await this.subscriptions?.stop();
    this.registry?.stop();
  }

  count(): number {
    return this.registry?.list().length ?? 0;
  }

  list(): readonly Device[] {
    return this.registry?.list() ?? [];
  }

  get(id: string): Device | undefined {
    return this.registry?.get(id);
  }

  /** For the embedded broker: is `topic` a known device's command topic? (mqtt.anonymousCommands) */
  isCommandTopic(topic: string): boolean {
    return this.registry?.isCommandTopic(topic) ?? false;
  }

  snapshot(): ReturnType<DeviceRegistry['snapshot']> {
    return this.registry?.snapshot() ?? [];
  }

  /**
   * Changes the name, area, aliases or floor of a device as a user asked (`body` is untrusted: the HTTP API's
   * JSON). Applied at once (voice uses it from the next utterance) and persisted with a coalesced write.
   * Throws DEVICE_OVERRIDE_INVALID for a bad body, DEVICE_NOT_FOUND for an id no device has.
   */
  setOverride(id: string, body: unknown): Device {
    const registry = this.registry;
    const store = this.overrides;
    if (!registry || !store) throw new HubError('SHUTTING_DOWN', 'the device service is not running');
    const device = registry.get(id);
    if (!device) throw new HubError('DEVICE_NOT_FOUND', `no device with id ${JSON.stringify(id.slice(0, 256))}`);
    const checked = checkPatch(body, this.ctx.config.floors);
    if (!checked.ok) throw new HubError('DEVICE_OVERRIDE_INVALID', checked.reason);
    const next = applyPatch(store.data.overrides[id], checked.patch);
    if (next && !(id in store.data.overrides) && Object.keys(store.data.overrides).length >= MAX_OVERRIDES) {
      throw new HubError('DEVICE_OVERRIDE_INVALID', `at most ${MAX_OVERRIDES} devices can have overrides`);
    }
    if (next) store.data.overrides[id] = next;
    else delete store.data.overrides[id];
    store.markDirty();
    registry.setUserOverride(id, next);
    return device;
  }

  /** The override a user set for a device, if any. */
  override(id: string): Readonly<DeviceOverridesDocument['overrides'][string]> | undefined {
    return this.overrides?.data.overrides[id];
  }

  /**
   * Translates and publishes a command. Rejects with DEVICE_NOT_FOUND, DEVICE_UNSUPPORTED or
   * VALUE_OUT_OF_RANGE before anything is published; publishes wait for the broker (QoS 1). With an
   * external broker that is away, or that does not acknowledge within mqtt.commandMaxAgeMs, it rejects with
   * MQTT_UNAVAILABLE and the command is dropped, never sent late.
   */
  command(id: string, command: DeviceCommand, options: { traceId?: string; source: string }): Promise<void> {
    const device = this.get(id);
    if (!device) return Promise.reject(new HubError('DEVICE_NOT_FOUND', `no device with id ${JSON.stringify(id)}`));
    let publishes: ReturnType<typeof translateCommand>;
    try {
      publishes = translateCommand(device, command);
    } catch (err) {
      return Promise.reject(err);
    }
    // With the trace id that ties it to the utterance. At debug: a command per utterance is the hot path,
    // where info stays quiet (the count is in voicehub_mqtt_commands_total).
    const { log, mqtt } = this.ctx;
    if (log.isLevelEnabled('debug')) {
      log.debug({ traceId: options.traceId, device: id, command: command.command, params: 'params' in command ? command.params : undefined, source: options.source, topics: publishes.map((p) => p.topic) }, 'device command');
    }
    const sent = publishes.map((p) => mqtt.publish(p.topic, p.payload, { qos: p.qos, retain: p.retain }));
    // Most commands are one publish: its promise is the answer, with no async step of our own on top.
    return sent.length === 1 ? sent[0]! : Promise.all(sent).then(() => undefined);
  }

}

/** State messages applied and not yet scraped, per metrics registry (a restarted hub in a test keeps its registry). */
const appliedCounts = new WeakMap<Registry, { n: number }>();

function appliedCount(registry: Registry): { n: number } {
  let counted = appliedCounts.get(registry);
  if (!counted) appliedCounts.set(registry, counted = { n: 0 });
  return counted;
}
