import { randomBytes } from 'node:crypto';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Clock, HealthResult, MessageHandler, MqttTransport, PublishOptions } from '../core/context.js';
import { HubError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { readTlsFiles, redact } from './brokerConnection.js';
import { Backoff, type BackoffPolicy } from '../core/backoff.js';
import { withTimeout } from '../core/timeout.js';
import { STATUS_OFFLINE, STATUS_ONLINE, STATUS_TOPIC, isCommandPublish } from './status.js';
import { SubscriptionIndex } from './subscriptionIndex.js';
import { isValidTopicFilter, isValidTopicName } from './topicFilter.js';

export interface ExternalTransportOptions {
  /** mqtt://, mqtts://, ws://, wss:// (tcp:// and ssl:// as mqtt.js reads them). */
  url: string;
  username?: string | null;
  password?: string | null;
  clientId?: string | null;
  /** Paths of PEM files, read once at start. */
  ca?: string | null;
  cert?: string | null;
  key?: string | null;
  rejectUnauthorized?: boolean;
  log: Logger;
  clock: Clock;
  backoff?: BackoffPolicy;
  /** Publishes kept while disconnected; when full the oldest is dropped (its promise rejects). */
  maxQueued?: number;
  /** How long start() waits for the first connection before going on (it keeps trying in the background). */
  firstConnectWaitMs?: number;
  keepaliveSeconds?: number;
  /** Called for each hub publish that counts as a device command (QoS ≥ 1, not retained). */
  onCommand?: () => void;
  /**
   * A device command the broker has not acknowledged within this many ms is given up: its promise rejects
   * with MQTT_UNAVAILABLE and it is taken back from mqtt.js, so it is never sent late. While the broker is
   * away a command waits this long for the reconnect. 0: no limit once sent, and refused at once while away.
   */
  commandMaxAgeMs?: number;
  /** Called for each device command not sent: refused while disconnected, or given up after commandMaxAgeMs. */
  onCommandDropped?: (reason: 'disconnected' | 'expired') => void;
}

interface Queued {
  topic: string;
  payload: string | Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** Device commands only: shared by every try of the same command, so giving up reaches all of them. */
  command?: CommandState;
  resolve(): void;
  reject(err: Error): void;
}

interface CommandState {
  withdrawn: boolean;
  /** The mqtt.js callback and packet id of the latest try, to take it back from mqtt.js's stores. */
  callback?: (err?: Error) => void;
  messageId?: number;
}

/** mqtt.js internals used to take back a command that is still waiting to go out (not in its typings). */
interface ClientInternals {
  outgoing: Record<number, { cb?: unknown }>;
  _storeProcessingQueue?: Array<{ callback?: unknown }>;
}

const STOP_GRACE_MS = 2000;
const MAX_SEND_TRIES = 3;

/**
 * Reconnect waits: 0.5 s doubling to 4 s (each drawn from its upper half). The hub's usual 30 s cap left a hub
 * whose LAN broker was away for a minute up to 30 s without devices after the broker was back (issue 18 asks
 * for ≤ 5 s); one TCP connect to a local broker every 2–4 s costs it nothing.
 */
export const BROKER_RECONNECT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 4000 };

/**
 * The hub as a client of an external broker (Mosquitto, EMQX) through mqtt.js, used here and nowhere else.
 *
 * - Last will `voicehub/status` = `offline` (retained, QoS 1); `online` (retained) after every connect.
 * - Reconnects itself with capped exponential backoff and jitter (backoff.ts): mqtt.js only offers a fixed
 *   `reconnectPeriod`, so that is set to 0 and `reconnect()` is called from our own timer, keeping the
 *   client's message stores so QoS 1 publishes in flight are resent.
 * - Clean session: after each connect every filter in the subscription index is subscribed again.
 * - Publishes made while disconnected wait in a bounded queue and go out, in order, after the
 *   resubscribe and the `online` status. QoS 0 publishes are not queued (at most once means at most once).
 * - Device commands (QoS ≥ 1, not retained) live at most `commandMaxAgeMs` from the moment they are asked
 *   for: while disconnected they wait in the queue for the reconnect (a broker restarted in a second or two
 *   costs nobody their command), and one not acknowledged within that age, queued or on the wire, is given
 *   up with MQTT_UNAVAILABLE and taken back from the queue and mqtt.js, so a user told "unreachable" never
 *   sees the light change later. With no age set they are refused at once while disconnected.
 */
export class ExternalTransport implements MqttTransport {
  readonly mode = 'external' as const;
  private client: MqttClient | null = null;
  private readonly index = new SubscriptionIndex();
  private readonly queue: Queued[] = [];
  private readonly backoff: Backoff;
  private isConnected = false;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private connects = 0;
  private droppedQueued = 0;
  private droppedCommands = 0;

  constructor(private readonly options: ExternalTransportOptions) {
    this.backoff = new Backoff(options.backoff ?? BROKER_RECONNECT_BACKOFF);
  }

  get connected(): boolean {
    return this.isConnected;
  }

  clientCount(): number {
    return this.isConnected ? 1 : 0;
  }

  get queued(): number {
    return this.queue.length;
  }

  async start(signal?: AbortSignal): Promise<void> {
    const { options } = this;
    const tls = await readTlsFiles(options);
    const clientOptions: IClientOptions = {
      clientId: options.clientId ?? `voicehub-${randomBytes(4).toString('hex')}`,
      username: options.username ?? undefined,
      password: options.password ?? undefined,
      ...tls,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      protocolVersion: 4,
      clean: true,
      keepalive: options.keepaliveSeconds ?? 30,
      reconnectPeriod: 0, // ours: see scheduleReconnect
      connectTimeout: 10_000,
      resubscribe: false, // ours: see onConnect
      queueQoSZero: false,
      // [MQTT-3.1.2-8] the broker publishes this when the connection dies without DISCONNECT.
      will: { topic: STATUS_TOPIC, payload: Buffer.from(STATUS_OFFLINE), qos: 1, retain: true },
    };
    const client = connect(options.url, clientOptions);
    this.client = client;
    client.on('connect', () => this.onConnect(client));
    client.on('close', () => this.onClose());
    client.on('error', (err) => options.log.warn({ err: err.message, url: redact(options.url) }, 'mqtt broker connection error'));
    client.on('message', (topic, payload, packet) => this.index.dispatch(topic, payload, packet.retain, (h, t, p, r) => this.call(h, t, p, r)));
    await this.firstAttempt(client, signal);
    if (!this.isConnected) options.log.warn({ url: redact(options.url) }, 'mqtt broker not reachable yet; retrying in the background');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    const client = this.client;
    if (client && this.isConnected) {
      // A clean DISCONNECT discards the will [MQTT-3.14.4-3], so say offline ourselves first.
      await withTimeout(this.send({ topic: STATUS_TOPIC, payload: STATUS_OFFLINE, qos: 1, retain: true }), STOP_GRACE_MS, timedOut).catch(() => {});
    }
    this.shutDown();
    if (client) await withTimeout(client.endAsync(), STOP_GRACE_MS, timedOut).catch(() => client.end(true));
  }

  /** Drops the connection without DISCONNECT, as a crash or a cut cable would: the broker publishes the will. */
  async terminate(): Promise<void> {
    if (this.stopped) return;
    this.shutDown();
    const client = this.client;
    if (client) await new Promise<void>((resolve) => client.end(true, () => resolve()));
  }

  publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): Promise<void> {
    if (this.stopped) return Promise.reject(new HubError('SHUTTING_DOWN', 'the MQTT transport is stopped'));
    if (!isValidTopicName(topic)) return Promise.reject(new HubError('BAD_REQUEST', `not a valid MQTT topic name: ${JSON.stringify(topic)}`));
    const qos = options.qos ?? 1;
    const retain = options.retain ?? false;
    if (isCommandPublish(qos, retain)) return this.publishCommand({ topic, payload, qos, retain });
    if (this.isConnected) return this.send({ topic, payload, qos, retain });
    if (qos === 0) return Promise.reject(new HubError('MQTT_UNAVAILABLE', 'the MQTT broker is not connected', { retryable: true }));
    return this.enqueue({ topic, payload, qos, retain });
  }

  /** Waits for the reconnect in the bounded queue; when it is full the oldest is dropped. */
  private enqueue(item: Omit<Queued, 'resolve' | 'reject'>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...item, resolve, reject });
      if (this.queue.length > (this.options.maxQueued ?? 1000)) {
        this.droppedQueued++;
        this.queue.shift()!.reject(new HubError('MQTT_UNAVAILABLE', 'the MQTT broker is not connected and the publish queue is full', { retryable: true, details: { sent: false } }));
      }
    });
  }

  async subscribe(pattern: string, handler: MessageHandler): Promise<() => Promise<void>> {
    if (this.stopped) throw new HubError('SHUTTING_DOWN', 'the MQTT transport is stopped');
    if (!isValidTopicFilter(pattern)) throw new HubError('BAD_REQUEST', `not a valid MQTT topic filter: ${JSON.stringify(pattern)}`);
    this.index.add(pattern, handler);
    // Subscribing again to a known filter makes the broker resend its retained messages [MQTT-3.8.4-3],
    // which the new handler needs; while disconnected, onConnect subscribes everything in the index.
    if (this.isConnected) await this.brokerSubscribe([pattern]);
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      if (this.index.remove(pattern, handler) && this.isConnected && this.client) {
        await this.client.unsubscribeAsync(pattern).catch(() => {});
      }
    };
  }

  health(): HealthResult {
    return {
      ok: this.isConnected, mode: this.mode, url: redact(this.options.url), clients: this.clientCount(),
      queued: this.queue.length, droppedQueued: this.droppedQueued, connects: this.connects, subscriptions: this.index.size,
      droppedCommands: this.droppedCommands,
    };
  }

  /** A device command: within its age or never (see the class comment). */
  private publishCommand(item: Omit<Queued, 'resolve' | 'reject' | 'command'>): Promise<void> {
    const maxAge = this.options.commandMaxAgeMs ?? 0;
    if (!this.isConnected && maxAge <= 0) {
      this.dropCommand('disconnected');
      return Promise.reject(notSent('the MQTT broker is not connected; the command was not sent'));
    }
    const command: CommandState = { withdrawn: false };
    const sent = this.isConnected ? this.send({ ...item, command }) : this.enqueue({ ...item, command });
    if (maxAge <= 0) return sent;
    return new Promise((resolve, reject) => {
      const timer = this.options.clock.setTimeout(() => {
        this.withdraw(command);
        if (!command.callback) {
          // Still in our queue: the broker was not back in time, and nothing left the hub (counted, not logged:
          // an outage would log every command asked for meanwhile).
          this.dropCommand('disconnected');
          reject(notSent(`the MQTT broker was not back within mqtt.commandMaxAgeMs (${maxAge} ms); the command was not sent`));
          return;
        }
        this.dropCommand('expired');
        this.options.log.warn({ topic: item.topic, maxAgeMs: maxAge }, 'mqtt command not acknowledged in time; given up and not sent later');
        reject(new HubError('MQTT_UNAVAILABLE', `the MQTT broker did not acknowledge the command within mqtt.commandMaxAgeMs (${maxAge} ms); it was given up and is not sent again`, { retryable: false }));
      }, maxAge);
      sent.then(() => {
        this.options.clock.clearTimeout(timer);
        if (!command.withdrawn) resolve();
      }, (err: unknown) => {
        this.options.clock.clearTimeout(timer);
        if (!command.withdrawn) reject(err);
      });
    });
  }

  private dropCommand(reason: 'disconnected' | 'expired'): void {
    this.droppedCommands++;
    this.options.onCommandDropped?.(reason);
  }

  /** Takes a command back wherever it waits: our queue, mqtt.js's pending writes and its outgoing store. */
  private withdraw(command: CommandState): void {
    command.withdrawn = true;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i]!.command === command) this.queue.splice(i, 1);
    }
    const client = this.client;
    if (!client) return;
    const internals = client as unknown as ClientInternals;
    const pending = internals._storeProcessingQueue;
    if (pending) {
      for (let i = pending.length - 1; i >= 0; i--) {
        if (pending[i]!.callback === command.callback) pending.splice(i, 1);
      }
    }
    const id = command.messageId;
    if (id === undefined) return;
    // Once PUBLISH is on the wire it may already have reached the broker; what is still in mqtt.js (its
    // outgoing store, resent after a reconnect) is removed here so it does not go out again.
    if (internals.outgoing[id]?.cb === command.callback) client.removeOutgoingMessage(id);
    else client.outgoingStore.del({ messageId: id }, () => {});
  }

  private onConnect(client: MqttClient): void {
    this.isConnected = true;
    this.connects++;
    this.backoff.reset();
    this.options.log.info({ url: redact(this.options.url), reconnect: this.connects > 1 }, 'connected to mqtt broker');
    // mqtt.js writes packets in call order: subscriptions, then online, then what queued up while away.
    const filters = this.index.filters();
    if (filters.length > 0) void this.brokerSubscribe(filters);
    this.send({ topic: STATUS_TOPIC, payload: STATUS_ONLINE, qos: 1, retain: true }).catch(() => {});
    while (this.queue.length > 0 && this.isConnected && this.client === client) {
      const item = this.queue.shift()!;
      if (item.command?.withdrawn) continue;
      this.send(item).then(item.resolve, item.reject);
    }
  }

  private onClose(): void {
    if (this.isConnected) this.options.log.warn({ url: redact(this.options.url) }, 'mqtt broker connection lost; reconnecting');
    this.isConnected = false;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.backoff.next();
    this.options.log.debug({ delay, attempt: this.backoff.attempts }, 'mqtt reconnect scheduled');
    this.reconnectTimer = this.options.clock.setTimeout(() => {
      this.reconnectTimer = null;
      const client = this.client;
      if (this.stopped || !client || this.isConnected) return;
      // Keep the stores: a QoS 1 publish that was in flight is resent after the reconnect.
      client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    }, delay);
  }

  /** Publishes on the live connection; if the connection dies before the PUBACK, the message is tried again. */
  private send(item: Omit<Queued, 'resolve' | 'reject'>, tries = 0): Promise<void> {
    const client = this.client!;
    const command = item.command;
    return new Promise((resolve, reject) => {
      const callback = (err?: Error): void => {
        if (command?.withdrawn) return reject(err ?? new Error('withdrawn'));
        if (!err) {
          if (isCommandPublish(item.qos, item.retain)) this.options.onCommand?.();
          return resolve();
        }
        // mqtt.js fails in-flight QoS ≥ 1 publishes when it tears a dead connection down itself
        // (keepalive or CONNACK timeout); at least once means trying again, after the reconnect if need be.
        if (this.stopped || item.qos === 0 || tries >= MAX_SEND_TRIES) return reject(err);
        if (this.isConnected && this.client === client && client.connected) {
          this.send(item, tries + 1).then(resolve, reject);
        } else {
          this.queue.push({ ...item, resolve, reject });
        }
      };
      client.publish(item.topic, item.payload, { qos: item.qos, retain: item.retain }, callback);
      if (command) {
        command.callback = callback;
        command.messageId = messageIdOf(client, callback);
      }
    });
  }

  private async brokerSubscribe(filters: string[]): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      await client.subscribeAsync(filters, { qos: 1 });
    } catch (err) {
      // mqtt.js rejects a SUBACK carrying 0x80 and attaches the packet; otherwise the connection went away
      // and onConnect subscribes again.
      const granted = (err as { packet?: { granted?: number[] } }).packet?.granted;
      if (granted) {
        const refused = filters.filter((_, i) => granted[i] === 128);
        this.options.log.warn({ topics: refused }, 'mqtt broker refused the hub\'s subscription (check its ACL)');
      } else {
        this.options.log.debug({ err: (err as Error).message }, 'mqtt subscribe did not complete');
      }
    }
  }

  private call(handler: MessageHandler, topic: string, payload: Buffer, retain: boolean): void {
    try {
      const result = handler(topic, payload, retain) as unknown;
      if (result instanceof Promise) result.catch((err: unknown) => this.options.log.error({ err, topic }, 'mqtt message handler failed'));
    } catch (err) {
      this.options.log.error({ err, topic }, 'mqtt message handler failed');
    }
  }

  private shutDown(): void {
    this.stopped = true;
    this.isConnected = false;
    if (this.reconnectTimer) this.options.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    for (const item of this.queue.splice(0)) item.reject(new HubError('SHUTTING_DOWN', 'the MQTT transport stopped before the broker came back'));
  }

  private firstAttempt(client: MqttClient, signal?: AbortSignal): Promise<void> {
    const wait = this.options.firstConnectWaitMs ?? 5000;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        client.off('connect', done);
        client.off('close', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, wait);
      client.once('connect', done);
      client.once('close', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** The packet id mqtt.js gave the publish made with `callback` (undefined while it waits in mqtt.js's queue). */
function messageIdOf(client: MqttClient, callback: unknown): number | undefined {
  const outgoing = (client as unknown as ClientInternals).outgoing;
  for (const id in outgoing) {
    if (outgoing[id]!.cb === callback) return Number(id);
  }
  return undefined;
}

const timedOut = (): Error => new Error('timed out');

/** `sent: false`: nothing left the hub, so whoever asked may send the same command again (the cloud's ids). */
const notSent = (message: string): HubError => new HubError('MQTT_UNAVAILABLE', message, { retryable: false, details: { sent: false } });
