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
  /** The voice session (connection) to speak to; undefined: every connected client. */
  sessionId?: string;
  text: string;
  source: string;
}

export interface HubEvents {
  'device.state': DeviceStateEvent;
  'device.availability': DeviceAvailabilityEvent;
  'device.added': DeviceListEvent;
  'device.removed': DeviceListEvent;
  'device.changed': DeviceListEvent;
  'voice.interaction': VoiceInteractionEvent;
  'voice.speak': SpeakEvent;
  'hub.stopping': { ts: number };
}
