import type { Logger } from './log.js';
import type { HubEvents } from './events.js';

type Listener<T> = (payload: T) => void | Promise<void>;
interface Entry { owner: object; listener: Listener<never> }

/**
 * A typed in-process event bus. Listeners are grouped by owner so a subsystem or plugin can drop all of
 * its listeners at once (`removeListeners(owner)`), and each listener is wrapped: one that throws or
 * rejects is logged and the others still run (Zigbee2MQTT's eventBus does the same).
 */
export class EventBus {
  private readonly listeners = new Map<keyof HubEvents, Entry[]>();

  constructor(private readonly log: Logger) {}

  on<K extends keyof HubEvents>(event: K, owner: object, listener: Listener<HubEvents[K]>): void {
    const list = this.listeners.get(event) ?? [];
    list.push({ owner, listener: listener as Listener<never> });
    this.listeners.set(event, list);
  }

  removeListeners(owner: object): void {
    for (const [event, list] of this.listeners) {
      const kept = list.filter((e) => e.owner !== owner);
      if (kept.length === 0) this.listeners.delete(event);
      else this.listeners.set(event, kept);
    }
  }

  listenerCount(event: keyof HubEvents): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  emit<K extends keyof HubEvents>(event: K, payload: HubEvents[K]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (const { owner, listener } of list) {
      try {
        const result = (listener as Listener<HubEvents[K]>)(payload);
        if (result && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((err: unknown) => this.report(event, owner, err));
        }
      } catch (err) {
        this.report(event, owner, err);
      }
    }
  }

  private report(event: keyof HubEvents, owner: object, err: unknown): void {
    const ownerName = (owner as { name?: unknown }).name ?? owner.constructor?.name;
    this.log.error({ err, event, owner: ownerName }, 'event listener failed');
  }
}
