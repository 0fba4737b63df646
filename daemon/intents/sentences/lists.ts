/**
 * Word lists the sentence templates use as slots (`{type}`, `{all}`, `{here}`, `{state}`…), English and
 * Chinese together: lists are shared by both languages so mixed utterances ("turn on 厨房的灯") still
 * find their words. Data only; daemon/intents/lists.ts builds the lookup tries.
 */
import type { DeviceType } from '../../../devices/model.js';
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
    ['all', true], ['all of', true], ['every', true], ['each', true],
    ['所有', true], ['全部', true], ['全', true], ['都', true], ['每个', true], ['每一个', true], ['一切', true],
  ],
  everywhere: [
    ['everywhere', true], ['in house', true], ['in whole house', true], ['in entire house', true],
    ['in home', true], ['in whole home', true], ['throughout house', true], ['in every room', true],
    ['in all rooms', true], ['in apartment', true], ['in whole apartment', true], ['in flat', true],
    ['全屋', true], ['家里', true], ['家里面', true], ['整个家', true], ['整个房子', true], ['所有房间', true], ['全家', true],
  ],
  here: [
    ['here', true], ['in here', true], ['this room', true], ['in this room', true], ['around here', true],
    ['this area', true], ['in this area', true],
    ['这里', true], ['这儿', true], ['这边', true], ['这个房间', true], ['这间房', true], ['这间屋', true], ['房间里', true],
    ['屋里', true], ['屋子里', true], ['本房间', true],
  ],
  any: [['any', true], ['some', true], ['any of', true]],
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
  ],
  measurement: [
    ['temperature', 'temperature'], ['temp', 'temperature'],
    ['humidity', 'humidity'], ['relative humidity', 'humidity'],
    ['pressure', 'pressure'], ['air pressure', 'pressure'], ['barometric pressure', 'pressure'],
    ['co2', 'co2'], ['carbon dioxide', 'co2'], ['co2 level', 'co2'],
    ['battery', 'battery'], ['battery level', 'battery'],
    ['power', 'power'], ['power usage', 'power'], ['power consumption', 'power'], ['energy usage', 'power'],
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
