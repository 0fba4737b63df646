import type { MqttTransport } from '../daemon/core/context.js';
import type { Logger } from '../daemon/core/log.js';
import type { DeviceRegistry } from './registry.js';

export interface DeviceSubscriptionsOptions {
  registry: DeviceRegistry;
  transport: MqttTransport;
  log: Logger;
}

/**
 * Keeps the transport's subscriptions equal to `registry.subscriptions()`: the discovery prefix and the
 * Zigbee2MQTT base as wildcards, plus each state topic outside them (ESPHome's `<node>/sensor/…/state`,
 * Tasmota's `tele/…`), added and dropped as devices come and go. Every message goes to
 * `registry.handleMessage`. Changes are applied one at a time, in order.
 */
export class DeviceSubscriptions {
  private readonly active = new Map<string, () => Promise<void>>();
  private queue: Promise<void> = Promise.resolve();
  private unwatch: (() => void) | null = null;
  private running = false;
  /** A sync queued but not started yet: later changes fold into it (one sync reads the whole list). */
  private pending: Promise<void> | null = null;
  private readonly handler = (topic: string, payload: Buffer, retain: boolean) => this.options.registry.handleMessage(topic, payload, retain);

  constructor(private readonly options: DeviceSubscriptionsOptions) {}

  async start(): Promise<void> {
    this.running = true;
    this.unwatch = this.options.registry.watchTopics(() => void this.schedule());
    await this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unwatch?.();
    this.unwatch = null;
    await this.queue;
    const all = [...this.active.values()];
    this.active.clear();
    await Promise.all(all.map((unsubscribe) => unsubscribe().catch((err: unknown) => this.options.log.warn({ err }, 'unsubscribe failed'))));
  }

  /** The patterns subscribed right now (for tests and diagnostics). */
  patterns(): string[] {
    return [...this.active.keys()];
  }

  /** Resolves once every change scheduled so far has been applied. */
  settled(): Promise<void> {
    return this.queue;
  }

  private schedule(): Promise<void> {
    // One sync per change made a flood of N announcements cost N syncs over N topics each.
    if (this.pending) return this.pending;
    this.pending = this.queue = this.queue.then(() => {
      this.pending = null;
      return this.sync();
    });
    return this.queue;
  }

  private async sync(): Promise<void> {
    if (!this.running) return;
    const { registry, transport, log } = this.options;
    const wanted = new Set(registry.subscriptions());
    for (const pattern of wanted) {
      if (this.active.has(pattern)) continue;
      try {
        this.active.set(pattern, await transport.subscribe(pattern, this.handler));
      } catch (err) {
        log.error({ err, pattern }, 'device subscription failed');
      }
    }
    for (const [pattern, unsubscribe] of this.active) {
      if (wanted.has(pattern)) continue;
      this.active.delete(pattern);
      await unsubscribe().catch((err: unknown) => log.warn({ err, pattern }, 'unsubscribe failed'));
    }
  }
}
