import { DEVICE_COMMANDS, type DeviceCapability, type DeviceCommand, type DeviceCommandSpec, type DeviceView, type OfferedTool } from '../../sdk/index.js';

/** A tool as the Messages API takes it (`tools[]`). */
export interface ToolSpec {
  name: string;
  description: string;
  input_schema: { type: 'object'; properties: Record<string, unknown>; required?: string[]; additionalProperties?: boolean };
}

type Params = Record<string, number | string>;

/**
 * A device tool: the hub command it sends, the capability a device needs for it, and its parameter (name,
 * kind, schema) when it takes one. A tool is offered only when a device the session may control has its
 * capability, so a home without covers shows the model no `set_position`. The device layer checks ranges
 * itself (the same check a spoken command gets).
 */
export interface DeviceTool {
  command: DeviceCommand['command'];
  needs: DeviceCapability;
  description: string;
  param?: { name: string; kind: 'number' | 'text' | 'rgb'; schema: Readonly<Record<string, unknown>> };
}

/**
 * The device tools, one per command the device kinds declare (the SDK's DEVICE_COMMANDS, from each kind's
 * module): a kind that brings a command brings its tool. Commands the hub offers no model (toggle, a volume
 * step) are left out, and so is an optional parameter (turn_on's brightness: set_brightness is the tool for it).
 */
export const DEVICE_TOOLS: readonly DeviceTool[] = DEVICE_COMMANDS.filter((c) => c.tool).map(toolOf);

function toolOf(c: DeviceCommandSpec): DeviceTool {
  const tool: DeviceTool = { command: c.command, needs: c.needs, description: c.description };
  if (c.param && !c.param.optional) tool.param = { name: c.param.name, kind: c.param.kind, schema: c.param.schema };
  return tool;
}

/** The longest text parameter (a mode) a tool takes when its schema names none. */
const MAX_TEXT = 32;

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
  const { name, kind, schema } = tool.param;
  const value = input[name];
  if (kind === 'rgb') {
    // A colour: three channels 0-255 (the light's own colour mode is the device layer's to convert to).
    if (!Array.isArray(value) || value.length !== 3 || !value.every((c) => typeof c === 'number' && Number.isFinite(c) && c >= 0 && c <= 255)) {
      return { code: 'BAD_REQUEST', message: `${tool.command} needs ${name} as three numbers 0-255` };
    }
    return { command: { command: tool.command, params: { [name]: value.map((c: number) => Math.round(c)) } } as DeviceCommand };
  }
  const maxText = typeof schema.maxLength === 'number' ? schema.maxLength : MAX_TEXT;
  if (kind === 'number' ? typeof value !== 'number' || !Number.isFinite(value) : typeof value !== 'string' || value.length === 0 || value.length > maxText) {
    return { code: 'BAD_REQUEST', message: `${tool.command} needs ${name} as a ${kind === 'number' ? 'number' : 'short string'}` };
  }
  const params: Params = { [name]: value as number | string };
  return { command: { command: tool.command, params } as DeviceCommand };
}
