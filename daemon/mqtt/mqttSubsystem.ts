import { Counter, Gauge } from 'prom-client';
import type { HubContext, Subsystem } from '../core/context.js';
import { getOrCreate } from '../core/metrics.js';
import type { BackoffPolicy } from '../core/backoff.js';
import { EmbeddedBroker } from './embeddedBroker.js';
import type { ExternalTransport } from './externalTransport.js';

export const MQTT_CLIENTS_METRIC = 'voicehub_mqtt_clients';
export const MQTT_COMMANDS_METRIC = 'voicehub_mqtt_commands_total';
export const MQTT_REFUSED_METRIC = 'voicehub_mqtt_refused_total';
export const MQTT_COMMANDS_DROPPED_METRIC = 'voicehub_mqtt_commands_dropped_total';

/** The slice of the device service (daemon/devices) the broker asks, without importing it. */
export interface CommandTopicSource {
  isCommandTopic(topic: string): boolean;
}

export interface MqttSubsystemOptions {
  /** External mode only: reconnect backoff (tests shorten it). */
  backoff?: BackoffPolicy;
  /** Embedded mode only: concurrent client connections (default 1000). */
  maxClients?: number;
  /** Embedded mode only: which topics are a known device's command topics (anonymous clients may not publish there). */
  commandTopics?: CommandTopicSource;
  /** Embedded mode only: the one topic that may be larger than mqtt.maxPacketBytes (Zigbee2MQTT's bridge/devices). */
  largeTopic?: { topic: string; maxBytes: number };
}

/**
 * Picks the MQTT mode from config — `mqtt.url` set: a client of that broker; otherwise the embedded
 * broker — and puts it behind `ctx.mqtt`, so nothing above knows which one runs. Also registers the
 * `mqtt` health check and the metrics `voicehub_mqtt_clients` (read live at scrape time) and
 * `voicehub_mqtt_commands_total` (every hub publish with QoS ≥ 1 that is not retained, counted once the
 * broker has it: device commands are exactly those; the hub's own status and device list are retained).
 */
export class MqttSubsystem implements Subsystem {
  readonly name = 'mqtt';
  private transport: EmbeddedBroker | ExternalTransport | null = null;

  constructor(private readonly ctx: HubContext, private readonly options: MqttSubsystemOptions = {}) {}

  /** The embedded broker's real port once started; null in external mode or before start. */
  get port(): number | null {
    return this.transport instanceof EmbeddedBroker ? this.transport.port : null;
  }

  get mode(): 'embedded' | 'external' {
    return this.ctx.config.mqtt.url ? 'external' : 'embedded';
  }

  async start(signal: AbortSignal): Promise<void> {
    const { ctx } = this;
    const config = ctx.config.mqtt;
    const commands = getOrCreate(ctx.metrics, MQTT_COMMANDS_METRIC, () => new Counter({
      name: MQTT_COMMANDS_METRIC, help: 'Commands the hub published to devices over MQTT (QoS >= 1, not retained), acknowledged by the broker', registers: [ctx.metrics],
    }));
    const onCommand = (): void => commands.inc();
    const refused = getOrCreate(ctx.metrics, MQTT_REFUSED_METRIC, () => new Counter({
      name: MQTT_REFUSED_METRIC, help: 'Connections, logins, publishes and queued messages the embedded broker turned away, by reason', labelNames: ['reason'], registers: [ctx.metrics],
    }));
    const dropped = getOrCreate(ctx.metrics, MQTT_COMMANDS_DROPPED_METRIC, () => new Counter({
      name: MQTT_COMMANDS_DROPPED_METRIC, help: 'Device commands not sent because the external broker was away (disconnected: the broker not back within mqtt.commandMaxAgeMs, nothing sent; expired: sent but not acknowledged within it)', labelNames: ['reason'], registers: [ctx.metrics],
    }));
    // mqtt.js is loaded only in external mode: an embedded-broker hub starts faster without it.
    const transport = config.url
      ? new (await import('./externalTransport.js')).ExternalTransport({
        url: config.url, username: config.username, password: config.password, clientId: config.clientId,
        ca: config.ca, cert: config.cert, key: config.key, rejectUnauthorized: config.rejectUnauthorized,
        log: ctx.log, clock: ctx.clock, backoff: this.options.backoff, onCommand,
        commandMaxAgeMs: config.commandMaxAgeMs, onCommandDropped: (reason) => dropped.inc({ reason }),
        keepaliveSeconds: config.keepaliveSeconds,
      })
      : new EmbeddedBroker({
        host: config.host, port: config.port, anonymousFrom: config.anonymousFrom, dataDir: ctx.config.dataDir,
        maxPacketBytes: config.maxPacketBytes, connectionsPerSecond: config.connectionsPerSecond,
        maxClients: this.options.maxClients, log: ctx.log, clock: ctx.clock, onCommand,
        retained: {
          maxMessages: config.maxRetainedMessages, maxBytes: config.maxRetainedBytes,
          maxMessagesPerClient: config.maxRetainedMessagesPerClient, maxBytesPerClient: config.maxRetainedBytesPerClient,
        },
        queued: { maxMessages: config.maxQueuedMessages, maxBytes: config.maxQueuedBytes },
        onRefused: (reason) => refused.inc({ reason }),
        // The device subsystem starts after this one; until it has, no topic is a known command topic.
        isDeviceCommandTopic: (topic) => this.options.commandTopics?.isCommandTopic(topic) === true,
        anonymousCommands: config.anonymousCommands,
        ...(this.options.largeTopic ? { largeTopic: this.options.largeTopic } : {}),
      });
    await transport.start(signal);
    this.transport = transport;
    ctx.mqtt = transport;
    ctx.health.register('mqtt', () => transport.health());
    ctx.metrics.removeSingleMetric(MQTT_CLIENTS_METRIC);
    new Gauge({
      name: MQTT_CLIENTS_METRIC,
      help: 'MQTT clients connected (embedded broker: its clients; external broker: 1 while the hub is connected)',
      registers: [ctx.metrics],
      collect() {
        this.set(transport.clientCount());
      },
    });
    if (transport instanceof EmbeddedBroker) {
      ctx.log.info({ port: transport.port, host: config.host }, 'embedded mqtt broker listening');
    }
  }

  async stop(): Promise<void> {
    const transport = this.transport;
    if (!transport) return;
    this.ctx.health.unregister('mqtt');
    await transport.stop();
    this.ctx.metrics.removeSingleMetric(MQTT_CLIENTS_METRIC);
    this.transport = null;
  }
}
