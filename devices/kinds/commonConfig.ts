import { Type } from '@sinclair/typebox';

/**
 * `devices:` keys several kinds take (voicehub.yaml, PROTOCOL §1), declared once and listed by each kind that
 * takes them, as commonCommands.ts does for commands. A key only one kind takes is declared in its module.
 */

const Topic = () => Type.Optional(Type.String({ minLength: 1 }));

/** A set-point's command topic and its range and step in the device's unit: thermostats and water heaters. */
export const SET_POINT_CONFIG = {
  minTemp: Type.Optional(Type.Number()),
  maxTemp: Type.Optional(Type.Number()),
  tempStep: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  temperatureCommandTopic: Topic(),
};

/** The modes a climate, humidifier or water heater takes on modeCommandTopic (HA's `modes`). */
export const MODE_CONFIG = {
  modeCommandTopic: Topic(),
  modes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { maxItems: 32 })),
};

/** The topics of SET_POINT_CONFIG and MODE_CONFIG: an entry that sets one is a device of its own. */
export const SET_POINT_TOPICS = ['temperatureCommandTopic'] as const;
export const MODE_TOPICS = ['modeCommandTopic'] as const;

/** A `devices:` entry with a set-point and modes: a thermostat, a water heater (whose commandTopic is its power). */
export const SET_POINT_AND_MODE_CONFIG = {
  properties: { ...SET_POINT_CONFIG, ...MODE_CONFIG },
  topics: [...SET_POINT_TOPICS, ...MODE_TOPICS],
} as const;
