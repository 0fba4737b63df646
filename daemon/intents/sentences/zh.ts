/**
 * Chinese sentences (data, hassil template syntax). Matched character by character, so no spaces are
 * needed. 请/把/将/的/了/一下/帮我 are dropped before matching (sentences/fillers.ts): "把客厅的灯打开" is
 * matched as "客厅灯打开", and the templates leave those words out.
 */
import type { LangSentences } from '../types.js';

export const ZH_SENTENCES: LangSentences = {
  lang: 'zh',
  rules: {
    where: '({area}[里|里面|内|中]|{here}|{floor}[上|里])',
    target: [
      '({name}',
      '|{area}[里|里面|内]{name}',
      '|{name}{type}',
      '|[{all}][{area}][里|里面|内][{all}]{type}[{all}]',
      '|{here}[{all}]{type}[{all}]',
      '|[{all}]{floor}[上|里][{all}]{type}[{all}]',
      '|{everywhere:all}[{all}]{type}[{all}]',
      ')',
    ].join(''),
    on: '[给](打开|开|开启|启动|点亮|亮起|开开|打开来)',
    off: '[给](关|关掉|关闭|关上|熄灭|灭掉|灭|停掉|关停)',
    setto: '(调|调整|调节|设|设置|设定|改|变|开|定|放|弄)[到|为|成|至|在]',
    ask: '(吗|没有|没|呢|没有呢|么|不)',
  },
  intents: {
    HassTurnOn: [
      {
        domains: ['light', 'switch', 'fan', 'climate'],
        unknownNames: true,
        sentences: ['<on><target>', '<target><on>', '<target>(亮|亮起来|开起来|打开吧|通电)', '让<target>亮[起来]', '<target><on>{all}'],
      },
      { domains: ['light'], sentences: ['<on>{area}', '{area}<on>'] },
      {
        domains: ['cover'],
        unknownNames: true,
        sentences: ['(打开|拉开|升起|升高|卷起|开|掀开)<target>', '<target>[给](打开|拉开|升起|升上去|开|卷起来|拉起来|升起来|升高)'],
      },
      {
        domains: ['lock'],
        unknownNames: true,
        sentences: ['(锁上|锁好|锁住|锁|上锁|关上|关好)<target>', '<target>(锁上|锁好|锁住|锁起来|上锁|锁|关上|关好)', '给<target>上锁'],
      },
    ],
    HassTurnOff: [
      {
        domains: ['light', 'switch', 'fan', 'climate'],
        unknownNames: true,
        sentences: ['<off><target>', '<target><off>', '<target>(断电|停下)', '让<target>灭', '<target><off>{all}'],
      },
      { domains: ['light'], sentences: ['<off>{area}', '{area}<off>'] },
      {
        domains: ['cover'],
        unknownNames: true,
        sentences: ['(关上|关闭|关|拉上|合上|放下|降下|落下)<target>', '<target>(关上|关闭|关|拉上|合上|放下|降下|降下来|放下来|拉起)'],
      },
      {
        domains: ['lock'],
        unknownNames: true,
        sentences: ['(解锁|开锁|打开|开)<target>', '<target>(解锁|开锁|打开)', '给<target>(解锁|开锁)'],
      },
    ],
    HassToggle: [{ domains: ['light', 'switch', 'fan'], sentences: ['切换<target>[状态]', '<target>切换[状态]', '反转<target>'] }],
    HassStopMoving: [
      { domains: ['cover'], sentences: ['(停止|停下|停|暂停)<target>', '<target>(停止|停下|停|别动|停住|暂停)', '让<target>停[下]'] },
    ],
    HassSetPosition: [
      {
        domains: ['cover'],
        sentences: [
          '<target>[位置]<setto>{position}', '<target>(开|打开|开启|拉开|关|关上|关闭|拉上|升|降)[到|至]{position}',
          '(打开|拉开|开)<target>[到|至]{position}', '(打开|拉开|开)<target>{position}',
          '<setto><target>[位置][到|为|成|至]{position}', '(关闭|关上|关|拉上|合上|放下|降下|降|打开|拉开|升起|升)<target>[到|至|为]{position}',
        ],
      },
    ],
    HassLightSet: [
      {
        domains: ['light'],
        sentences: [
          '<target>[亮度]<setto>{brightness}[亮度]', '<target>(调亮|调暗|调高|调低|亮度调高|亮度调低)[到|至|为]{brightness}',
          '(调亮|调暗)<target>[到|至]{brightness}', '<setto><target>[亮度][到|为|成]{brightness}',
          '<target>亮度{brightness}', '<target>{pct:brightness}', '亮度<setto>{brightness}',
          '<on><target>[到|至]{pct:brightness}', '{area}[亮度]<setto>{pct:brightness}',
        ],
      },
      {
        domains: ['light'],
        sentences: ['<target>[亮度][再|稍微|稍稍|稍|更|再稍微]{brightness_step}', '[再|稍微]{brightness_step}<target>', '[<where>][再|稍微]{brightness_step}'],
      },
    ],
    HassFanSetSpeed: [
      {
        domains: ['fan'],
        sentences: ['<target>[风速|速度|转速|风量]<setto>{percentage}', '(风速|风量)<setto>{percentage}'],
      },
    ],
    HassClimateSetTemperature: [
      {
        domains: ['climate'],
        sentences: [
          '<target>[温度]<setto>{temperature}', '<target>[温度]{degrees:temperature}', '<on><target>[到|至]{degrees:temperature}',
          '<where>[温度|室温]<setto>{temperature}', '<where>温度{degrees:temperature}',
          '(<where>|<target>)[温度|室温](调高|调低|升高|降低|升|降|提高)[到|至]{temperature}',
          '[室内]温度(调高|调低|升高|降低|<setto>)[到|至]{temperature}', '[室内]温度{degrees:temperature}',
          '<setto>{degrees:temperature}', '<setto><target>[温度][到|为|成]{temperature}',
          // 它自己的最低、最高温度（min_temp / max_temp）：“空调调到最低”。
          '<target>[温度]<setto>{setting}', '<setto><target>[温度][到|为|成]{setting}', '<where>[温度|室温]<setto>{setting}', '[室内]温度<setto>{setting}',
          '<target>[温度](开|调)[到]{setting}',
        ],
      },
    ],
    HassClimateGetTemperature: [
      {
        sentences: [
          '[<where>][现在](温度|气温|室温)[现在][是][多少|几度|多少度|怎么样|如何|咋样|怎样|高吗|高不高]',
          '[<where>][现在][是](多少|几)度', '[现在][室内][现在](温度|室温)[是][多少|几度|多少度|怎么样]',
          '<where>[现在](冷吗|热吗|冷不冷|热不热|暖和吗|凉快吗|暖和不暖和)',
          '<target>[现在][的](温度|气温)[是][多少|几度|多少度|怎么样]', '<target>[现在][是](多少|几)度',
          '<target>设[置|定][是|在|成|为|到|得](多少|几)度', '<target>(设置|设定|调)[是|在|成|为|到|得](多少|几)度',
        ],
      },
    ],
    HassGetState: [
      {
        sentences: [
          '<target>[还][是]{state}[着]<ask>', '<target>[还](是不是|是否|有没有){state}[着][<ask>]',
          '[请问]<target>(是不是|是否)还{state}[着][<ask>]',
        ],
      },
      { slots: { state: 'locked' }, domains: ['lock'], sentences: ['<target>(锁没锁|锁没锁上|锁好没有|锁上没有|锁好没)'] },
      {
        sentences: [
          '<target>[现在][是][什么|啥]状态', '<target>状态[是什么|怎么样|如何]',
          '<target>[现在][是](开着还是关着|关着还是开着|开还是关|关还是开|锁着还是开着)',
        ],
      },
      { slots: { all: true }, sentences: ['[<where>](哪些|哪个|哪几个|什么){type}[还][是]{state}[着]', '[<where>]有(哪些|什么){type}[还][是]{state}[着]'] },
      { slots: { any: true }, sentences: ['[<where>](有|有没有)[任何]{type}[还][是]{state}[着][<ask>]'] },
      {
        slots: { all: true, count: true },
        sentences: [
          '[<where>][一共|总共]有{count}{type}[是|还|正][在]{state}[着][<ask>]', '[<where>]{count}{type}[是|还][在]{state}[着][<ask>]',
          '[<where>]{state}[着]{type}[一共|总共]有{count}', '[<where>]{type}有{count}[是|还][在]{state}[着]',
          '[<where>]{state}[着]{type}[一共|总共]{count}',
        ],
      },
      {
        sentences: [
          '[<where>][现在]{measurement}[是][多少|怎么样|如何|咋样|高吗|高不高|大吗]',
          '<target>[现在]{measurement}[是][多少|怎么样|如何]',
        ],
      },
      { slots: { measurement: 'humidity' }, sentences: ['[<where>][现在](潮湿|干燥|潮|干)(吗|不潮湿|不干燥)'] },
      {
        slots: { state: 'on' },
        sentences: [
          '[<where>](有|有没有|是否有|是不是有)[任何]{sensor_class}[<ask>]', '<where>{sensor_class}[<ask>]', '{sensor_class}<ask>', '[<where>]检测到{sensor_class}[<ask>]',
          '[<where>]有没有检测到{sensor_class}', '<target>(检测到|发现|探测到)[任何]{sensor_class}[<ask>]',
        ],
      },
      { slots: { state: 'on' }, domains: ['binary_sensor'], sentences: ['<target>(响|触发|报警|响起|在响|叫)[<ask>]'] },
      {
        slots: { measurement: 'battery' },
        sentences: [
          '<target>(电池|电量)[是不是|是否][电量](低|不足|快没了|够|还够)[<ask>]', '<target>(没电|快没电|要没电)[<ask>]', '<target>要(换|充)电池[<ask>]',
          '<target>还[有|剩](多少|几格)电', '<target>(电量|电池)还剩(多少|几格)', '<target>[的](电量|电池)(怎么样|如何)',
        ],
      },
      {
        slots: { sensor_class: 'battery_low', state: 'on' },
        sentences: ['[<where>]有(没有|哪些|什么)[设备|传感器](电量低|没电|电池电量低|低电量|电池快没电)[<ask>]', '[<where>](哪些|哪个)(设备|传感器)(电量低|没电|低电量|要换电池)'],
      },
    ],
    HassGetCurrentTime: [{ sentences: ['[现在]几点[钟][吗]', '现在[是]什么时间', '现在时间'] }],
    HassGetCurrentDate: [{ sentences: ['今天[是](几号|星期几|周几|礼拜几|什么日子)', '今天日期', '今天[是]几月几号'] }],
  },
};
