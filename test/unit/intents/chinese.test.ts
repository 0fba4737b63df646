/** Chinese utterances: no spaces, 把/的/请 fillers, numbers in Chinese numerals or digits, full-width forms. */
import { describe, test } from 'node:test';
import { expectIntent, homeEngine, type Expect } from './fixture.js';

const engine = homeEngine();

type Case = [text: string, intent: string, expect?: Expect];

const ON_OFF: Case[] = [
  ['打开厨房的灯', 'HassTurnOn', { ids: ['kitchen_light'], lang: undefined }],
  ['打开厨房灯', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['请把厨房的灯打开', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['帮我开一下厨房灯吧', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['能不能把厨房灯打开？', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['打开 厨房 的 灯。', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['打开客厅的灯', 'HassTurnOn', { ids: ['lr_ceiling', 'floor_lamp'] }],
  ['客厅的灯全部打开', 'HassTurnOn', { ids: ['lr_ceiling', 'floor_lamp'] }],
  ['把客厅吊灯关了', 'HassTurnOff', { ids: ['lr_ceiling'] }],
  ['关掉卧室的台灯', 'HassTurnOff', { ids: ['bedroom_lamp'] }],
  ['关掉所有的灯', 'HassTurnOff', { ids: ['kitchen_light', 'counter_lights', 'lr_ceiling', 'floor_lamp', 'bedroom_lamp', 'office_lamp', 'hall_light'], slots: { all: true } }],
  ['把灯都关了', 'HassTurnOff', { ids: ['kitchen_light', 'counter_lights', 'lr_ceiling', 'floor_lamp', 'bedroom_lamp', 'office_lamp', 'hall_light'] }],
  ['全屋的灯都关掉', 'HassTurnOff', { ids: ['kitchen_light', 'counter_lights', 'lr_ceiling', 'floor_lamp', 'bedroom_lamp', 'office_lamp', 'hall_light'] }],
  ['开灯', 'HassTurnOn', { ids: ['bedroom_lamp'], session: 'bedroom' }],
  ['关灯', 'HassTurnOff', { ids: ['kitchen_light', 'counter_lights'], session: 'kitchen' }],
  ['把这里的灯打开', 'HassTurnOn', { ids: ['office_lamp'], session: 'office', slots: { here: true } }],
  ['打开书房的风扇', 'HassTurnOn', { ids: ['office_fan'] }],
  ['关闭电视插座', 'HassTurnOff', { ids: ['tv_plug'] }],
  ['打开咖啡机', 'HassTurnOn', { ids: ['coffee'] }],
  ['走廊灯关掉', 'HassTurnOff', { ids: ['hall_light'] }],
];

const COVERS_LOCKS: Case[] = [
  ['把车库门关上', 'HassTurnOff', { ids: ['garage_door'], slots: { domain: 'cover' } }],
  ['打开车库门', 'HassTurnOn', { ids: ['garage_door'] }],
  ['拉上卧室的窗帘', 'HassTurnOff', { ids: ['bedroom_curtains'] }],
  ['客厅窗帘打开一半', 'HassSetPosition', { ids: ['lr_blinds'], slots: { position: 50 } }],
  ['把客厅的窗帘调到百分之三十', 'HassSetPosition', { ids: ['lr_blinds'], slots: { position: 30 } }],
  ['停止车库门', 'HassStopMoving', { ids: ['garage_door'] }],
  ['锁上前门', 'HassTurnOn', { ids: ['front_door'], slots: { domain: 'lock' } }],
  ['把后门锁好', 'HassTurnOn', { ids: ['back_door'] }],
  ['解锁前门', 'HassTurnOff', { ids: ['front_door'], slots: { domain: 'lock' } }],
];

const LEVELS: Case[] = [
  ['把客厅灯调到百分之四十', 'HassLightSet', { ids: ['lr_ceiling', 'floor_lamp'], slots: { brightness: 40 } }],
  ['厨房灯亮度调到80%', 'HassLightSet', { ids: ['kitchen_light'], slots: { brightness: 80 } }],
  ['将卧室台灯设为５０％', 'HassLightSet', { ids: ['bedroom_lamp'], slots: { brightness: 50 } }],
  ['把落地灯调暗到百分之二十', 'HassLightSet', { ids: ['floor_lamp'], slots: { brightness: 20 } }],
  ['书房风扇风速调到七十', 'HassFanSetSpeed', { ids: ['office_fan'], slots: { percentage: 70 } }],
];

const CLIMATE: Case[] = [
  ['卧室温度设为22度', 'HassClimateSetTemperature', { ids: ['bedroom_ac'], slots: { temperature: 22 } }],
  ['把卧室空调调到二十六度', 'HassClimateSetTemperature', { ids: ['bedroom_ac'], slots: { temperature: 26 } }],
  ['客厅温度调到二十二点五度', 'HassClimateSetTemperature', { ids: ['thermostat'], slots: { temperature: 22.5 } }],
  ['温控器设置为十九度', 'HassClimateSetTemperature', { ids: ['thermostat'], slots: { temperature: 19 } }],
  ['调到二十度', 'HassClimateSetTemperature', { ids: ['bedroom_ac'], session: 'bedroom', slots: { temperature: 20 } }],
  ['客厅温度是多少', 'HassClimateGetTemperature', { ids: ['thermostat'] }],
  ['客厅现在多少度', 'HassClimateGetTemperature', { ids: ['thermostat'] }],
  ['卧室冷不冷', 'HassClimateGetTemperature', { ids: ['bedroom_ac'] }],
  ['浴室温度多少', 'HassClimateGetTemperature', { ids: ['bath_temp'] }],
  ['把客厅温度调高到25度', 'HassClimateSetTemperature', { ids: ['thermostat'], slots: { temperature: 25 } }],
  ['现在室内温度多少', 'HassClimateGetTemperature', { ids: ['thermostat'], session: 'living_room' }],
];

const STATE: Case[] = [
  ['前门锁了吗', 'HassGetState', { ids: ['front_door'], slots: { state: 'locked' } }],
  ['前门锁上了没有', 'HassGetState', { ids: ['front_door'], slots: { state: 'locked' } }],
  ['后门锁没锁', 'HassGetState', { ids: ['back_door'], slots: { state: 'locked' } }],
  ['厨房灯开着吗', 'HassGetState', { ids: ['kitchen_light'], slots: { state: 'on' } }],
  ['车库门是不是关着', 'HassGetState', { ids: ['garage_door'], slots: { state: 'off' } }],
  ['客厅的湿度是多少', 'HassGetState', { ids: ['lr_humidity'], slots: { measurement: 'humidity' } }],
  ['浴室湿度怎么样', 'HassGetState', { ids: ['bath_humidity'] }],
  ['哪些灯开着', 'HassGetState', { slots: { state: 'on', all: true } }],
  ['前门锁好了吗', 'HassGetState', { ids: ['front_door'], slots: { state: 'locked' } }],
  ['车库门关好了没', 'HassGetState', { ids: ['garage_door'], slots: { state: 'closed' } }],
];

const TIMERS: Case[] = [
  ['设置一个五分钟的定时器', 'HassStartTimer', { slots: { duration: 300 } }],
  ['设置一个5分钟的定时器', 'HassStartTimer', { slots: { duration: 300 } }],
  ['定时十分钟', 'HassStartTimer', { slots: { duration: 600 } }],
  ['帮我设一个半小时的计时器', 'HassStartTimer', { slots: { duration: 1800 } }],
  ['设置一个一个半小时的定时器', 'HassStartTimer', { slots: { duration: 5400 } }],
  ['倒计时三十秒', 'HassStartTimer', { slots: { duration: 30 } }],
  ['二十分钟后提醒我', 'HassStartTimer', { slots: { duration: 1200 } }],
  ['定一个一小时零五分的定时器', 'HassStartTimer', { slots: { duration: 3900 } }],
  ['取消定时器', 'HassCancelTimer'],
  ['把计时器关掉', 'HassCancelTimer'],
  ['取消所有定时器', 'HassCancelAllTimers'],
  ['定时器还剩多少时间', 'HassTimerStatus'],
  ['还剩多久', 'HassTimerStatus'],
  ['暂停定时器', 'HassPauseTimer'],
];

const OTHER: Case[] = [
  ['系统状态怎么样', 'HubStatus'],
  ['网关还好吗', 'HubStatus'],
  ['今天天气怎么样', 'HassGetWeather', { slots: { day: 'today' } }],
  ['明天会下雨吗', 'HassGetWeather', { slots: { day: 'tomorrow' } }],
  ['天气', 'HassGetWeather'],
  ['北京天气怎么样', 'HassGetWeather', { slots: { location: '北京' } }],
  ['现在几点了', 'HassGetCurrentTime'],
];

const MIXED: Case[] = [
  ['turn on 厨房的灯', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['打开 kitchen light', 'HassTurnOn', { ids: ['kitchen_light'] }],
  ['关掉 tv plug', 'HassTurnOff', { ids: ['tv_plug'] }],
];

for (const [title, cases] of Object.entries({ ON_OFF, COVERS_LOCKS, LEVELS, CLIMATE, STATE, TIMERS, OTHER, MIXED })) {
  describe(`chinese ${title}`, () => {
    for (const [text, intent, expect] of cases) test(text, () => { expectIntent(engine, text, intent, expect); });
  });
}
