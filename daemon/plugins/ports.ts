import type { Device, DeviceCommand } from '../../devices/model.js';
import type { DecidedTargets, IntentRequest, SentenceSet } from '../../plugins/sdk/intents.js';
import type { SystemStatus } from '../../plugins/sdk/api.js';
import type { DeviceCapability as SdkCapability, DeviceCommand as SdkDeviceCommand, DeviceType as SdkDeviceType } from '../../plugins/sdk/devices.js';
import type { PluginEventName, PluginEvents } from '../../plugins/sdk/events.js';
import type { HubEvents } from '../core/events.js';

/**
 * What the plugin host needs from the device layer. The lead supplies it from the device registry and
 * `translateCommand` + the MQTT transport; tests build one from real devices/ pieces. Device events are
 * not part of it: they arrive on ctx.bus (`device.state`, `device.availability`, …) like every hub event.
 */
export interface DeviceAccess {
  list(): readonly Device[];
  get(id: string): Device | undefined;
  /**
   * Translates and publishes a command. Rejects with DEVICE_NOT_FOUND, DEVICE_UNSUPPORTED or
   * VALUE_OUT_OF_RANGE before anything is published, or MQTT_UNAVAILABLE.
   */
  command(id: string, command: DeviceCommand, options: { traceId?: string; source: string }): Promise<void>;
}

/**
 * What the intent engine found for a request: what it handed the request's handler (`request.targets`), plus
 * a question's answer from the devices' state now; the plugin API adds the devices' views (the SDK's Targets).
 */
export type EngineTargets = DecidedTargets & { readonly answer: string };

/** What the plugin host needs from the local intent engine (daemon/intents), through daemon/pipeline/engineAdapter.ts. */
export interface IntentEnginePort {
  /**
   * The devices a matched request targets. Throws a HubError (DEVICE_NOT_FOUND, DEVICE_AMBIGUOUS,
   * DEVICE_UNSUPPORTED, VALUE_OUT_OF_RANGE) whose message is the reply to say, in the request's language.
   */
  resolve(request: IntentRequest): EngineTargets;
  /** Renders one of the engine's shared response templates; null when it has no such key. */
  respond(key: string, vars: Record<string, unknown>, lang: string): string | null;
  /**
   * The shared response templates themselves, by language (`{ en: { turned_on: 'Turned on {target}.' } }`):
   * an isolated plugin renders them in its own process, where `respond` must answer at once.
   */
  responseTemplates?(): Record<string, Record<string, string>>;
  /**
   * Adds sentence templates (before the engine serves requests); throws PLUGIN_MANIFEST_INVALID for a bad one.
   * `trusted` (the hub's own plugins): compiled at the first match or the warm-up after `listening` instead.
   */
  addSentences(set: SentenceSet, owner: string, options?: { trusted?: boolean }): void;
  /** Drops every sentence an owner added (a plugin whose sentences were refused part-way). */
  removeOwner(owner: string): void;
}

/** The read-only system figures (daemon/health/systemSampler.ts has `latest()`). */
export interface SystemSampleProvider {
  latest(): SystemStatus;
}

// The SDK's device types mirror devices/model.ts for plugin authors; these lines stop compiling if they drift.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const SDK_MATCHES_MODEL: Same<SdkDeviceCommand, DeviceCommand> & Same<SdkDeviceType, Device['type']> & Same<SdkCapability, Device['capabilities'][number]> = true;

// The SDK's event payloads mirror daemon/events.ts (read-only for plugins): every payload the bus carries
// must fit the type a plugin handler is promised. This stops compiling if one drifts.
type Fits<A, B> = [A] extends [B] ? true : false;
export const SDK_EVENTS_FIT_BUS: { [K in PluginEventName]: Fits<HubEvents[K], PluginEvents[K]> } = {
  'device.state': true, 'device.availability': true, 'device.added': true, 'device.removed': true, 'device.changed': true,
};
