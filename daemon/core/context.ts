import type { Registry } from 'prom-client';
import type { HubConfig } from '../config/schema.js';
import type { Logger } from './log.js';
import type { EventBus } from './bus.js';

/**
 * The one context object handed to every subsystem (STYLE §2): no singletons, no long argument lists.
 * Tests build their own with real parts in a temp dir.
 */
export interface HubContext {
  readonly config: HubConfig;
  readonly log: Logger;
  readonly bus: EventBus;
  readonly metrics: Registry;
  readonly health: HealthChecks;
  readonly clock: Clock;
  /** Set once storage has started; subsystems started after it may use it. */
  store: Store;
  /** Set once the MQTT subsystem has started (embedded broker or external client). */
  mqtt: MqttTransport;
}

/** A subsystem of the hub. The constructor only assigns; sockets, timers and listeners live between start and stop. */
export interface Subsystem {
  readonly name: string;
  start(signal: AbortSignal): Promise<void>;
  /**
   * A front door's drain phase: take no new work and let what is in flight finish. The lifecycle runs it
   * for every started subsystem that has one before it stops any, so the work still has its plugins.
   */
  drain?(): Promise<void>;
  stop(): Promise<void>;
}

export interface Clock {
  now(): number;
  /** Milliseconds that never step back or jump with the wall clock (performance.now); without it, now(). */
  monotonic?(): number;
  setTimeout(fn: () => void, ms: number): NodeJS.Timeout;
  clearTimeout(handle: NodeJS.Timeout): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};

/** A persisted JSON document in the data dir: kept in memory, written at most once per flush interval. */
export interface Collection<T> {
  readonly name: string;
  /** The live data; mutate it, then call markDirty(). */
  data: T;
  markDirty(): void;
  /** Writes now if dirty (used on stop and by tests). */
  flush(): Promise<void>;
  /**
   * Calls `listener` as each write takes its copy of `data` (synchronously: nothing changes in between); the
   * function it returns runs once that write is on disk. How an owner learns what is durable (the outbox).
   */
  onWrite?(listener: () => (() => void) | void): void;
}

export interface Store {
  /**
   * Opens (loading or recovering) the named collection; the same object for the same name (the options of its
   * first opening hold). `atOnce: false`: its first change after a quiet spell waits one flush interval too.
   */
  collection<T>(name: string, defaults: () => T, options?: { atOnce?: boolean }): Promise<Collection<T>>;
  flushAll(): Promise<void>;
  /** Completed file writes since start: the coalescing tests and the benchmarks read it. */
  readonly writes: number;
}

export interface HealthResult {
  ok: boolean;
  /** A failing critical check that the hub runs on through (a full or read-only disk): `degraded`, not `down`. */
  degraded?: boolean;
  [detail: string]: unknown;
}

/** Named checks answered from cached values: /health never waits on I/O. */
export interface HealthChecks {
  /** A non-critical check that fails makes the hub `degraded` (200); a critical one makes it `down` (503). */
  register(name: string, check: () => HealthResult, options?: { critical?: boolean }): void;
  unregister(name: string): void;
}

export interface PublishOptions {
  qos?: 0 | 1 | 2;
  retain?: boolean;
}

export type MessageHandler = (topic: string, payload: Buffer, retain: boolean) => void;

/**
 * What the rest of the hub sees of MQTT, whichever broker is behind it (embedded aedes or an external
 * one through mqtt.js). Only daemon/mqtt/ knows which.
 */
export interface MqttTransport {
  readonly mode: 'embedded' | 'external';
  readonly connected: boolean;
  /** Resolves once the broker has the message (QoS 1: acknowledged); queued while disconnected. */
  publish(topic: string, payload: string | Buffer, options?: PublishOptions): Promise<void>;
  /** Subscribes to a pattern (MQTT wildcards); returns the function that unsubscribes. */
  subscribe(pattern: string, handler: MessageHandler): Promise<() => Promise<void>>;
  /** Connected MQTT clients (embedded: broker clients; external: 1 when connected). */
  clientCount(): number;
}
