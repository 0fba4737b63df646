/**
 * What a kind says about each command it takes, once (devices/kinds/<kind>.ts `commands`): the one parameter,
 * the capability a device needs for it, and a line for the assistant's model. The hub's `DeviceCommand` type,
 * the command-body parser (POST /api/command, cloud `command` frames) and the assistant's device tools are all
 * derived from these (devices/kinds/index.ts), so a kind that brings a new command writes it only here.
 */

/** A number (ranges are the device's to check), a short text (a mode), or a colour as three channels 0–255. */
export type ParamKind = 'number' | 'text' | 'rgb';

export interface CommandParam {
  readonly name: string;
  readonly kind: ParamKind;
  /**
   * May be left out (turn_on's brightness). The assistant's tool leaves an optional parameter out: the model
   * has the command that sets it (set_brightness).
   */
  readonly optional?: boolean;
  /** The JSON Schema the assistant's model sees, with the range where it is the same for every device (0–100 %). */
  readonly schema: Readonly<Record<string, unknown>>;
}

/**
 * Every capability a command can need, declared once: a kind's `needs` is typed against this list, so a typo
 * ('onof') is a compile error rather than a new capability nobody has. A kind whose new command needs a new
 * capability adds it here (test/unit/devices/kinds/commandSpecs.test.ts checks each is needed by some command).
 */
export const COMMAND_CAPABILITIES = [
  'onoff', 'brightness', 'color', 'color_temp', 'fan_speed', 'open_close', 'stop', 'position', 'lock',
  'target_temperature', 'hvac_mode', 'preset_mode', 'target_humidity', 'mode', 'activate', 'press', 'start', 'pause',
  'return_home', 'play_pause', 'next_previous', 'volume', 'mute',
] as const;
export type CommandCapability = (typeof COMMAND_CAPABILITIES)[number];

export interface CommandSpec {
  /**
   * The capability a device needs: the assistant offers the command only when a device it may control has it.
   * The hub's `Capability` type is these and the reading-only ones (commonCommands.ts).
   */
  readonly needs: CommandCapability;
  /** One line for the assistant's model. */
  readonly description: string;
  readonly param?: CommandParam;
  /** false: not offered to the assistant as a tool (toggle, a relative volume step: it has the absolute ones). */
  readonly tool?: boolean;
}

export type CommandSpecs = Readonly<Record<string, CommandSpec>>;

type ParamValue<K extends ParamKind> = K extends 'number' ? number : K extends 'text' ? string : [number, number, number];

type CommandOfSpec<N extends string, S> = S extends { readonly param: infer P extends CommandParam }
  ? P extends { readonly optional: true }
    ? { command: N; params?: { [K in P['name']]?: ParamValue<P['kind']> } }
    : { command: N; params: { [K in P['name']]: ParamValue<P['kind']> } }
  : { command: N };

/** The commands a table of specs declares, as the hub's command objects: `{ command: 'set_humidity'; params: { humidity: number } }`. */
export type CommandsOf<S extends CommandSpecs> = { [N in keyof S & string]: CommandOfSpec<N, S[N]> }[keyof S & string];

/** A percentage, as brightness, position, fan speed, humidity and volume are in the hub's terms. */
export const PERCENT = { type: 'number', minimum: 0, maximum: 100 } as const;
/** A mode name as devices list them (HA's `modes`, at most 32 characters in the config too). */
export const MODE_NAME = { type: 'string', maxLength: 32 } as const;
