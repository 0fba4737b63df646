import type { DeviceCapability, DeviceCommand, DeviceView, OfferedTool } from '../../sdk/index.js';

/** A tool as the Messages API takes it (`tools[]`). */
export interface ToolSpec {
  name: string;
  description: string;
  input_schema: { type: 'object'; properties: Record<string, unknown>; required?: string[]; additionalProperties?: boolean };
}

type Params = Record<string, number | string>;

/**
 * A device tool: the hub command it sends, the capability a device needs for it, and its parameter (name,
 * schema) when it takes one. The table is the hub's command vocabulary (devices/model.ts DeviceCommand) seen
 * from the capabilities the device kinds give their devices (devices/kinds/*.ts): a tool is offered only when
 * a device the session may control has its capability, so a home without covers shows the model no
 * `set_position`. The device layer checks ranges itself (the same check a spoken command gets).
 */
interface DeviceTool {
  command: DeviceCommand['command'];
  needs: DeviceCapability;
  description: string;
  param?: { name: string; schema: Record<string, unknown> };
}

const PERCENT = { type: 'number', minimum: 0, maximum: 100 };

export const DEVICE_TOOLS: readonly DeviceTool[] = [
  { command: 'turn_on', needs: 'onoff', description: 'Turn a device on (lights, switches, fans).' },
  { command: 'turn_off', needs: 'onoff', description: 'Turn a device off.' },
  { command: 'set_brightness', needs: 'brightness', description: 'Set a light\'s brightness in percent (0-100).', param: { name: 'brightness', schema: PERCENT } },
  { command: 'open', needs: 'open_close', description: 'Open a cover, blind, gate or garage door.' },
  { command: 'close', needs: 'open_close', description: 'Close a cover, blind, gate or garage door.' },
  { command: 'stop', needs: 'stop', description: 'Stop a moving cover.' },
  { command: 'set_position', needs: 'position', description: 'Move a cover to a position in percent (0 closed, 100 open).', param: { name: 'position', schema: PERCENT } },
  { command: 'lock', needs: 'lock', description: 'Lock a lock.' },
  { command: 'unlock', needs: 'lock', description: 'Unlock a lock.' },
  { command: 'set_temperature', needs: 'target_temperature', description: 'Set a thermostat\'s target temperature in °C.', param: { name: 'temperature', schema: { type: 'number' } } },
  { command: 'set_hvac_mode', needs: 'hvac_mode', description: 'Set a thermostat\'s mode (off, heat, cool, auto…).', param: { name: 'mode', schema: { type: 'string', maxLength: 32 } } },
  { command: 'set_fan_speed', needs: 'fan_speed', description: 'Set a fan\'s speed in percent (0-100).', param: { name: 'percentage', schema: PERCENT } },
  {
    command: 'set_color', needs: 'color', description: 'Set a light\'s colour as red, green, blue (0-255 each).',
    param: { name: 'rgb', schema: { type: 'array', items: { type: 'number', minimum: 0, maximum: 255 }, minItems: 3, maxItems: 3 } },
  },
  {
    command: 'set_color_temp', needs: 'color_temp', description: 'Set a light\'s white as a colour temperature in kelvin (2700 warm, 6500 daylight).',
    param: { name: 'kelvin', schema: { type: 'number', minimum: 1000, maximum: 10000 } },
  },
  { command: 'activate', needs: 'activate', description: 'Activate a scene or run a script.' },
  { command: 'press', needs: 'press', description: 'Press a button.' },
  { command: 'start', needs: 'start', description: 'Start a vacuum cleaning.' },
  { command: 'pause', needs: 'pause', description: 'Pause a vacuum.' },
  { command: 'return_to_base', needs: 'return_home', description: 'Send a vacuum back to its dock.' },
  { command: 'media_play', needs: 'play_pause', description: 'Play (resume) a media player.' },
  { command: 'media_pause', needs: 'play_pause', description: 'Pause a media player.' },
  { command: 'media_next', needs: 'next_previous', description: 'Skip to the next track.' },
  { command: 'media_previous', needs: 'next_previous', description: 'Go back to the previous track.' },
  { command: 'volume_set', needs: 'volume', description: 'Set a media player\'s volume in percent (0-100).', param: { name: 'volume', schema: PERCENT } },
  { command: 'volume_mute', needs: 'mute', description: 'Mute a media player.' },
  { command: 'volume_unmute', needs: 'mute', description: 'Unmute a media player.' },
];

const BY_NAME = new Map(DEVICE_TOOLS.map((t) => [t.command as string, t]));

export const GET_STATE = 'get_state';
export const START_TIMER = 'start_timer';
/** The intent `start_timer` runs (the timers plugin's), and the longest timer it asks for. */
export const TIMER_INTENT = 'HassStartTimer';
export const MAX_TIMER_S = 86_400;
export const LIST_DEVICES = 'list_devices';

/** The device tool of that name, or undefined for a read tool or a name that is none of ours. */
export function deviceTool(name: string): DeviceTool | undefined {
  return BY_NAME.get(name);
}

/**
 * The tools offered for one utterance: the read tools always, each device tool that some device in
 * `controllable` can use. `kinds` and `areas` are what list_devices may be asked to filter by.
 */
export function toolsFor(controllable: readonly DeviceView[], options: { kinds: readonly string[]; areas: readonly string[]; timers?: boolean; plugins?: readonly OfferedTool[] }): ToolSpec[] {
  const have = new Set<string>();
  for (const d of controllable) for (const c of d.capabilities) have.add(c);
  const deviceId = { type: 'string', description: 'the device id, as listed', maxLength: 200 };
  const tools: ToolSpec[] = [
    {
      name: GET_STATE, description: 'The current state of one device.',
      input_schema: { type: 'object', properties: { device_id: deviceId }, required: ['device_id'], additionalProperties: false },
    },
    {
      name: LIST_DEVICES, description: 'Devices of the home (id, name, area, kind, state), optionally only those of one area, floor or kind; at most 50.',
      input_schema: {
        type: 'object', additionalProperties: false,
        properties: {
          area: { type: 'string', ...(options.areas.length > 0 ? { enum: [...options.areas] } : {}) },
          floor: { type: 'string', maxLength: 100 },
          kind: { type: 'string', enum: [...options.kinds] },
        },
      },
    },
  ];
  if (options.timers) {
    tools.push({
      name: START_TIMER, description: 'Start a timer that speaks to the user when it ends.',
      input_schema: {
        type: 'object', additionalProperties: false, required: ['seconds'],
        properties: { seconds: { type: 'number', minimum: 1, maximum: MAX_TIMER_S }, name: { type: 'string', maxLength: 40, description: 'what it is for, e.g. pasta' } },
      },
    });
  }
  for (const t of DEVICE_TOOLS) {
    if (!have.has(t.needs)) continue;
    const properties: Record<string, unknown> = { device_id: deviceId };
    const required = ['device_id'];
    if (t.param) {
      properties[t.param.name] = t.param.schema;
      required.push(t.param.name);
    }
    tools.push({ name: t.command, description: t.description, input_schema: { type: 'object', properties, required, additionalProperties: false } });
  }
  // Tools plugins declare, after the hub's own: a plugin's tool named like one of them (offered here or not) is left out.
  for (const t of options.plugins ?? []) {
    if (isHubTool(t.name) || tools.some((o) => o.name === t.name)) continue;
    tools.push({ name: t.name, description: t.description, input_schema: t.inputSchema as ToolSpec['input_schema'] });
  }
  return tools;
}

/** The hub's own tool names: a plugin cannot take one, even where the hub does not offer it this time. */
export function isHubTool(name: string): boolean {
  return BY_NAME.has(name) || name === GET_STATE || name === LIST_DEVICES || name === START_TIMER;
}

/**
 * The hub command a device tool's input means, or why it cannot be one (the message goes back to the model
 * as a tool error). Only the command's own parameter is read: anything else in the input is ignored.
 */
export function commandFrom(tool: DeviceTool, input: Record<string, unknown>): { command: DeviceCommand } | { code: string; message: string } {
  if (!tool.param) return { command: { command: tool.command } as DeviceCommand };
  const value = input[tool.param.name];
  if (tool.param.schema.type === 'array') {
    // A colour: three channels 0-255 (the light's own colour mode is the device layer's to convert to).
    if (!Array.isArray(value) || value.length !== 3 || !value.every((c) => typeof c === 'number' && Number.isFinite(c) && c >= 0 && c <= 255)) {
      return { code: 'BAD_REQUEST', message: `${tool.command} needs ${tool.param.name} as three numbers 0-255` };
    }
    return { command: { command: tool.command, params: { [tool.param.name]: value.map((c: number) => Math.round(c)) } } as DeviceCommand };
  }
  const wantsNumber = tool.param.schema.type === 'number';
  if (wantsNumber ? typeof value !== 'number' || !Number.isFinite(value) : typeof value !== 'string' || value.length === 0 || value.length > 32) {
    return { code: 'BAD_REQUEST', message: `${tool.command} needs ${tool.param.name} as a ${wantsNumber ? 'number' : 'short string'}` };
  }
  const params: Params = { [tool.param.name]: value as number | string };
  return { command: { command: tool.command, params } as DeviceCommand };
}
