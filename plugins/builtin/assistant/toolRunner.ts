import type { AssistantHost, DeviceAction, DeviceView, HandlerContext, PluginApi } from '../../sdk/index.js';
import { deviceLine } from './context.js';
import { needsConfirmation, type Pending } from './safety.js';
import { commandFrom, deviceTool, GET_STATE, isHubTool, LIST_DEVICES, MAX_TIMER_S, START_TIMER, TIMER_INTENT } from './tools.js';
import type { Block } from './client.js';

/** What one tool call came to: content for the model, or a command held for the user's yes. */
export type ToolOutcome =
  | { kind: 'result'; content: string; isError: boolean }
  | { kind: 'confirm'; pending: Omit<Pending, 'expires' | 'lang'> };

const MAX_LISTED = 50;
/** What the model reads of a plugin tool's reply (its text and data), at most. */
const MAX_PLUGIN_RESULT = 2000;

/**
 * Runs the model's tool calls through the same path a spoken command takes (`api.devices.command`: the
 * device kind translates, the device layer checks ranges and support, nothing is published on a refusal).
 * A tool the model was not offered, a device it may not control or that does not exist, bad input or a
 * refused value is a coded tool error the model reads (`is_error`), never a throw. A command that needs a
 * spoken confirmation is not run: it is handed back to be asked about.
 */
export class ToolRunner {
  readonly actions: DeviceAction[] = [];

  constructor(
    private readonly api: PluginApi,
    private readonly host: AssistantHost,
    private readonly offered: ReadonlySet<string>,
    private readonly mayControl: boolean,
    private readonly ctx: HandlerContext,
    private readonly utterance: { text: string; lang: string; area?: string },
  ) {}

  async run(call: Extract<Block, { type: 'tool_use' }>): Promise<ToolOutcome> {
    const { metrics } = this.host;
    const label = this.offered.has(call.name) ? call.name : 'unknown';
    const outcome = await this.execute(call);
    metrics.toolCall(label, outcome.kind === 'confirm' ? 'confirm' : outcome.isError ? (outcome.content.startsWith('FORBIDDEN') ? 'refused' : 'error') : 'ok');
    return outcome;
  }

  private async execute(call: Extract<Block, { type: 'tool_use' }>): Promise<ToolOutcome> {
    if (!this.offered.has(call.name)) return error('ASSISTANT_UNKNOWN_TOOL', `there is no tool named ${JSON.stringify(call.name)}; use only the tools offered`);
    if (call.bad !== undefined || call.input === null) return error('BAD_REQUEST', call.bad ?? 'the tool input is missing');
    const input = call.input;
    if (call.name === LIST_DEVICES) return this.list(input);
    if (call.name === START_TIMER) return this.timer(input);
    if (!isHubTool(call.name)) return this.pluginTool(call.name, input);
    const id = input.device_id;
    if (typeof id !== 'string' || id.length === 0 || id.length > 200) return error('BAD_REQUEST', 'device_id must be a device id string');
    const device = this.api.devices.get(id);
    if (!device) return error('DEVICE_NOT_FOUND', `there is no device with id ${JSON.stringify(id)}; use list_devices to find one`);
    if (call.name === GET_STATE) return { kind: 'result', content: JSON.stringify(deviceLine(device)), isError: false };
    const tool = deviceTool(call.name)!;
    if (!this.mayControl) return error('FORBIDDEN', 'this client may not control devices');
    if (!device.capabilities.includes(tool.needs)) return error('DEVICE_UNSUPPORTED', `${device.name} cannot ${tool.command.replace(/_/g, ' ')}`);
    const made = commandFrom(tool, input);
    if ('code' in made) return error(made.code, made.message);
    if (needsConfirmation(device, this.host.isSensitive(device.id))) {
      return { kind: 'confirm', pending: { deviceId: device.id, name: device.name, command: made.command } };
    }
    try {
      await this.api.devices.command(device.id, made.command, { traceId: this.ctx.traceId });
    } catch (err) {
      const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'FAILED';
      return error(code, (err as Error)?.message ?? 'the command failed');
    }
    this.actions.push({ device: device.id, command: made.command.command });
    return { kind: 'result', content: `done: ${device.name} ${made.command.command}`, isError: false };
  }

  /** A timer through the plugin that owns timers, as "set a timer for 5 minutes" would start it. */
  private async timer(input: Record<string, unknown>): Promise<ToolOutcome> {
    const { seconds, name } = input;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 1 || seconds > MAX_TIMER_S) {
      return error('VALUE_OUT_OF_RANGE', `seconds must be a number from 1 to ${MAX_TIMER_S}`);
    }
    if (name !== undefined && (typeof name !== 'string' || name.length > 40)) return error('BAD_REQUEST', 'name must be a short string');
    try {
      const reply = await this.host.runIntent({
        intent: TIMER_INTENT, text: `start a timer (assistant)`, lang: this.utterance.lang, slots: { duration: Math.round(seconds), ...(name ? { name } : {}) },
      }, this.ctx);
      return { kind: 'result', content: `done: ${reply.text}`.slice(0, 500), isError: false };
    } catch (err) {
      const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'FAILED';
      return error(code, String((err as Error)?.message ?? 'the timer could not be started').slice(0, 300));
    }
  }

  /**
   * A tool a plugin declares (its manifest's `tools`): the host checks the input against the tool's schema
   * and runs the tool's intent in the plugin, through its guard, as the spoken sentence would.
   */
  private async pluginTool(name: string, input: Record<string, unknown>): Promise<ToolOutcome> {
    try {
      const reply = await this.host.runTool(name, input, this.utterance, this.ctx);
      return { kind: 'result', content: `done: ${reply.text}${dataText(reply.data)}`.slice(0, MAX_PLUGIN_RESULT), isError: false };
    } catch (err) {
      const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'FAILED';
      return error(code, String((err as Error)?.message ?? 'the tool failed').slice(0, 300));
    }
  }

  private list(input: Record<string, unknown>): ToolOutcome {
    const { area, floor, kind } = input;
    let devices: DeviceView[] = this.api.devices.list();
    if (typeof area === 'string') devices = devices.filter((d) => d.area === area);
    if (typeof floor === 'string') devices = devices.filter((d) => d.area !== undefined && this.host.areas[d.area]?.floor === floor);
    if (typeof kind === 'string') devices = devices.filter((d) => d.type === kind);
    const shown = devices.slice(0, MAX_LISTED).map((d) => JSON.stringify(deviceLine(d)));
    const more = devices.length > MAX_LISTED ? `\n(${devices.length - MAX_LISTED} more: narrow by area or kind)` : '';
    return { kind: 'result', content: shown.length > 0 ? shown.join('\n') + more : 'no devices match', isError: false };
  }
}

/** A reply's data as the model reads it after the text; data that cannot be written as JSON is left out. */
function dataText(data: unknown): string {
  if (data === undefined) return '';
  try {
    return ` ${JSON.stringify(data).slice(0, MAX_PLUGIN_RESULT)}`;
  } catch {
    return '';
  }
}

function error(code: string, message: string): ToolOutcome {
  return { kind: 'result', content: `${code}: ${message}`, isError: true };
}
