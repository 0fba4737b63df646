/** A small home for the intent tests: English names, a few Chinese aliases, two lamps, locks, covers. */
import assert from 'node:assert/strict';
import { IntentEngine, isResolveError } from '../../../daemon/intents/index.js';
import type { IntentDevice, IntentMatch, Resolution } from '../../../daemon/intents/index.js';
import { addBundledPluginSentences } from '../../helpers/builtinSentences.js';

export const AREAS = [
  { name: 'living_room', aliases: ['lounge'] },
  { name: 'kitchen', aliases: [] },
  { name: 'bedroom', aliases: [] },
  { name: 'office', aliases: ['书房'] },
  { name: 'hallway', aliases: ['hall'] },
  { name: 'garage', aliases: [] },
  { name: 'bathroom', aliases: [] },
];

export const DEVICES: IntentDevice[] = [
  { id: 'kitchen_light', name: 'Kitchen Light', aliases: [], area: 'kitchen', type: 'light', capabilities: ['onoff', 'brightness'], state: { state: 'on', brightness: 80 } },
  { id: 'counter_lights', name: 'Counter Lights', aliases: ['under cabinet lights'], area: 'kitchen', type: 'light', capabilities: ['onoff'], state: { state: 'off' } },
  { id: 'lr_ceiling', name: 'Living Room Ceiling', aliases: ['main light', '客厅吊灯'], area: 'living_room', type: 'light', capabilities: ['onoff', 'brightness'], state: { state: 'off' } },
  { id: 'floor_lamp', name: 'Floor Lamp', aliases: [], area: 'living_room', type: 'light', capabilities: ['onoff', 'brightness'], state: { state: 'on' } },
  { id: 'bedroom_lamp', name: 'Bedroom Lamp', aliases: [], area: 'bedroom', type: 'light', capabilities: ['onoff', 'brightness'], state: { state: 'off' } },
  { id: 'office_lamp', name: 'Office Lamp', aliases: [], area: 'office', type: 'light', capabilities: ['onoff', 'brightness'], state: { state: 'on' } },
  { id: 'hall_light', name: 'Hallway Light', aliases: [], area: 'hallway', type: 'light', capabilities: ['onoff'], state: { state: 'off' } },
  { id: 'front_door', name: 'Front Door', aliases: [], area: 'hallway', type: 'lock', capabilities: ['lock'], state: { state: 'locked' } },
  { id: 'back_door', name: 'Back Door', aliases: [], area: 'kitchen', type: 'lock', capabilities: ['lock'], state: { state: 'unlocked' } },
  { id: 'garage_door', name: 'Garage Door', aliases: [], area: 'garage', type: 'cover', deviceClass: 'garage', capabilities: ['open_close', 'stop'], state: { state: 'closed' } },
  { id: 'lr_blinds', name: 'Living Room Blinds', aliases: [], area: 'living_room', type: 'cover', capabilities: ['open_close', 'position', 'stop'], state: { state: 'open', position: 100 } },
  { id: 'bedroom_curtains', name: 'Bedroom Curtains', aliases: [], area: 'bedroom', type: 'cover', capabilities: ['open_close', 'position'], state: { state: 'closed' } },
  { id: 'thermostat', name: 'Thermostat', aliases: [], area: 'living_room', type: 'climate', capabilities: ['target_temperature', 'current_temperature', 'hvac_mode'], minTemp: 7, maxTemp: 30, state: { current_temperature: 21.5, temperature: 21 } },
  { id: 'bedroom_ac', name: 'Bedroom AC', aliases: ['卧室空调'], area: 'bedroom', type: 'climate', capabilities: ['target_temperature', 'current_temperature'], state: { current_temperature: 23 } },
  { id: 'lr_humidity', name: 'Living Room Humidity', aliases: [], area: 'living_room', type: 'sensor', deviceClass: 'humidity', unit: '%', capabilities: ['measurement'], state: { humidity: 45 } },
  { id: 'bath_humidity', name: 'Bathroom Humidity', aliases: [], area: 'bathroom', type: 'sensor', deviceClass: 'humidity', unit: '%', capabilities: ['measurement'], state: { humidity: 71 } },
  { id: 'bath_temp', name: 'Bathroom Temperature', aliases: [], area: 'bathroom', type: 'sensor', deviceClass: 'temperature', unit: '°C', capabilities: ['measurement'], state: { temperature: 24.2 } },
  { id: 'office_fan', name: 'Office Fan', aliases: [], area: 'office', type: 'fan', capabilities: ['onoff', 'fan_speed'], state: { state: 'off' } },
  { id: 'coffee', name: 'Coffee Machine', aliases: [], area: 'kitchen', type: 'switch', capabilities: ['onoff'], state: { state: 'off' } },
  { id: 'tv_plug', name: 'TV Plug', aliases: ['电视插座'], area: 'living_room', type: 'switch', capabilities: ['onoff'], state: { state: 'on' } },
];

/** The core engine plus the sentences the bundled plugins register (timers, hub status, weather), as in the hub. */
export function homeEngine(): IntentEngine {
  const engine = addBundledPluginSentences(new IntentEngine());
  engine.setLists({ devices: DEVICES, areas: AREAS });
  return engine;
}

export interface Expect {
  /** Resolved device ids (any order). */
  ids?: string[];
  /** Resolution error code. */
  error?: string;
  /** Slots that must be present with these values (compared deeply). */
  slots?: Record<string, unknown>;
  session?: string;
  lang?: string;
}

/** Asserts that `text` matches `intent` and resolves as expected; returns the match and resolution. */
export function expectIntent(engine: IntentEngine, text: string, intent: string, expect: Expect = {}): { match: IntentMatch; resolution: Resolution } {
  const match = engine.match(text, expect.lang ? { lang: expect.lang } : {});
  assert.ok(match, `no match for "${text}"`);
  assert.equal(match.intent, intent, `intent of "${text}" (slots ${JSON.stringify(match.slots)})`);
  for (const [k, v] of Object.entries(expect.slots ?? {})) assert.deepEqual(match.slots[k], v, `slot ${k} of "${text}"`);
  const resolution = engine.resolve(match, expect.session ? { sessionArea: expect.session } : {});
  if (expect.error) {
    assert.ok(isResolveError(resolution), `"${text}" should fail with ${expect.error}, got ${JSON.stringify(resolution)}`);
    assert.equal(resolution.error, expect.error, `error of "${text}"`);
  }
  if (expect.ids) {
    assert.ok(!isResolveError(resolution), `"${text}" failed: ${JSON.stringify(resolution)}`);
    assert.deepEqual(resolution.devices.map((d) => d.id).sort(), [...expect.ids].sort(), `devices of "${text}"`);
  }
  return { match, resolution };
}
