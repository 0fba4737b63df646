/**
 * Word lists the sentence templates use as slots (`{type}`, `{all}`, `{here}`, `{state}`…), English and
 * Chinese together: lists are shared by both languages so mixed utterances ("turn on 厨房的灯") still
 * find their words. Data only; daemon/intents/lists.ts builds the lookup tries.
 */
import type { DeviceType } from '../../../devices/model.js';
import { SENSOR_CLASS_WORDS } from './sensorClasses.js';
import { typeWordGroups } from '../../../devices/kinds/index.js';

export interface TypeWords {
  domains: readonly DeviceType[];
  /**
   * Narrows covers and sensors by what they are: "blinds" never means the garage door, "door" never a
   * window (judged from the device class or the words of its name; see resolve.ts).
   */
  kind?: 'door' | 'window' | 'shade';
  /** Words for one device (Chinese nouns have no plural, so they are all here). */
  one: readonly string[];
  /** Plural words: "turn off the lights" means every light in scope. */
  many: readonly string[];
}

/** Device type words: each kind's own (devices/kinds/<kind>.ts `typeWords`), through the table of kinds. */
export const TYPE_WORDS: readonly TypeWords[] = typeWordGroups();

/** Lists of spoken forms and the value they stand for. */
export const STATIC_LISTS: Readonly<Record<string, readonly (string | readonly [string, unknown])[]>> = {
  all: [
    ['all', true], ['all of', true], ['every', true], ['each', true], ['every single', true], ['each and every', true],
    ['every last', true], ['all of our', true], ['all our', true],
    ['所有', true], ['全部', true], ['全', true], ['都', true], ['每个', true], ['每一个', true], ['一切', true],
    ['全都', true], ['统统', true], ['通通', true], ['每一盏', true], ['每盏', true], ['所有个', true],
  ],
  everywhere: [
    ['everywhere', true], ['in house', true], ['in whole house', true], ['in entire house', true],
    ['in home', true], ['in whole home', true], ['throughout house', true], ['in every room', true],
    ['in all rooms', true], ['in apartment', true], ['in whole apartment', true], ['in flat', true],
    ['anywhere', true], ['anywhere in house', true], ['whole house', true], ['entire house', true], ['whole home', true], ['entire home', true], ['all over house', true],
    ['everywhere in house', true], ['around house', true], ['throughout home', true], ['in every single room', true],
    ['all around house', true], ['house wide', true], ['across house', true], ['in entire home', true],
    ['全屋', true], ['家里', true], ['家里面', true], ['整个家', true], ['整个房子', true], ['所有房间', true], ['全家', true],
    ['整个家里', true], ['整间屋', true], ['整个屋子', true], ['屋里所有', true], ['每个房间', true], ['各个房间', true], ['家中', true],
    ['全家里', true], ['到处', true],
  ],
  here: [
    ['here', true], ['in here', true], ['this room', true], ['in this room', true], ['around here', true],
    ['this area', true], ['in this area', true],
    ['这里', true], ['这儿', true], ['这边', true], ['这个房间', true], ['这间房', true], ['这间屋', true], ['房间里', true],
    ['屋里', true], ['屋子里', true], ['本房间', true],
  ],
  any: [['any', true], ['some', true], ['any of', true]],
  /** "a bit brighter", 调亮一点: a relative change by BRIGHTNESS_STEP (resolve.ts), up or down. */
  brightness_step: [
    ['brighter', 'up'], ['a bit brighter', 'up'], ['a little brighter', 'up'], ['bit brighter', 'up'], ['little brighter', 'up'],
    ['more brighter', 'up'], ['lighter', 'up'], ['up', 'up'], ['more light', 'up'],
    ['darker', 'down'], ['dimmer', 'down'], ['a bit darker', 'down'], ['a bit dimmer', 'down'], ['a little dimmer', 'down'],
    ['a little darker', 'down'], ['down', 'down'], ['less bright', 'down'], ['less light', 'down'],
    ['亮一点', 'up'], ['亮一些', 'up'], ['亮些', 'up'], ['亮点', 'up'], ['更亮', 'up'], ['更亮一点', 'up'], ['再亮一点', 'up'],
    ['再亮一些', 'up'], ['再亮点', 'up'], ['调亮', 'up'], ['调亮一点', 'up'], ['调亮些', 'up'], ['调亮一些', 'up'], ['调亮点', 'up'],
    ['暗一点', 'down'], ['暗一些', 'down'], ['暗些', 'down'], ['暗点', 'down'], ['更暗', 'down'], ['更暗一点', 'down'], ['再暗一点', 'down'],
    ['再暗一些', 'down'], ['再暗点', 'down'], ['调暗', 'down'], ['调暗一点', 'down'], ['调暗些', 'down'], ['调暗一些', 'down'], ['调暗点', 'down'],
  ],
  sensor_class: SENSOR_CLASS_WORDS,
  /** "how many", 几个: a counting question. */
  count: [['how many', true], ['how many of', true], ['number of', true], ['几个', true], ['几盏', true], ['多少个', true], ['多少盏', true], ['几', true], ['多少', true]],
  state: [
    ['on', 'on'], ['turned on', 'on'], ['switched on', 'on'], ['running', 'on'],
    ['off', 'off'], ['turned off', 'off'], ['switched off', 'off'],
    ['open', 'open'], ['opened', 'open'], ['closed', 'closed'], ['shut', 'closed'],
    ['locked', 'locked'], ['unlocked', 'unlocked'], ['not locked', 'unlocked'],
    ['开着', 'on'], ['开', 'on'], ['亮着', 'on'], ['亮', 'on'], ['打开', 'on'], ['打开着', 'on'], ['开启', 'on'],
    ['开启着', 'on'],
    ['关着', 'off'], ['关', 'off'], ['关闭', 'off'], ['关闭着', 'off'], ['关掉', 'off'], ['关上', 'off'],
    ['灭', 'off'], ['灭着', 'off'], ['熄灭', 'off'], ['关好', 'closed'], ['关严', 'closed'],
    ['锁着', 'locked'], ['锁', 'locked'], ['锁上', 'locked'], ['锁好', 'locked'], ['锁住', 'locked'], ['上锁', 'locked'],
    ['没锁', 'unlocked'], ['未锁', 'unlocked'], ['没有锁', 'unlocked'], ['没锁上', 'unlocked'], ['解锁', 'unlocked'],
    ['开锁', 'unlocked'],
    ['拉开', 'open'], ['拉上', 'closed'], ['合上', 'closed'],
    // What a robot vacuum reports (HA's vacuum states), and charging (a battery_charging sensor, or a vacuum on its dock).
    ['cleaning', 'cleaning'], ['vacuuming', 'cleaning'], ['mopping', 'cleaning'], ['hoovering', 'cleaning'], ['still cleaning', 'cleaning'],
    ['docked', 'docked'], ['returning', 'returning'], ['going home', 'returning'], ['paused', 'paused'], ['idle', 'idle'],
    ['charging', 'charging'], ['being charged', 'charging'], ['charged', 'charged'], ['fully charged', 'charged'],
    ['在扫地', 'cleaning'], ['扫地', 'cleaning'], ['在清扫', 'cleaning'], ['清扫', 'cleaning'], ['在打扫', 'cleaning'], ['打扫', 'cleaning'],
    ['在拖地', 'cleaning'], ['在充电', 'charging'], ['充电', 'charging'], ['充电中', 'charging'],
    ['充满电', 'charged'], ['充满', 'charged'], ['在回充', 'returning'], ['回充', 'returning'], ['暂停', 'paused'], ['暂停着', 'paused'],
    ['在充电座上', 'docked'], ['在充电座', 'docked'], ['在基站', 'docked'], ['回到充电座', 'docked'], ['回到基站', 'docked'],
  ],
  measurement: [
    ['temperature', 'temperature'], ['temp', 'temperature'],
    ['humidity', 'humidity'], ['relative humidity', 'humidity'],
    ['pressure', 'pressure'], ['air pressure', 'pressure'], ['barometric pressure', 'pressure'],
    ['co2', 'co2'], ['carbon dioxide', 'co2'], ['co2 level', 'co2'],
    ['battery', 'battery'], ['battery level', 'battery'],
    ['power', 'power'], ['power usage', 'power'], ['power consumption', 'power'], ['power draw', 'power'],
    ['energy', 'energy'], ['energy usage', 'energy'], ['energy consumption', 'energy'], ['energy use', 'energy'],
    ['pm2.5', 'pm25'], ['pm 2.5', 'pm25'], ['pm25', 'pm25'], ['particulate matter', 'pm25'], ['fine dust', 'pm25'],
    ['speed', 'speed'], ['wind speed', 'speed'], ['voltage', 'voltage'], ['current', 'current'],
    ['noise level', 'sound_pressure'], ['sound level', 'sound_pressure'],
    ['二氧化碳浓度', 'co2'], ['co2浓度', 'co2'], ['细颗粒物', 'pm25'], ['pm2.5浓度', 'pm25'], ['用电量', 'energy'], ['能耗', 'energy'], ['电压', 'voltage'], ['电流', 'current'],
    ['噪音', 'sound_pressure'], ['亮度', 'illuminance'],
    ['illuminance', 'illuminance'], ['light level', 'illuminance'],
    ['温度', 'temperature'], ['气温', 'temperature'], ['室温', 'temperature'],
    ['湿度', 'humidity'], ['气压', 'pressure'], ['二氧化碳', 'co2'], ['电量', 'battery'], ['电池', 'battery'],
    ['功率', 'power'], ['耗电', 'power'], ['用电', 'power'], ['光照', 'illuminance'], ['照度', 'illuminance'],
  ],
  day: [
    ['today', 'today'], ['tonight', 'today'], ['now', 'today'], ['right now', 'today'], ['outside', 'today'],
    ['tomorrow', 'tomorrow'], ['this week', 'week'], ['this weekend', 'week'],
    ['今天', 'today'], ['今晚', 'today'], ['现在', 'today'], ['外面', 'today'], ['明天', 'tomorrow'], ['后天', 'day_after'],
    ['这周', 'week'], ['本周', 'week'], ['周末', 'week'],
  ],
};
