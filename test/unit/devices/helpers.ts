import { readFile } from 'node:fs/promises';
import type { Clock, Collection } from '../../../daemon/core/context.js';
import { EventBus } from '../../../daemon/core/bus.js';
import type { HubEvents } from '../../../daemon/core/events.js';
import { silentLogger } from '../../../daemon/core/log.js';
import type { Device } from '../../../devices/model.js';

// dist/test/unit/devices/ → the repository root, where the fixtures stay as JSON.
const FIXTURES = new URL('../../../../test/fixtures/devices/', import.meta.url);

export interface HaFixture { topic: string; payload: Record<string, unknown> }

let haFixtures: Record<string, HaFixture> | undefined;

export async function haFixture(name: string): Promise<{ topic: string; payload: Buffer; json: Record<string, unknown> }> {
  haFixtures ??= JSON.parse(await readFile(new URL('haDiscovery.json', FIXTURES), 'utf8')) as Record<string, HaFixture>;
  const f = haFixtures[name];
  if (!f) throw new Error(`no fixture ${name}`);
  return { topic: f.topic, payload: Buffer.from(JSON.stringify(f.payload)), json: structuredClone(f.payload) };
}

export async function bridgeDevicesPayload(): Promise<Buffer> {
  return readFile(new URL('z2mBridgeDevices.json', FIXTURES));
}

/** A Collection that keeps its data in memory and counts markDirty calls (storage itself is tested elsewhere). */
export class MemoryCollection<T> implements Collection<T> {
  dirtyCount = 0;
  flushes = 0;
  constructor(readonly name: string, public data: T) {}
  markDirty(): void {
    this.dirtyCount++;
  }
  async flush(): Promise<void> {
    this.flushes++;
  }
}

export class ManualClock implements Clock {
  constructor(public time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): NodeJS.Timeout {
    return setTimeout(fn, ms);
  }
  clearTimeout(handle: NodeJS.Timeout): void {
    clearTimeout(handle);
  }
}

/** A real bus that records every device event it carries. */
export function recordingBus(): { bus: EventBus; events: Array<{ name: keyof HubEvents; payload: unknown }> } {
  const bus = new EventBus(silentLogger());
  const events: Array<{ name: keyof HubEvents; payload: unknown }> = [];
  const owner = {};
  for (const name of ['device.state', 'device.availability', 'device.added', 'device.removed', 'device.changed'] as const) {
    bus.on(name, owner, (payload) => {
      events.push({ name, payload });
    });
  }
  return { bus, events };
}

/** A minimal device for command and parser tests. */
export function device(partial: Partial<Device> & Pick<Device, 'type'>): Device {
  return {
    id: partial.id ?? 'dev1',
    name: partial.name ?? 'Test device',
    aliases: [],
    capabilities: [],
    source: 'config',
    mqtt: { schema: 'default' },
    state: {},
    available: null,
    lastSeen: null,
    ...partial,
  };
}

export const buf = (s: string) => Buffer.from(s);
