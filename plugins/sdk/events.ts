import type { PluginLogger } from './logger.js';

/** A device reported new state. Needs `devices:read`. */
export interface DeviceStateEvent {
  deviceId: string;
  state: Readonly<Record<string, unknown>>;
  /** Keys that changed in this update. */
  changed: readonly string[];
  ts: number;
}

/** A device went online or offline. Needs `devices:read`. */
export interface DeviceAvailabilityEvent {
  deviceId: string;
  available: boolean;
  ts: number;
}

/** A device was added to, removed from or changed in the registry. Needs `devices:read`. */
export interface DeviceListEvent {
  deviceId: string;
  ts: number;
}

/** The hub events a plugin may listen to, with their payloads. */
export interface PluginEvents {
  'device.state': DeviceStateEvent;
  'device.availability': DeviceAvailabilityEvent;
  'device.added': DeviceListEvent;
  'device.removed': DeviceListEvent;
  'device.changed': DeviceListEvent;
}

export type PluginEventName = keyof PluginEvents;

/** Context of one event delivery. */
export interface EventContext {
  log: PluginLogger;
}

export type EventHandler<K extends PluginEventName> = (payload: PluginEvents[K], ctx: EventContext) => void | Promise<void>;

export type EventHandlers = { [K in PluginEventName]?: EventHandler<K> };
