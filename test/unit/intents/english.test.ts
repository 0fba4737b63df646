/** English utterances: paraphrases, word order, fillers, numbers as words, full-width text. */
import { describe, test } from 'node:test';
import { expectIntent, homeEngine, type Expect } from './fixture.js';

const engine = homeEngine();

type Case = [text: string, intent: string, expect?: Expect];

const ON_OFF: Case[] = [
  ['turn on the kitchen light', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['Turn the kitchen light on.', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['switch on kitchen light please', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['could you please turn on the kitchen light?', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['hey, can you switch the kitchen light on for me', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['kitchen light on', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['turn on the KITCHEN-LIGHT', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['turn on kitchen_light', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['ｔｕｒｎ　ｏｎ　ｔｈｅ　ｋｉｔｃｈｅｎ　ｌｉｇｈｔ！', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['switch off the lamp in the bedroom', 'HassTurnOff', { ids: ['bedroom_lamp'] }],
  ['turn off the bedroom lamp', 'HassTurnOff', { ids: ['bedroom_lamp'] }],
  ['turn the floor lamp off', 'HassTurnOff', { ids: ['floor_lamp'] }],
  ['power off the coffee machine', 'HassTurnOff', { ids: ['coffee'] }],
  ['turn on the main light', 'HassTurnOn', { ids: ['lr_ceiling'] }],
  ['turn on the lights in the living room', 'HassTurnOn', { ids: ['lr_ceiling', 'floor_lamp'] }],
  ['turn on the living room lights', 'HassTurnOn', { ids: ['lr_ceiling', 'floor_lamp'] }],
  ['turn on the lounge lights', 'HassTurnOn', { ids: ['lr_ceiling', 'floor_lamp'] }],
  ['switch off all the lights in the kitchen', 'HassTurnOff', { ids: ['kitchen_light', 'counter_lights'] }],
  ['turn off all the lights', 'HassTurnOff', { ids: ['kitchen_light', 'counter_lights', 'lr_ceiling', 'floor_lamp', 'bedroom_lamp', 'office_lamp', 'hall_light'], slots: { all: true } }],
  ['turn off every light in the house', 'HassTurnOff', { ids: ['kitchen_light', 'counter_lights', 'lr_ceiling', 'floor_lamp', 'bedroom_lamp', 'office_lamp', 'hall_light'] }],
  ['turn on the lights in here', 'HassTurnOn', { ids: ['bedroom_lamp'], session: 'bedroom', slots: { here: true } }],
  ['lights on in this room', 'HassTurnOn', { ids: ['kitchen_light', 'counter_lights'], session: 'kitchen' }],
  ['turn off the lights', 'HassTurnOff', { ids: ['lr_ceiling', 'floor_lamp'], session: 'living room' }],
  ['turn on the fan', 'HassTurnOn', { ids: ['office_fan'] }],
  ['turn on the tv plug', 'HassTurnOn', { ids: ['tv_plug'] }],
  ['turn on the kitchen', 'HassTurnOn', { ids: ['kitchen_light', 'counter_lights'] }],
  ['toggle the office lamp', 'HassToggle', { ids: ['office_lamp'] }],
  ['turn on the under cabinet lights', 'HassTurnOn', { ids: ['counter_lights'] }],
  ['turn everything off in the living room', 'HassTurnOff', { ids: ['lr_ceiling', 'floor_lamp'] }],
  ['I want the kitchen light on', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['turn the lights on in the bedroom', 'HassTurnOn', { ids: ['bedroom_lamp'] }],
];

const COVERS_LOCKS: Case[] = [
  ['close the garage door', 'HassTurnOff', { ids: ['garage_door'], slots: { domain: 'cover' } }],
  ['open the garage door', 'HassTurnOn', { ids: ['garage_door'], slots: { domain: 'cover' } }],
  ['shut the garage door', 'HassTurnOff', { ids: ['garage_door'] }],
  ['open the blinds halfway', 'HassSetPosition', { ids: ['lr_blinds'], slots: { position: 50 } }],
  ['open the living room blinds to 30%', 'HassSetPosition', { ids: ['lr_blinds'], slots: { position: 30 } }],
  ['set the bedroom curtains to twenty five percent', 'HassSetPosition', { ids: ['bedroom_curtains'], slots: { position: 25 } }],
  ['lower the blinds in the living room', 'HassTurnOff', { ids: ['lr_blinds'] }],
  ['close the curtains in the bedroom', 'HassTurnOff', { ids: ['bedroom_curtains'] }],
  ['stop the garage door', 'HassStopMoving', { ids: ['garage_door'] }],
  ['lock the front door', 'HassTurnOn', { ids: ['front_door'], slots: { domain: 'lock' } }],
  ['unlock the back door', 'HassTurnOff', { ids: ['back_door'], slots: { domain: 'lock' } }],
  ['please lock the back door now', 'HassTurnOn', { ids: ['back_door'] }],
  ['open the bedroom curtains all the way', 'HassTurnOn', { ids: ['bedroom_curtains'] }],
];

const LEVELS: Case[] = [
  ['set bedroom lights to 40%', 'HassLightSet', { ids: ['bedroom_lamp'], slots: { brightness: 40 } }],
  ['dim the living room lights to forty percent', 'HassLightSet', { ids: ['lr_ceiling', 'floor_lamp'], slots: { brightness: 40 } }],
  ['set the kitchen light brightness to 75', 'HassLightSet', { ids: ['kitchen_light'], slots: { brightness: 75 } }],
  ['set the brightness of the office lamp to 10 percent', 'HassLightSet', { ids: ['office_lamp'], slots: { brightness: 10 } }],
  ['brighten the floor lamp to one hundred percent', 'HassLightSet', { ids: ['floor_lamp'], slots: { brightness: 100 } }],
  ['turn the floor lamp down to 20%', 'HassLightSet', { ids: ['floor_lamp'], slots: { brightness: 20 } }],
  ['floor lamp to 55 %', 'HassLightSet', { ids: ['floor_lamp'], slots: { brightness: 55 } }],
  ['brightness of the kitchen light to 30', 'HassLightSet', { ids: ['kitchen_light'], slots: { brightness: 30 } }],
  ['kitchen light 50 percent', 'HassLightSet', { ids: ['kitchen_light'], slots: { brightness: 50 } }],
  ['set the fan to 50%', 'HassFanSetSpeed', { ids: ['office_fan'], slots: { percentage: 50 } }],
  ['set the office fan speed to seventy', 'HassFanSetSpeed', { ids: ['office_fan'], slots: { percentage: 70 } }],
];

const CLIMATE: Case[] = [
  ['set the thermostat to 21 degrees', 'HassClimateSetTemperature', { ids: ['thermostat'], slots: { temperature: 21 } }],
  ['set the thermostat to twenty-two point five', 'HassClimateSetTemperature', { ids: ['thermostat'], slots: { temperature: 22.5 } }],
  ['set the temperature in the bedroom to 20 °C', 'HassClimateSetTemperature', { ids: ['bedroom_ac'], slots: { temperature: 20 } }],
  ['set the living room temperature to 19', 'HassClimateSetTemperature', { ids: ['thermostat'], slots: { temperature: 19 } }],
  ['make it 23 degrees in the bedroom', 'HassClimateSetTemperature', { ids: ['bedroom_ac'], slots: { temperature: 23 } }],
  ['turn up the thermostat to 22', 'HassClimateSetTemperature', { ids: ['thermostat'], slots: { temperature: 22 } }],
  ['change the temperature to 20 degrees', 'HassClimateSetTemperature', { ids: ['thermostat'], session: 'living_room' }],
  ["what's the temperature in the living room", 'HassClimateGetTemperature', { ids: ['thermostat'] }],
  ['what is the temperature in the bathroom', 'HassClimateGetTemperature', { ids: ['bath_temp'] }],
  ['how warm is it in the bedroom', 'HassClimateGetTemperature', { ids: ['bedroom_ac'] }],
  ['how cold is it in here', 'HassClimateGetTemperature', { ids: ['bedroom_ac'], session: 'bedroom' }],
  ['what is the bedroom temperature', 'HassClimateGetTemperature', { ids: ['bedroom_ac'] }],
  ['what temperature is the thermostat set to', 'HassClimateGetTemperature', { ids: ['thermostat'] }],
];

const STATE: Case[] = [
  ['is the front door locked', 'HassGetState', { ids: ['front_door'], slots: { state: 'locked' } }],
  ['is the back door unlocked?', 'HassGetState', { ids: ['back_door'], slots: { state: 'unlocked' } }],
  ['did I lock the front door', 'HassGetState', { ids: ['front_door'], slots: { state: 'locked' } }],
  ['is the kitchen light on', 'HassGetState', { ids: ['kitchen_light'], slots: { state: 'on' } }],
  ['is the garage door open', 'HassGetState', { ids: ['garage_door'], slots: { state: 'open' } }],
  ['are the living room lights off', 'HassGetState', { ids: ['lr_ceiling', 'floor_lamp'], slots: { state: 'off' } }],
  ['are any lights on in the kitchen', 'HassGetState', { ids: ['kitchen_light', 'counter_lights'], slots: { any: true, state: 'on' } }],
  ['which lights are on', 'HassGetState', { slots: { state: 'on', all: true } }],
  ["what's the humidity in the living room", 'HassGetState', { ids: ['lr_humidity'], slots: { measurement: 'humidity' } }],
  ['how humid is it in the bathroom', 'HassGetState', { ids: ['bath_humidity'], slots: { measurement: 'humidity' } }],
  ['what is the status of the garage door', 'HassGetState', { ids: ['garage_door'] }],
  ['is the garage open', 'HassGetState', { ids: ['garage_door'], slots: { state: 'open' } }],
  ['is anything on in the kitchen', 'HassGetState', { ids: ['kitchen_light', 'counter_lights', 'coffee'], slots: { any: true } }],
  ['are all the doors locked', 'HassGetState', { ids: ['front_door', 'back_door'], slots: { state: 'locked' } }],
];

const TIMERS: Case[] = [
  ['set a timer for 5 minutes', 'HassStartTimer', { slots: { duration: 300 } }],
  ['set a timer for five minutes', 'HassStartTimer', { slots: { duration: 300 } }],
  ['start a 10 minute timer', 'HassStartTimer', { slots: { duration: 600 } }],
  ['timer for 90 seconds', 'HassStartTimer', { slots: { duration: 90 } }],
  ['set a timer for an hour and a half', 'HassStartTimer', { slots: { duration: 5400 } }],
  ['set a timer for half an hour', 'HassStartTimer', { slots: { duration: 1800 } }],
  ['set a timer for 1 hour and 15 minutes', 'HassStartTimer', { slots: { duration: 4500 } }],
  ['remind me in twenty minutes', 'HassStartTimer', { slots: { duration: 1200 } }],
  ['set a pasta timer for 12 minutes', 'HassStartTimer', { slots: { duration: 720, timer_name: 'pasta' } }],
  ['cancel the timer', 'HassCancelTimer'],
  ['stop the timer', 'HassCancelTimer'],
  ['cancel all timers', 'HassCancelAllTimers'],
  ['how much time is left on the timer', 'HassTimerStatus'],
  ['how long is left', 'HassTimerStatus'],
  ['pause the timer', 'HassPauseTimer'],
  ['add 5 minutes to the timer', 'HassIncreaseTimer', { slots: { duration: 300 } }],
];

const OTHER: Case[] = [
  ['how is the hub doing', 'HubStatus'],
  ["how's the system doing?", 'HubStatus'],
  ['hub status', 'HubStatus'],
  ["what's the weather", 'HassGetWeather'],
  ["what's the weather like tomorrow", 'HassGetWeather', { slots: { day: 'tomorrow' } }],
  ['is it going to rain today', 'HassGetWeather', { slots: { day: 'today' } }],
  ['weather forecast', 'HassGetWeather'],
  ['what is the weather in paris', 'HassGetWeather', { slots: { location: 'paris' } }],
  ['what time is it', 'HassGetCurrentTime'],
];

for (const [title, cases] of Object.entries({ ON_OFF, COVERS_LOCKS, LEVELS, CLIMATE, STATE, TIMERS, OTHER })) {
  describe(`english ${title}`, () => {
    for (const [text, intent, expect] of cases) test(text, () => { expectIntent(engine, text, intent, expect); });
  });
}
