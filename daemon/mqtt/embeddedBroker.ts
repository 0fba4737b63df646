import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type AedesPublishPacket } from 'aedes';
import type { Clock, HealthResult, MessageHandler, MqttTransport, PublishOptions } from '../core/context.js';
import { EnvironmentError, HubError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { AddressPolicy, unmapIPv4 } from '../core/addressPolicy.js';
import { createAuthHooks, type AuthHooks, type AuthRefusal } from './brokerAuth.js';
import { boundIncomingQos2, boundOutgoingQueues, type IncomingStore, type OutgoingStore, type QueueLimits } from './boundedQueues.js';
import { LoginGate } from './loginGate.js';
import { RetainedLedger, type RetainedLimits } from './retainedLedger.js';
import { RateLimiter } from '../core/rateLimiter.js';
import { GuardedConnection, type ConnectionProblem } from './guardedConnection.js';
import { STATUS_OFFLINE, STATUS_ONLINE, STATUS_TOPIC, isCommandPublish } from './status.js';
import { isValidTopicFilter, isValidTopicName } from './topicFilter.js';
import { failPublishOnLookupError, type LookupStore } from './lookupFailure.js';
import { UserDirectory } from './userDirectory.js';
import { skipOfflineLookupWithoutSessions, type OfflineStore } from './offlineLookup.js';
import { PendingPublishes } from './pendingPublishes.js';
import { deliverOvertakenMessages } from './deliverOvertaken.js';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  anonymousFrom: readonly string[];
  dataDir: string;
  maxPacketBytes: number;
  connectionsPerSecond: number;
  log: Logger;
  clock: Clock;
  /** Concurrent TCP connections; at the cap the oldest one not logged in yet makes room, else a new one is refused. */
  maxClients?: number;
  /** Unsent bytes one client may hold before it is disconnected as a slow consumer. */
  maxBufferedBytes?: number;
  /** Called for each hub publish that counts as a device command (QoS ≥ 1, not retained). */
  onCommand?: () => void;
  /** Retained messages the broker keeps (all clients and per client); see retainedLedger.ts. */
  retained?: RetainedLimits;
  /** QoS ≥ 1 messages kept per persistent session; see boundedQueues.ts. */
  queued?: QueueLimits;
  /** Whether a topic is a known device's command topic; anonymous clients may not publish there unless anonymousCommands. */
  isDeviceCommandTopic?: (topic: string) => boolean;
  /** `mqtt.anonymousCommands` (default false). */
  anonymousCommands?: boolean;
  /** Called for every connection, login or publish the broker turns away, with why. */
  onRefused?: (reason: BrokerRefusal) => void;
  /**
   * One topic whose PUBLISH may be larger than `maxPacketBytes` (Zigbee2MQTT's `bridge/devices`): up to
   * `maxBytes`, from a logged-in client, while all such packets being received at once stay within twice that,
   * each arriving whole within `maxMs` (default 60 s) or its connection is closed and its share freed.
   */
  largeTopic?: { topic: string; maxBytes: number; maxMs?: number };
  /**
   * The hub's own publishes waiting to be handed out at once (default 10,000); past it the oldest is refused,
   * as is one held while that many later ones were published (pendingPublishes.ts).
   */
  maxPendingPublishes?: number;
  /** An aedes persistence in place of aedes' own in-memory one (tests give one that fails). */
  persistence?: unknown;
}

/** The `reason` label of `voicehub_mqtt_refused_total`. */
export type BrokerRefusal = AuthRefusal | 'rate_limited' | 'too_large' | 'malformed' | 'slow_consumer' | 'queue_full' | 'idle_evicted' | 'max_clients';

/** The hub's own retained messages (status, device list) are charged here and never refused. */
const HUB_OWNER = '$hub';

/** The slice of aedes-persistence the in-process subscriber uses (not in aedes' typings). */
interface RetainedStore {
  createRetainedStream(pattern: string): AsyncIterable<AedesPublishPacket>;
}

const DEFAULT_MAX_CLIENTS = 1000;
/** The config defaults (schema.ts), for brokers made without them (tests). */
const DEFAULT_RETAINED: RetainedLimits = { maxMessages: 20_000, maxBytes: 32 * 1024 * 1024, maxMessagesPerClient: 5000, maxBytesPerClient: 8 * 1024 * 1024 };
const DEFAULT_QUEUED: QueueLimits = { maxMessages: 1000, maxBytes: 4 * 1024 * 1024 };
const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** A TCP connection must send CONNECT within this; slow-loris sockets do not hold slots for aedes' default 30 s. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Backstop only: GuardedConnection never makes aedes wait for drain (see there). */
const DRAIN_TIMEOUT_MS = 30_000;
/** mqemitter slots for messages being delivered at once (aedes default 100); slots are held one tick each. */
const DELIVERY_CONCURRENCY = 500;
const TCP_KEEPALIVE_MS = 60_000;
/** Large packets (largeTopic) of the largest size the broker receives at once, from all connections. */
const LARGE_BUDGET_PACKETS = 2;
/** A large packet must arrive whole within this (8 MiB at 2 Mbit/s takes 34 s), or it stops holding the budget. */
const LARGE_PACKET_MAX_MS = 60_000;
/** Remote addresses whose connection rate is tracked at once; idle ones are forgotten first. */
const MAX_TRACKED_ADDRESSES = 4096;
/**
 * The hub's publishes not yet handed out, at most (see publish()). Each waits a loop turn or a few at most (the
 * 1,200-at-once burst of the broker tests settles at once); past this many something in aedes holds them for
 * good, and the oldest is refused rather than kept for ever (also when it alone is held while this many later
 * ones were published).
 */
const DEFAULT_MAX_PENDING_PUBLISHES = 10_000;

/**
 * The embedded MQTT broker (aedes 1.x) on `mqtt.host:mqtt.port`, and the hub's in-process client of it:
 * the hub publishes and subscribes through aedes' own `publish`/`subscribe`, no TCP loopback connection.
 * aedes is used here and nowhere else.
 */
export class EmbeddedBroker implements MqttTransport {
  readonly mode = 'embedded' as const;
  private broker: Aedes | null = null;
  private server: Server | null = null;
  private auth: AuthHooks | null = null;
  private users: UserDirectory | null = null;
  private retained: RetainedLedger | null = null;
  private readonly sockets = new Set<Socket>();
  /**
   * Connections that have not yet logged in (no accepted CONNECT), oldest first. At mqtt's connection cap the
   * oldest of them makes room for a new one: a flood of idle sockets (issue 18) churns among itself instead of
   * holding every slot for the 10 s CONNECT timeout while real devices are turned away.
   */
  private readonly waiting = new Map<Duplex, Socket>();
  private running = false;
  private readonly dropped = { rateLimited: 0, tooLarge: 0, malformed: 0, slowConsumer: 0 };
  /** Bytes of large packets (largeTopic) being received now, by every connection together. */
  private largeInFlight = 0;
  private readonly largeTopic: { topic: Buffer; maxBytes: number; maxMs: number } | null;
  /** How many clients may have persistent subscriptions (offlineLookup.ts); null with a store of the caller's. */
  private offline: { readonly persistentClients: number } | null = null;
  /**
   * Messages handed out (seen by `emitted`) and aedes' counter when `emitted` began to see them: while every
   * counter given out since has been handed out, no message is in aedes' publish steps (nothingToStore).
   */
  private handedOut = 0;
  private counterBase = 0;

  constructor(private readonly options: EmbeddedBrokerOptions) {
    const maxPending = options.maxPendingPublishes ?? DEFAULT_MAX_PENDING_PUBLISHES;
    this.pending = new PendingPublishes<HubError>(maxPending, (_counter, settle) => {
      options.log.warn({ pending: this.pending.size + 1, code: 'MQTT_UNAVAILABLE' }, 'mqtt publish refused: the broker has held it too long without handing it out');
      settle(unavailable(`the embedded MQTT broker held the message while ${maxPending} later ones were published, without handing it out`));
    });
    const large = options.largeTopic;
    this.largeTopic = large
      ? { topic: Buffer.from(large.topic, 'utf8'), maxBytes: Math.max(large.maxBytes, options.maxPacketBytes), maxMs: large.maxMs ?? LARGE_PACKET_MAX_MS }
      : null;
  }

  get connected(): boolean {
    return this.running;
  }

  /** The bound port (the real one when 0 was configured); 0 before start. */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  clientCount(): number {
    return this.broker?.connectedClients ?? 0;
  }

  async start(signal?: AbortSignal): Promise<void> {
    const { options } = this;
    const anonymous = AddressPolicy.fromConfig(options.anonymousFrom, 'mqtt.anonymousFrom');
    const users = new UserDirectory(options.dataDir, options.log, options.clock);
    await users.load();
    const retained = new RetainedLedger(options.retained ?? DEFAULT_RETAINED);
    const refused = (reason: BrokerRefusal): void => options.onRefused?.(reason);
    const auth = createAuthHooks({
      anonymous, users, gate: new LoginGate(options.clock), retained, log: options.log, onRefused: refused,
      isDeviceCommandTopic: options.isDeviceCommandTopic, anonymousCommands: options.anonymousCommands,
    });
    const broker = await Aedes.createBroker({
      authenticate: auth.authenticate,
      authorizePublish: auth.authorizePublish,
      authorizeSubscribe: auth.authorizeSubscribe,
      connectTimeout: CONNECT_TIMEOUT_MS,
      drainTimeout: DRAIN_TIMEOUT_MS,
      concurrency: DELIVERY_CONCURRENCY,
      ...(options.persistence ? { persistence: options.persistence } : {}),
    });
    // aedes' own in-memory store (unless one was given); wrapped before the listener opens, so no client ever sees it unbounded.
    const store = (broker as unknown as { persistence: OutgoingStore & IncomingStore & LookupStore & OfflineStore }).persistence;
    // One line per thousand of each: a vanished subscriber or a flooding client would otherwise log once per message.
    const queueDrop = firstOfEachThousand();
    boundOutgoingQueues(store, options.queued ?? DEFAULT_QUEUED, (clientId) => {
      refused('queue_full');
      if (queueDrop()) options.log.warn({ clientId }, 'mqtt message not queued for a persistent session: its queue is full (mqtt.maxQueuedMessages / mqtt.maxQueuedBytes)');
    });
    const incomingRefusal = firstOfEachThousand();
    boundIncomingQos2(store, (options.queued ?? DEFAULT_QUEUED).maxBytes, (clientId) => {
      refused('queue_full');
      if (incomingRefusal()) options.log.warn({ clientId }, 'mqtt client closed: its QoS 2 messages awaiting PUBREL are over mqtt.maxQueuedBytes');
    });
    // A failed lookup of offline sessions fails its publish instead of leaving it unsettled (lookupFailure.ts).
    const lookupError = firstOfEachThousand();
    failPublishOnLookupError(store, (err, topic) => {
      if (lookupError()) options.log.error({ err, topic, code: 'MQTT_UNAVAILABLE' }, 'mqtt message refused: the broker\'s store could not look up its subscribers');
    });
    // With no persistent session, a QoS 1 message (each device command) is not looked up for offline queues (offlineLookup.ts).
    if (!options.persistence) this.offline = skipOfflineLookupWithoutSessions(store);
    // A message overtaken on its way (a retained or QoS 1 one by a QoS 0 one) is delivered, not dropped (deliverOvertaken.ts).
    const deliverOvertaken = deliverOvertakenMessages(broker.id);
    broker.on('client', (client) => {
      this.waiting.delete((client as unknown as { conn: Duplex }).conn);
      deliverOvertaken(client);
    });
    broker.on('clientError', (client, err) => options.log.debug({ clientId: client.id, err: err.message }, 'mqtt client error'));
    broker.on('connectionError', (_client, err) => options.log.debug({ err: err.message }, 'mqtt connection error'));
    // aedes emits 'error' for persistence failures; unhandled it would crash the process.
    (broker as unknown as NodeJS.EventEmitter).on('error', (err: Error) => options.log.error({ err }, 'mqtt broker error'));
    // Every message the broker hands out passes here, in the same synchronous round as the in-process
    // subscribers (see publish()); it only settles the hub's own publishes.
    await new Promise<void>((resolve) => broker.subscribe('#', this.emitted, resolve));
    this.counterBase = (broker as unknown as { counter: number }).counter - this.handedOut;
    this.broker = broker;
    this.users = users;
    this.auth = auth;
    this.retained = retained;

    // Per address, so one device reconnecting in a loop cannot use up everyone's allowance.
    const rate = options.connectionsPerSecond;
    const limiter = new RateLimiter({ perSecond: rate, burst: rate, maxKeys: MAX_TRACKED_ADDRESSES }, options.clock);
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket, broker, limiter));
    this.server = server;
    try {
      await listenDualStack(server, options.host, options.port, options.log, signal);
    } catch (err) {
      this.server = null;
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      this.broker = null;
      throw err;
    }
    server.on('error', (err) => options.log.error({ err }, 'mqtt listener error'));
    this.running = true;
    await this.publish(STATUS_TOPIC, STATUS_ONLINE, { qos: 1, retain: true });
  }

  async stop(): Promise<void> {
    const { broker, server } = this;
    if (!broker) return;
    if (this.running) {
      // Not publish(): that settles before the socket writes, and the clients are closed next. This waits
      // for aedes' own callback, after 'offline' has been written to every subscriber.
      this.retained?.admit(HUB_OWNER, STATUS_TOPIC, Buffer.byteLength(STATUS_OFFLINE), false);
      await new Promise<void>((resolve) => broker.publish({
        cmd: 'publish', topic: STATUS_TOPIC, payload: Buffer.from(STATUS_OFFLINE), qos: 1, retain: true, dup: false,
      } as AedesPublishPacket, () => resolve()));
    }
    this.running = false;
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    // Publishes aedes still holds (a store that never answered) are not handed out now: their callers are told.
    for (const counter of this.pending.waiting()) this.settle(counter, unavailable('the embedded MQTT broker stopped before it handed the message out'));
    // Sockets that never completed CONNECT are not aedes clients yet; close them too or server.close waits.
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.broker = null;
    this.server = null;
  }

  /**
   * Settles once aedes has accepted the message and every in-process subscriber has been handed it, not
   * after its writes to the network subscribers. aedes' own callback comes only after each subscriber's
   * socket write, two loop turns later (one `setImmediate` to deliver, one after the write), which made
   * every voice reply wait two turns and leave in a write of its own after the `processing` frame.
   *
   * aedes' publish steps: store a retained copy, queue copies for offline persistent sessions (QoS ≥ 1),
   * then `mq.emit`, which calls every matching listener in one synchronous loop (mqemitter → fastparallel):
   * the hub's in-process subscribers (subscribe() below) and the network clients' delivery functions, which
   * write in a later turn. `emitted` is one more listener of that loop (filter `#`); it resolves the
   * publish whose packet it sees, and the awaiting code resumes in a microtask, after the loop has called
   * every listener. So `await publish()` still means the hub's own subscribers have heard it (the broker
   * tests pin this), and the reply no longer waits for the device's socket write. The packet is known by
   * its broker counter, which the hub assigns here exactly as aedes would (aedes-packet: `++broker.counter`).
   */
  publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): Promise<void> {
    const broker = this.broker;
    if (!broker || !this.running) return Promise.reject(new HubError('MQTT_UNAVAILABLE', 'the embedded MQTT broker is not running', { retryable: true, details: { sent: false } }));
    if (!isValidTopicName(topic)) return Promise.reject(new HubError('BAD_REQUEST', `not a valid MQTT topic name: ${JSON.stringify(topic)}`));
    const qos = options.qos ?? 1;
    const retain = options.retain ?? false;
    const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    if (retain) this.retained?.admit(HUB_OWNER, topic, bytes, false);
    // Asked before this message takes its counter: whether every earlier one has been handed out.
    const direct = this.nothingToStore(broker, qos, retain);
    const counter = ++(broker as unknown as { counter: number }).counter;
    return new Promise((resolve, reject) => {
      this.pending.add(counter, (err) => {
        if (err) return reject(err);
        if (isCommandPublish(qos, retain)) this.options.onCommand?.();
        resolve();
      });
      // The fields aedes-packet gives a packet, so one emitted at once (emitUnstored) is the packet aedes would emit.
      const packet = {
        cmd: 'publish', brokerId: broker.id, brokerCounter: counter, topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
        qos, retain, dup: false, messageId: undefined,
      } as unknown as AedesPublishPacket;
      const done = (err?: Error | null): void => {
        // Settled already by `emitted` unless aedes failed before handing the message out (its store, closed, too deep).
        this.settle(counter, err ? unavailable(`the embedded MQTT broker could not take the message: ${err.message}`, err) : undefined);
      };
      if (direct) emitUnstored(broker, packet, done);
      else broker.publish(packet, done);
    });
  }

  /**
   * Whether aedes' publish steps before `mq.emit` would do nothing for this message, so it can be handed out
   * at once (emitUnstored): not retained (nothing to store), QoS 0 or no persistent session that could queue it
   * while away (offlineLookup.ts: then the lookup answers "no one" and nothing is enqueued), and no message at
   * all, the hub's or a client's, still in those steps: every counter aedes has given out has been handed out.
   * So none is overtaken and the order of counters stays the order of delivery (an overtaken message would no
   * longer be lost, deliverOvertaken.ts, but would reach a subscriber after a later one). A counter given to a message
   * never handed out (a failed store) only turns this path off. The device command of each utterance takes it:
   * aedes' series of four steps, its state object, the lookup's and the enqueue's promises and their microtask
   * turns are skipped.
   */
  private nothingToStore(broker: Aedes, qos: number, retain: boolean): boolean {
    if (retain || (qos > 0 && this.offline?.persistentClients !== 0)) return false;
    return (broker as unknown as { counter: number }).counter - this.counterBase === this.handedOut;
  }

  /**
   * The hub's publishes not settled yet, by broker counter, oldest first (pendingPublishes.ts): each resolves
   * when called without an error. Were a future aedes to assign its own counter regardless, `emitted` would find
   * nothing here and each publish would settle at aedes' callback, as before. One that aedes holds while
   * maxPendingPublishes later ones are made (handed out or not) is refused: far longer than any delivery takes.
   */
  private readonly pending: PendingPublishes<HubError>;

  private settle(counter: number, err?: HubError): void {
    this.pending.take(counter)?.(err);
  }

  /** The `#` listener of aedes' emitter (see publish()): settles the hub's own message, passes on the rest. */
  private readonly emitted = (packet: AedesPublishPacket, done: () => void): void => {
    this.handedOut++;
    if (this.pending.size > 0) this.settle(packet.brokerCounter);
    done();
  };

  async subscribe(pattern: string, handler: MessageHandler): Promise<() => Promise<void>> {
    const broker = this.broker;
    if (!broker || !this.running) throw new HubError('MQTT_UNAVAILABLE', 'the embedded MQTT broker is not running', { retryable: true });
    if (!isValidTopicFilter(pattern)) throw new HubError('BAD_REQUEST', `not a valid MQTT topic filter: ${JSON.stringify(pattern)}`);
    const log = this.options.log;
    // [MQTT-4.7.2-1] a filter starting with a wildcard does not match topics starting with '$'.
    const skipDollar = pattern.startsWith('+') || pattern.startsWith('#');
    const call = (topic: string, payload: unknown, retain: boolean): void => {
      if (skipDollar && topic.charCodeAt(0) === 36) return;
      try {
        const result = handler(topic, toBuffer(payload), retain) as unknown;
        if (result instanceof Promise) result.catch((err: unknown) => log.error({ err, topic }, 'mqtt message handler failed'));
      } catch (err) {
        log.error({ err, topic }, 'mqtt message handler failed');
      }
    };
    // Live messages: retain is false, as for a network subscriber [MQTT-3.3.1-9].
    const deliver = (packet: AedesPublishPacket, done: () => void): void => {
      call(packet.topic, packet.payload, false);
      done();
    };
    await new Promise<void>((resolve) => broker.subscribe(pattern, deliver, resolve));
    // aedes.subscribe is the raw router and skips retained messages; a new subscriber gets them as a network one would [MQTT-3.3.1-6].
    const store = (broker as unknown as { persistence: RetainedStore }).persistence;
    for await (const packet of store.createRetainedStream(pattern)) call(packet.topic, packet.payload, true);
    let active = true;
    return () => new Promise<void>((resolve) => {
      if (!active || broker.closed) return resolve();
      active = false;
      broker.unsubscribe(pattern, deliver, resolve);
    });
  }

  health(): HealthResult {
    return {
      ok: this.running,
      mode: this.mode,
      port: this.port,
      clients: this.clientCount(),
      users: this.users?.count ?? 0,
      refused: this.auth ? { ...this.auth.refusals } : undefined,
      dropped: { ...this.dropped },
      retained: this.retained ? { messages: this.retained.messages, bytes: this.retained.bytes } : undefined,
    };
  }

  private accept(socket: Socket, broker: Aedes, limiter: RateLimiter): void {
    const address = unmapIPv4(socket.remoteAddress ?? '');
    if (!this.running || !limiter.take(address)) {
      this.dropped.rateLimited++;
      this.options.onRefused?.('rate_limited');
      this.options.log.debug({ address }, 'mqtt connection dropped: over mqtt.connectionsPerSecond');
      socket.destroy();
      return;
    }
    if (this.sockets.size >= (this.options.maxClients ?? DEFAULT_MAX_CLIENTS) && !this.makeRoom(address)) {
      this.options.onRefused?.('max_clients');
      this.options.log.debug({ address }, 'mqtt connection dropped: the broker is at its connection cap');
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    // Devices that lose power mid-session leave half-open sockets; MQTT keepalive 0 would never notice.
    socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
    const large = this.largeTopic;
    let stalled: NodeJS.Timeout | undefined;
    const conn: GuardedConnection = new GuardedConnection(socket, {
      maxPacketBytes: this.options.maxPacketBytes,
      maxBufferedBytes: this.options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
      onProblem: (problem) => this.onProblem(problem, address),
      // Only a client that has logged in, and only while the large packets arriving at once fit the shared
      // budget: a socket that never sent CONNECT, or many clients at once, cannot make the hub hold megabytes.
      ...(large ? {
        large: {
          topic: large.topic, maxBytes: large.maxBytes,
          claim: (bytes: number) => {
            if (this.waiting.has(conn) || this.largeInFlight + bytes > large.maxBytes * LARGE_BUDGET_PACKETS) return false;
            this.largeInFlight += bytes;
            // A client trickling its list byte by byte would hold its share for ever: it has maxMs.
            stalled = setTimeout(() => {
              this.dropped.tooLarge++;
              this.options.onRefused?.('too_large');
              this.options.log.warn({ address }, `mqtt connection closed: its ${large.topic.toString()} packet did not arrive whole within ${large.maxMs} ms`);
              conn.destroy();
            }, large.maxMs);
            stalled.unref();
            return true;
          },
          release: (bytes: number) => {
            clearTimeout(stalled);
            this.largeInFlight -= bytes;
          },
        },
      } : {}),
    });
    this.waiting.set(conn, socket);
    socket.once('close', () => { this.sockets.delete(socket); this.waiting.delete(conn); });
    broker.handle(conn);
  }

  /** Closes the oldest connection that has not logged in yet; false when every connection is a client. */
  private makeRoom(address: string): boolean {
    const oldest = this.waiting.entries().next();
    if (oldest.done) return false;
    const [conn, socket] = oldest.value;
    this.waiting.delete(conn);
    this.sockets.delete(socket);
    socket.destroy();
    this.options.onRefused?.('idle_evicted');
    this.options.log.debug({ address, evicted: socket.remoteAddress }, 'mqtt connection that had not logged in closed to make room');
    return true;
  }

  private onProblem(problem: ConnectionProblem, address: string): void {
    if (problem === 'too-large') this.dropped.tooLarge++;
    else if (problem === 'malformed' || problem === 'bad-string') this.dropped.malformed++;
    else this.dropped.slowConsumer++;
    this.options.onRefused?.(problem === 'too-large' ? 'too_large' : problem === 'slow-consumer' ? 'slow_consumer' : 'malformed');
    const why = problem === 'too-large' ? `packet larger than mqtt.maxPacketBytes (${this.options.maxPacketBytes})${this.largeTopic ? ` (${this.largeTopic.topic.toString()} may be ${this.largeTopic.maxBytes} from a logged-in client)` : ''}`
      : problem === 'malformed' ? 'malformed packet length'
      : problem === 'bad-string' ? 'a topic, filter, client id or user name not UTF-8 or holding U+0000 (MQTT 3.1.1 §1.5.3)'
      : 'slow consumer: too many bytes waiting to be sent';
    this.options.log.warn({ address }, `mqtt connection closed: ${why}`);
  }
}

/**
 * `::` is every address, IPv6 and (as IPv4-mapped) IPv4, so a client on ::1 is served as the default
 * `mqtt.anonymousFrom` expects. A kernel without IPv6 refuses `::`: then all IPv4 addresses, as before.
 */
async function listenDualStack(server: Server, host: string, port: number, log: Logger, signal?: AbortSignal): Promise<void> {
  try {
    await listen(server, host, port, signal);
    // Node fell back to 0.0.0.0 by itself (see listen): say so as below.
    const bound = server.address();
    if (host === '::' && typeof bound === 'object' && bound?.family === 'IPv4') log.info('no IPv6 on this machine; the mqtt listener takes IPv4 only (0.0.0.0)');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (host !== '::' || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw err;
    log.info({ code }, 'no IPv6 on this machine; the mqtt listener takes IPv4 only (0.0.0.0)');
    await listen(server, '0.0.0.0', port, signal);
  }
}

function listen(server: Server, host: string, port: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(err.code === 'EADDRINUSE' || err.code === 'EACCES'
        ? new EnvironmentError('PORT_IN_USE', `mqtt port ${port} is ${err.code === 'EACCES' ? 'not allowed for this user' : 'in use'} (set mqtt.port or VOICEHUB_MQTT_PORT)`, { cause: err, details: { host, port } })
        : err);
    };
    server.once('error', onError);
    // '::' goes without a host: Node then binds '::' itself (IPv6 and IPv4), or 0.0.0.0 where IPv6 is off, with no
    // name lookup: a lookup of '::' compiles Node's IPv6 regular expression, 7-8 ms of a start's CPU here.
    server.listen(host === '::' ? { port, signal } : { host, port, signal }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** True for the 1st, 1,001st, 2,001st… call: which of a stream of like events gets a log line. */
function firstOfEachThousand(): () => boolean {
  let seen = 0;
  return () => seen++ % 1000 === 0;
}

/**
 * aedes' `publish` for a message its store has nothing to do with (EmbeddedBroker.nothingToStore): its packet (the
 * fields aedes-packet gives it, made by publish()), `mq.emit` to every matching subscriber, then the
 * broker's 'publish' event, as aedes' last step does. The topic was checked by the hub (isValidTopicName: at most
 * MAX_TOPIC_LEVELS levels, aedes' own limit). aedes' `published` hook is its default, which the hub never sets.
 */
function emitUnstored(broker: Aedes, packet: AedesPublishPacket, done: (err?: Error | null) => void): void {
  (broker as unknown as { mq: { emit(packet: AedesPublishPacket, cb: (err?: Error | null) => void): void } }).mq.emit(packet, (err) => {
    if (!err) (broker as unknown as NodeJS.EventEmitter).emit('publish', packet, null);
    done(err);
  });
}

/** A hub publish the broker did not hand out: worth trying again (its store may recover, a restart will). */
function unavailable(message: string, cause?: Error): HubError {
  return new HubError('MQTT_UNAVAILABLE', message, { retryable: true, ...(cause ? { cause } : {}) });
}

function toBuffer(payload: unknown): Buffer {
  return Buffer.isBuffer(payload) ? payload : Buffer.from(String(payload ?? ''));
}
