import type { Capability, MqttBinding } from './model.js';
import { str } from './discoveryFields.js';
import { DEVICE_TYPES, kindOf } from './kinds/index.js';

/**
 * Per-component reading of a Home Assistant discovery config (keys already expanded to their full names and
 * `~` already replaced): the binding the state parser and command translator need, the capabilities, and
 * the required-topic checks. Field names and defaults follow the HA MQTT integration pages of each platform;
 * each platform's own fields are read by its kind module (devices/kinds/<kind>.ts).
 */

export const SUPPORTED_COMPONENTS: ReadonlySet<string> = new Set<string>(DEVICE_TYPES);

export type ComponentResult =
  | { ok: true; binding: MqttBinding; capabilities: Capability[] }
  | { ok: false; code: 'DISCOVERY_INVALID' | 'COMPONENT_UNSUPPORTED'; reason: string };

type Config = Record<string, unknown>;

export { num, str } from './discoveryFields.js';

/** Drops undefined fields so bindings persist small and compare cleanly. */
function compact(b: MqttBinding): MqttBinding {
  // A fresh object, not `delete`: deleting keys turns every binding into a dictionary-mode object (~1 KB each).
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(b)) if (value !== undefined) out[key] = value;
  return out as unknown as MqttBinding;
}

/** The fields every platform shares; the kind's module (devices/kinds/) reads the rest. */
export function readComponent(component: string, c: Config): ComponentResult {
  const kind = kindOf(component);
  if (!kind) return { ok: false, code: 'COMPONENT_UNSUPPORTED', reason: `component "${component}" is not supported` };
  const b: MqttBinding = {
    schema: 'default',
    commandTopic: str(c.command_topic),
    stateTopic: str(c.state_topic),
    // HA lights and fans call it state_value_template; the other platforms value_template.
    valueTemplate: str(c.value_template) ?? str(c.state_value_template),
    jsonAttributesTopic: str(c.json_attributes_topic),
    jsonAttributesTemplate: str(c.json_attributes_template),
    commandTemplate: str(c.command_template),
  };
  const caps: Capability[] = [];
  const refused = kind.readDiscovery(c, b, caps);
  if (refused) return { ok: false, ...refused };
  return { ok: true, binding: compact(b), capabilities: caps };
}

/** Every template field of a binding, so discovery can compile (and reject) them up front. */
export function bindingTemplates(b: MqttBinding): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(b)) {
    if (typeof value === 'string' && /Template$/.test(key)) out.push(value);
  }
  for (const a of b.availability ?? []) if (a.valueTemplate) out.push(a.valueTemplate);
  return out;
}
