import type { MessageHandler } from '../core/context.js';

/**
 * The hub's own subscriptions on an external broker: which handlers want which incoming topic. mqtt.js
 * hands every message to one 'message' event, so the transport dispatches here. Filters without
 * wildcards (most device state topics) are one Map lookup; wildcard filters are kept pre-split and matched
 * level by level (MQTT 3.1.1 §4.7), with the topic split once per message.
 */
interface WildcardEntry {
  filter: string;
  levels: string[];
  skipDollar: boolean;
  handlers: Set<MessageHandler>;
}

export class SubscriptionIndex {
  private readonly exact = new Map<string, Set<MessageHandler>>();
  private readonly wildcards = new Map<string, WildcardEntry>();

  /** Adds a handler; true when the filter is new (the broker must be told). */
  add(filter: string, handler: MessageHandler): boolean {
    if (!filter.includes('+') && !filter.includes('#')) {
      const set = this.exact.get(filter);
      if (set) {
        set.add(handler);
        return false;
      }
      this.exact.set(filter, new Set([handler]));
      return true;
    }
    const entry = this.wildcards.get(filter);
    if (entry) {
      entry.handlers.add(handler);
      return false;
    }
    this.wildcards.set(filter, { filter, levels: filter.split('/'), skipDollar: filter[0] === '+' || filter[0] === '#', handlers: new Set([handler]) });
    return true;
  }

  /** Removes a handler; true when no handler is left for the filter (the broker may be told to unsubscribe). */
  remove(filter: string, handler: MessageHandler): boolean {
    const set = this.exact.get(filter) ?? this.wildcards.get(filter)?.handlers;
    if (!set || !set.delete(handler)) return false;
    if (set.size > 0) return false;
    this.exact.delete(filter);
    this.wildcards.delete(filter);
    return true;
  }

  /** Every filter with at least one handler (for resubscribing after a reconnect). */
  filters(): string[] {
    return [...this.exact.keys(), ...this.wildcards.keys()];
  }

  get size(): number {
    return this.exact.size + this.wildcards.size;
  }

  /**
   * Calls the handlers of every filter that matches the topic. A handler subscribed under two overlapping
   * filters is called once for each, as the embedded broker's router does, so both modes behave alike.
   */
  dispatch(topic: string, payload: Buffer, retain: boolean, call: (handler: MessageHandler, topic: string, payload: Buffer, retain: boolean) => void): void {
    const direct = this.exact.get(topic);
    if (direct) for (const handler of direct) call(handler, topic, payload, retain);
    if (this.wildcards.size === 0) return;
    const levels = topic.split('/');
    const dollar = topic.charCodeAt(0) === 36;
    for (const entry of this.wildcards.values()) {
      // [MQTT-4.7.2-1] wildcards at the first level do not match topics starting with '$'.
      if ((dollar && entry.skipDollar) || !matchLevels(entry.levels, levels)) continue;
      for (const handler of entry.handlers) call(handler, topic, payload, retain);
    }
  }
}

function matchLevels(filter: string[], topic: string[]): boolean {
  for (let i = 0; i < filter.length; i++) {
    const f = filter[i];
    if (f === '#') return true; // matches the parent level too [MQTT-4.7.1-2]
    if (i >= topic.length) return false;
    if (f !== '+' && f !== topic[i]) return false;
  }
  return filter.length === topic.length;
}
