/**
 * The names people say for devices that named themselves. Firmware announces names the way Home Assistant
 * joins them, device name then entity name ("Office node Desk lamp", "kitchen-esp Kitchen Light",
 * "Tasmota Hall Fan", "Bedroom sensor Temperature"), and a Zigbee2MQTT lock whose entity takes the device's
 * name is "Front door lock". Nobody says those: they say "the desk lamp", "the hall fan", "the front door",
 * "the bedroom temperature". From each discovered device this derives
 *
 * - spoken aliases: the entity name alone; the device name without node words (esp, node, tasmota…) and
 *   without its kind word ("lock", "sensor") followed by the entity name; the whole name without node and
 *   kind words. A derived alias is kept only when no other device has or derives it (unambiguous) and it
 *   is not a room, a type word or a measurement on its own ("Temperature" alone means the reading);
 * - the short name replies use: the first of those aliases that still says what the device is (the kind
 *   word goes only where the verb says it: locks and sensors), else the name as announced;
 * - an area when the device has none: the first words of its name when they are a room
 *   ("Bedroom sensor" → bedroom), as Home Assistant users expect from `suggested_area`.
 *
 * Devices from `devices:` in the config, and names users chose (`nameChosen`), are kept exactly as given.
 */
import type { Device } from '../../devices/model.js';
import { staticLists } from './lists.js';
import { nameTokens } from './normalize.js';
import { AREA_WORDS } from './sentences/lexicon.js';
import { TYPE_WORDS } from './sentences/lists.js';

export interface SpokenName {
  /** The name replies say. */
  name: string;
  /** Derived aliases, to add after the device's own. */
  aliases: string[];
  /** An area read from the name, when the device has none. */
  area?: string;
}

/**
 * Words firmware puts in node and device names that nobody says: the firmware or board ("esp", "esp32",
 * "tasmota", "shelly", "sonoff"), and "node" (ESPHome's examples name nodes "<room>-node").
 */
const NODE_WORDS = new Set([
  'esp', 'esp8266', 'esp32', 'esp32c3', 'esp32s2', 'esp32s3', 'esphome', 'node', 'tasmota', 'sonoff', 'shelly',
  'zigbee', 'z2m', 'zigbee2mqtt', 'wled', 'openbeken', 'tuya', 'device', 'module',
]);
/** A hex address (Zigbee IEEE "0x00158d…", a MAC "8C4B14…") is not a word either. */
const ADDRESS = /^(0x)?[0-9a-f]{6,}$/i;

/** Single-word type words per device type ("lock", "lamp", "sensor"). */
const KIND_WORDS: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const out = new Map<string, Set<string>>();
  for (const group of TYPE_WORDS) {
    for (const domain of group.domains) {
      const words = out.get(domain) ?? new Set<string>();
      for (const w of [...group.one, ...group.many]) if (/^[a-z]+$/.test(w)) words.add(w);
      out.set(domain, words);
    }
  }
  return out;
})();

const AREA_FORMS: readonly string[] = AREA_WORDS.flatMap(([en]) => en);

function words(text: string): string[] {
  return text.split(/[\s\-_/.]+/u).filter((w) => w.length > 0);
}

/** Drops node words and addresses; then one trailing kind word of the device's type, if words remain. */
function clean(ws: readonly string[], type: string, dropKind: boolean): string[] {
  const out: string[] = [];
  for (const w of ws) {
    if (NODE_WORDS.has(w.toLowerCase()) || ADDRESS.test(w)) continue;
    // "kitchen-esp Kitchen Light" without "esp" would say kitchen twice.
    if (out.length > 0 && out[out.length - 1].toLowerCase() === w.toLowerCase()) continue;
    out.push(w);
  }
  const last = out[out.length - 1]?.toLowerCase();
  if (dropKind && out.length > 1 && last !== undefined && KIND_WORDS.get(type)?.has(last)) out.pop();
  return out;
}

/** A key under which names are compared: the tokens the matcher sees. */
function key(text: string): string {
  return nameTokens(text).join(' ');
}

/** Whether a form on its own means something other than one device: a room, a type word, a measurement. */
function meansSomethingElse(form: string, areaKeys: ReadonlySet<string>): boolean {
  const tokens = nameTokens(form);
  if (tokens.length === 0) return true;
  const k = tokens.join(' ');
  return areaKeys.has(k) || staticLists.get('type')?.get(tokens) !== undefined || staticLists.get('measurement')?.get(tokens) !== undefined
    || tokens.every((t) => /^\d/.test(t));
}

/** Types whose entity names are actions (HA button device classes: restart, identify, update). */
const ACTION_NAMED = new Set(['button']);

/** Types whose kind word the verb already says ("lock the front door", "what's the bedroom temperature"). */
const KIND_IMPLIED = new Set(['lock', 'sensor', 'binary_sensor']);

interface Candidate { form: string; display: boolean }

/** Candidate spoken forms of one discovered device, best first; `display`: fit to be the reply's name. */
function candidates(device: Device): Candidate[] {
  const full = device.name;
  const deviceName = device.deviceName;
  const fullWords = words(full);
  const out: Candidate[] = [];
  // Zigbee2MQTT groups friendly names with '/': "living_room/desk_lamp" is the desk lamp (in the living room).
  if (full.includes('/')) out.push({ form: words(full.slice(full.lastIndexOf('/') + 1)).join(' '), display: true });
  let entityWords: string[] = [];
  if (deviceName && full.toLowerCase().startsWith(deviceName.toLowerCase() + ' ')) entityWords = words(full.slice(deviceName.length + 1));
  const deviceWords = deviceName ? clean(words(deviceName), device.type, true) : [];
  if (entityWords.length > 0) {
    // A button's entity name says what it does ("Restart", "Identify"), not what it belongs to: said alone it
    // still works, but the reply names the device too ("Pressed the router restart.").
    out.push({ form: entityWords.join(' '), display: !ACTION_NAMED.has(device.type) });
    const entity = entityWords.join(' ').toLowerCase();
    const prefix = deviceWords.join(' ');
    if (prefix && !entity.startsWith(prefix.toLowerCase())) out.push({ form: `${prefix} ${entityWords.join(' ')}`, display: true });
  }
  const noNode = clean(fullWords, device.type, false);
  if (noNode.length > 0) out.push({ form: noNode.join(' '), display: true });
  // Without the kind word: an alias always, the reply's name only where the verb says the kind.
  const whole = clean(fullWords, device.type, true);
  if (whole.length > 0) out.push({ form: whole.join(' '), display: KIND_IMPLIED.has(device.type) });
  return out.filter((c) => c.form.length > 0 && key(c.form) !== key(full));
}

/** The room a name starts with, among the known rooms and the common room words. */
function areaFromName(name: string, areaKeys: ReadonlyMap<string, string>): string | undefined {
  const tokens = nameTokens(name).filter((t) => !NODE_WORDS.has(t) && !ADDRESS.test(t));
  for (let n = Math.min(3, tokens.length - 1); n >= 1; n--) {
    const found = areaKeys.get(tokens.slice(0, n).join(' '));
    if (found) return found;
  }
  return undefined;
}

/**
 * Spoken names for every discovered device, keyed by id. `areas` are the configured rooms' names and
 * aliases; rooms other devices are in count too.
 */
export function spokenNames(devices: readonly Device[], areas: readonly string[] = []): Map<string, SpokenName> {
  const areaByKey = new Map<string, string>();
  for (const a of [...areas, ...devices.map((d) => d.area).filter((a): a is string => !!a), ...AREA_FORMS]) {
    const k = key(a);
    if (k && !areaByKey.has(k)) areaByKey.set(k, a);
  }
  const areaKeys = new Set(areaByKey.keys());
  // Who has or derives each key: a name or alias taken as given counts against every derived one.
  const owners = new Map<string, Set<string>>();
  const claim = (k: string, id: string) => {
    if (!k) return;
    const set = owners.get(k) ?? new Set<string>();
    set.add(id);
    owners.set(k, set);
  };
  const derived = new Map<string, Candidate[]>();
  for (const d of devices) {
    for (const n of [d.name, ...d.aliases]) claim(key(n), d.id);
    if (d.source === 'config' || d.nameChosen) continue;
    const forms = candidates(d).filter((c) => !meansSomethingElse(c.form, areaKeys));
    derived.set(d.id, forms);
    for (const c of forms) claim(key(c.form), d.id);
  }
  const out = new Map<string, SpokenName>();
  for (const d of devices) {
    if (d.source === 'config' || d.nameChosen) continue;
    const seen = new Set<string>();
    const kept = (derived.get(d.id) ?? []).filter((c) => {
      const k = key(c.form);
      if (seen.has(k) || owners.get(k)?.size !== 1) return false;
      seen.add(k);
      return true;
    });
    const area = d.area ? undefined : areaFromName(d.name, areaByKey);
    const name = kept.find((c) => c.display)?.form ?? d.name;
    out.set(d.id, { name, aliases: kept.map((c) => c.form), ...(area ? { area } : {}) });
  }
  return out;
}
