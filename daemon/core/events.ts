/**
 * Every event on the hub's bus, with its payload. Producers and consumers import these types only,
 * never each other.
 */
export interface DeviceStateEvent {
  deviceId: string;
  state: Record<string, unknown>;
  /** Keys that changed in this update. */
  changed: string[];
  ts: number;
}

export interface DeviceAvailabilityEvent {
  deviceId: string;
  available: boolean;
  ts: number;
}

export interface DeviceListEvent {
  deviceId: string;
  ts: number;
}

export interface VoiceInteractionEvent {
  traceId: string;
  clientId: string;
  text: string;
  outcome: string;
  intent?: string;
  handledBy?: string;
  ms: number;
  ts: number;
}

export interface SpeakEvent {
  /** The voice session (connection) to speak to; with neither this nor clientId: every connected client. */
  sessionId?: string;
  /**
   * The client (token subject) to speak to when that session is gone: a timer set before a restart or a
   * reconnect still reaches the satellite that asked.
   */
  clientId?: string;
  text: string;
  source: string;
}

/** A plugin call that threw, rejected or timed out (counted in voicehub_plugin_failures_total). */
export interface PluginFailureEvent {
  plugin: string;
  code: string;
  /** Which call: an intent handler, a hook, a job. */
  what: string;
  ts: number;
}

export interface HubEvents {
  'device.state': DeviceStateEvent;
  'device.availability': DeviceAvailabilityEvent;
  'device.added': DeviceListEvent;
  'device.removed': DeviceListEvent;
  'device.changed': DeviceListEvent;
  'voice.interaction': VoiceInteractionEvent;
  'voice.speak': SpeakEvent;
  'plugin.failure': PluginFailureEvent;
}
