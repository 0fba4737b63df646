import type { DeviceView } from '../../sdk/index.js';

/** Words that mean a kind of device, in the two languages the hub speaks. */
const KIND_WORDS: ReadonlyArray<[RegExp, DeviceView['type'][]]> = [
  [/\b(lights?|lamps?|bright|dark|dim)\b|灯|亮|暗/iu, ['light']],
  [/\b(blinds?|curtains?|shades?|covers?|garage|gate|shutters?)\b|窗帘|百叶|车库/iu, ['cover']],
  [/\b(locks?|locked|unlock|doors?)\b|锁|门/iu, ['lock', 'binary_sensor']],
  [/\b(heat(ing)?|thermostat|warm|cold|cool|chilly|hot|temperature|cosy|cozy)\b|冷|热|暖|温度|空调/iu, ['climate', 'sensor']],
  [/\b(fans?)\b|风扇/iu, ['fan']],
  [/\b(switch(es)?|plugs?|sockets?)\b|插座|开关/iu, ['switch']],
  [/\b(humid(ity)?|sensors?|air)\b|湿度|传感器/iu, ['sensor']],
];

/** At most this many devices go into the prompt; the model can ask for more with list_devices. */
export const MAX_PROMPT_DEVICES = 40;

/**
 * The devices worth showing the model for this utterance, not all 500: those it names (name or alias), those
 * in the areas it names, else in the asking satellite's area, narrowed to the kinds it names ("it's too dark
 * in here" → the lights here); a kind named with no area at all → that kind everywhere. Capped.
 */
export function relevantDevices(all: readonly DeviceView[], text: string, here: string | undefined,
  areas: Readonly<Record<string, { readonly aliases: readonly string[] }>>): DeviceView[] {
  const t = ` ${text.toLowerCase()} `;
  const mentions = (phrase: string): boolean => phrase.length > 1 && t.includes(phrase.toLowerCase());
  const named = all.filter((d) => mentions(d.name) || d.aliases.some(mentions) || mentions(d.id.replace(/_/g, ' ')));
  const areaNames = new Set<string>();
  for (const [name, a] of Object.entries(areas)) {
    if (mentions(name) || mentions(name.replace(/_/g, ' ')) || a.aliases.some(mentions)) areaNames.add(name);
  }
  for (const d of all) if (d.area && !areaNames.has(d.area) && (mentions(d.area) || mentions(d.area.replace(/_/g, ' ')))) areaNames.add(d.area);
  const kinds = new Set<string>();
  for (const [re, types] of KIND_WORDS) if (re.test(text)) for (const k of types) kinds.add(k);
  const ofKind = (d: DeviceView): boolean => kinds.size === 0 || kinds.has(d.type);
  const inAreas = areaNames.size > 0 ? areaNames : here ? new Set([here]) : null;
  const picked = new Map<string, DeviceView>();
  for (const d of named) picked.set(d.id, d);
  if (inAreas) for (const d of all) if (d.area && inAreas.has(d.area) && ofKind(d)) picked.set(d.id, d);
  if (!inAreas && kinds.size > 0) for (const d of all) if (ofKind(d)) picked.set(d.id, d);
  return [...picked.values()].slice(0, MAX_PROMPT_DEVICES);
}

/** One device as the model reads it: one short JSON line (ids, kind, area, state), nothing of MQTT. */
export function deviceLine(d: DeviceView): Record<string, unknown> {
  return {
    id: d.id, name: d.name, kind: d.type, ...(d.area ? { area: d.area } : {}), ...(d.deviceClass ? { class: d.deviceClass } : {}),
    state: compactState(d.state), ...(d.unit ? { unit: d.unit } : {}), ...(d.available === false ? { available: false } : {}),
  };
}

/** A device state cut to a few short scalar fields: the prompt stays small whatever a device reports. */
function compactState(state: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, v] of Object.entries(state)) {
    if (n >= 8) break;
    if (typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 40)) {
      out[k] = v;
      n++;
    }
  }
  return out;
}

/**
 * The system prompt in two parts: the stable one (how to behave, the home's areas and floors), marked for
 * prompt caching since it is the same for every request until the config changes, and the part for this
 * utterance (local time, the satellite's room, the relevant devices), after it.
 */
export function systemPrompt(options: {
  areas: Readonly<Record<string, { readonly aliases: readonly string[]; readonly floor?: string | null }>>;
  devices: readonly DeviceView[];
  here: string | undefined;
  now: Date;
  timezone: string | null;
  lang: string;
  /** The hub's question the user's message answers, and the ids of the devices it named. */
  question?: { text: string; candidates: readonly string[] };
}): Array<{ type: 'text'; text: string; cache_control?: { type: 'ephemeral' } }> {
  const areaLines = Object.entries(options.areas).map(([name, a]) =>
    `- ${name}${a.floor ? ` (floor: ${a.floor})` : ''}${a.aliases.length > 0 ? `, also called ${a.aliases.join(', ')}` : ''}`);
  const stable = [
    'You are the voice assistant of a home hub. Your answers are spoken aloud: answer in one or two short sentences,',
    'in the language of the request, with no markdown, lists or emoji.',
    'To act on the home, call the tools; never claim a device changed unless its tool call succeeded.',
    'Use only device ids from the device list or from list_devices. If a tool returns an error, say plainly what could not be done.',
    'Locks, garage doors, alarms and some other devices need the user\'s spoken confirmation: the hub asks for it itself.',
    areaLines.length > 0 ? `Areas of the home:\n${areaLines.join('\n')}` : 'The home has no named areas.',
  ].join('\n');
  const time = localTime(options.now, options.timezone);
  const devices = options.devices.map((d) => JSON.stringify(deviceLine(d))).join('\n');
  const dynamic = [
    `Local time: ${time}.`,
    options.here ? `The user is in the ${options.here}: "here" means there.` : 'The user\'s room is unknown.',
    ...(options.question ? [
      `The hub has just asked the user: ${JSON.stringify(options.question.text)}${options.question.candidates.length > 0 ? ` (about the devices ${options.question.candidates.join(', ')})` : ''}.`,
      'The user\'s last message is probably the answer: if so, carry out the request it completes, on the device they mean; if not, treat it as a new request.',
    ] : []),
    devices ? `Devices that may be relevant (JSON, one per line):\n${devices}` : 'No device seemed relevant; use list_devices to find one.',
  ].join('\n');
  return [{ type: 'text', text: stable, cache_control: { type: 'ephemeral' } }, { type: 'text', text: dynamic }];
}

function localTime(now: Date, timezone: string | null): string {
  try {
    return new Intl.DateTimeFormat('en-GB', {
      weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', ...(timezone ? { timeZone: timezone } : {}),
    }).format(now);
  } catch {
    return now.toISOString();
  }
}
