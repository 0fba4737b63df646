import type { Device } from './model.js';
import { nameKeys } from './names.js';
import { kindOf } from './kinds/index.js';

/** Every topic a device listens on: state, per-feature state topics, attributes, availability. */
export function topicsOf(device: Device): string[] {
  const b = device.mqtt;
  const topics = [
    b.stateTopic, b.brightnessStateTopic, b.positionTopic, b.currentTemperatureTopic, b.temperatureStateTopic,
    b.modeStateTopic, b.percentageStateTopic, b.jsonAttributesTopic, ...(b.availability ?? []).map((a) => a.topic),
    ...(kindOf(device.type)?.extraTopics?.(b).state ?? []),
  ];
  const out = new Set<string>();
  // A topic with a wildcard cannot be a published topic; subscribing to it would match others.
  for (const t of topics) if (t && !t.includes('+') && !t.includes('#')) out.add(t);
  return [...out];
}

/**
 * Exact topic → the devices listening on it, so a message is routed with one Map lookup instead of a scan
 * of every device. Several devices can share a topic (one Zigbee2MQTT device's sensors; Tasmota's STATE).
 */
export class TopicIndex {
  private readonly byTopic = new Map<string, Device[]>();

  /** Returns the topics that had no listener before. */
  add(device: Device): string[] {
    const fresh: string[] = [];
    for (const topic of topicsOf(device)) {
      const list = this.byTopic.get(topic);
      if (list) {
        if (!list.includes(device)) list.push(device);
      } else {
        this.byTopic.set(topic, [device]);
        fresh.push(topic);
      }
    }
    return fresh;
  }

  /** Returns the topics nobody listens on any more. */
  remove(device: Device): string[] {
    const gone: string[] = [];
    for (const topic of topicsOf(device)) {
      const list = this.byTopic.get(topic);
      if (!list) continue;
      const kept = list.filter((d) => d !== device);
      if (kept.length > 0) this.byTopic.set(topic, kept);
      else {
        this.byTopic.delete(topic);
        gone.push(topic);
      }
    }
    return gone;
  }

  get(topic: string): readonly Device[] | undefined {
    return this.byTopic.get(topic);
  }

  topics(): IterableIterator<string> {
    return this.byTopic.keys();
  }
}

/** Normalised name or alias → device ids. */
export class NameIndex {
  private readonly byName = new Map<string, Set<string>>();
  private readonly keysOf = new Map<string, string[]>();

  add(device: Device): void {
    const keys = nameKeys(device.name, device.aliases);
    this.keysOf.set(device.id, keys);
    for (const key of keys) {
      const ids = this.byName.get(key) ?? new Set<string>();
      ids.add(device.id);
      this.byName.set(key, ids);
    }
  }

  remove(id: string): void {
    for (const key of this.keysOf.get(id) ?? []) {
      const ids = this.byName.get(key);
      ids?.delete(id);
      if (ids && ids.size === 0) this.byName.delete(key);
    }
    this.keysOf.delete(id);
  }

  get(key: string): ReadonlySet<string> | undefined {
    return this.byName.get(key);
  }
}

/**
 * Every topic the hub publishes a command to for this device (devices/commands.ts): command_topic and the
 * per-feature command topics; for a Zigbee2MQTT device its commandTopic is `<base>/<friendly_name>/set`.
 */
export function commandTopicsOf(device: Device): string[] {
  const b = device.mqtt;
  const out = new Set<string>();
  const own = kindOf(device.type)?.extraTopics?.(b).command ?? [];
  for (const t of [b.commandTopic, b.brightnessCommandTopic, b.setPositionTopic, b.temperatureCommandTopic, b.modeCommandTopic, b.percentageCommandTopic, ...own]) {
    if (t && !t.includes('+') && !t.includes('#')) out.add(t);
  }
  return [...out];
}

/**
 * The known devices' command topics, counted (several entities of one Zigbee2MQTT device share `…/set`), so
 * the broker can ask "is this a device's command topic?" once per publish with a Map lookup.
 */
export class CommandTopicIndex {
  private readonly counts = new Map<string, number>();

  add(device: Device): void {
    for (const topic of commandTopicsOf(device)) this.counts.set(topic, (this.counts.get(topic) ?? 0) + 1);
  }

  remove(device: Device): void {
    for (const topic of commandTopicsOf(device)) {
      const n = this.counts.get(topic) ?? 0;
      if (n <= 1) this.counts.delete(topic);
      else this.counts.set(topic, n - 1);
    }
  }

  /**
   * The topic commands a known device: one of its command topics, or below a Zigbee2MQTT-style `…/set`
   * one, as Zigbee2MQTT also takes `<base>/<friendly_name>/set/<attribute>` (e.g. `…/set/state` `ON`).
   */
  covers(topic: string): boolean {
    if (this.counts.has(topic)) return true;
    const slash = topic.lastIndexOf('/');
    if (slash < 4) return false;
    return topic.startsWith('/set', slash - 4) && this.counts.has(topic.slice(0, slash));
  }

  get size(): number {
    return this.counts.size;
  }
}
