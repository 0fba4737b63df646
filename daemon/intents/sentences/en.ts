/**
 * English sentences (data, in hassil's template syntax; see daemon/intents/template.ts). Fillers such as
 * "the", "please", "can you" are dropped before matching (sentences/fillers.ts), so templates leave them out.
 * Intent names and slots follow Home Assistant's intents; `domains` is hassil's `requires_context: domain`.
 * Order matters only on a tie: earlier intents and sentences win. Only device intents live here (and time and
 * date, which no plugin answers yet); timers, hub status and weather ship their sentences in their plugins.
 */
import type { LangSentences } from '../types.js';

const ON = '(turn|switch|power|flip|put) on';
const OFF = '(turn|switch|power|flip|put|shut) off';

export const EN_SENTENCES: LangSentences = {
  lang: 'en',
  rules: {
    in_area: '((in|on|at|of|from|for|inside|around|throughout|across) {area} [room]|{here}|{everywhere:all}|[on|in|at|throughout|across] {floor})',
    target: [
      '({name} [<in_area>]',
      '|{area} {name}',
      '|{name} {type} [<in_area>]',
      '|[{all}] {area} {type} [{everywhere:all}]',
      '|[{all}] {floor} {type}',
      '|[{all}] {type} [<in_area>]',
      ')',
    ].join(''),
    to: '(to|at|on|into)',
    fully: '(all way|fully|completely|entirely)',
    temp_word: '(temperature|temp|heat|heating)',
    bit: '(a bit|a little|a little bit|a touch|slightly|some|a notch|more|a lot|further)',
  },
  intents: {
    HassTurnOn: [
      {
        domains: ['light', 'switch', 'fan', 'climate'],
        unknownNames: true,
        sentences: [
          `${ON} <target>`, '(turn|switch|power|flip|put) <target> on [<in_area>]', '<target> on [<in_area>]',
          '(activate|enable|start) <target>', 'light up <target>', '(i want|i would like|i need) <target> on [<in_area>]',
        ],
      },
      { domains: ['light'], sentences: [`${ON} {area}`, '(turn|switch) {area} on'] },
      { domains: ['light'], slots: { all: true }, sentences: [`${ON} everything [<in_area>]`, '(turn|switch) everything on [<in_area>]'] },
      {
        domains: ['cover'],
        unknownNames: true,
        sentences: [
          'open [up] <target> [<fully>]', '(raise|lift|roll up|pull up|draw open) <target> [<fully>]', '(roll|pull) <target> up',
          '<target> open',
        ],
      },
      { domains: ['cover'], sentences: ['open [up] {area}'] },
      {
        domains: ['lock'],
        unknownNames: true,
        sentences: ['lock [up] <target>', 'lock <target> up', 'secure <target>'],
      },
    ],
    HassTurnOff: [
      {
        domains: ['light', 'switch', 'fan', 'climate'],
        unknownNames: true,
        sentences: [
          `${OFF} <target>`, '(turn|switch|power|flip|put|shut) <target> off [<in_area>]', '<target> off [<in_area>]',
          '(deactivate|disable|kill|cut) <target>', 'shut down <target>', '(i want|i would like) <target> off [<in_area>]',
        ],
      },
      { domains: ['fan', 'switch', 'climate'], sentences: ['stop <target>'] },
      { domains: ['light'], sentences: [`${OFF} {area}`, '(turn|switch) {area} off'] },
      { domains: ['light'], slots: { all: true }, sentences: [`${OFF} everything [<in_area>]`, '(turn|switch) everything off [<in_area>]'] },
      {
        domains: ['cover'],
        unknownNames: true,
        sentences: [
          '(close|shut) [up] <target> [<fully>]', '(lower|roll down|pull down|draw) <target> [<fully>]', '(roll|pull) <target> down',
          '<target> (close|closed)',
        ],
      },
      { domains: ['cover'], sentences: ['(close|shut) [up] {area}'] },
      { domains: ['lock'], unknownNames: true, sentences: ['unlock <target>', 'open <target>', 'unbolt <target>'] },
    ],
    HassToggle: [{ domains: ['light', 'switch', 'fan'], unknownNames: true, sentences: ['toggle <target>', 'flip <target>'] }],
    HassStopMoving: [{ domains: ['cover'], sentences: ['(stop|halt|pause|freeze) <target>', '<target> stop'] }],
    HassSetPosition: [
      {
        domains: ['cover'],
        sentences: [
          '(open|close|raise|lower|set|move|adjust|put|bring|change|roll|turn) <target> <to> {position}',
          '(open|close|raise|lower|set|move|put) <target> {position}',
          'set [the] position of <target> <to> {position}', 'set <target> position <to> {position}',
          '<target> <to> {pct:position}',
        ],
      },
    ],
    HassLightSet: [
      {
        domains: ['light'],
        sentences: [
          'set <target> [brightness] <to> {brightness} [brightness] [<in_area>]', 'set {area} brightness <to> {brightness}',
          '[set|change|adjust|put] [the] brightness (of|for|on) <target> <to> {brightness}',
          '(dim|brighten|lower|raise|adjust|change|make|put|bring|turn) <target> [brightness] <to> {brightness}',
          '(dim|brighten) <target> {brightness}', '(set|make|put|turn) <target> [at] {pct:brightness}',
          '(turn|dim|bring) <target> (down|up) <to> {brightness}', '(turn|dim) (down|up) <target> <to> {brightness}',
          `${ON} <target> <to> {brightness}`, '(turn|switch) <target> on <to> {brightness}',
          '<target> [brightness] <to> {brightness} [brightness]', '<target> brightness {brightness}', '<target> [at] {pct:brightness}',
          '[change|set|adjust] brightness <in_area> <to> {brightness}', '[change|set|adjust] brightness <to> {brightness}',
          '(set|dim|brighten|put) {area} <to> {pct:brightness}',
        ],
      },
      {
        domains: ['light'],
        slots: { brightness: 100 },
        sentences: ['(turn|bring|put) <target> [brightness] all way up', '(turn|bring) [brightness] all way up (on|of|for) <target>', '[turn] brightness all way up [<in_area>]'],
      },
      {
        domains: ['light'],
        slots: { brightness: 1 },
        sentences: ['(turn|bring|put|dim) <target> [brightness] all way down', '(turn|bring) [brightness] all way down (on|of|for) <target>', '[turn] brightness all way down [<in_area>]'],
      },
      {
        // "Turn up the lamp", "turn the lamp down a bit", "make the lamp brighter": up or down from the list.
        domains: ['light'],
        sentences: [
          '(turn|bring) {brightness_step} <target> [<bit>]', '(turn|bring) <target> {brightness_step} [<bit>]',
          '(make|get) <target> [<bit>] {brightness_step}', '(make|get) it [<bit>] {brightness_step} [<in_area>]', '<target> {brightness_step} [<bit>]',
        ],
      },
      {
        domains: ['light'],
        slots: { brightness_step: 'up' },
        sentences: [
          'brighten [up] <target> [<bit>]', '(increase|raise|boost|up) [the] brightness (of|on|for|in) <target> [<bit>]',
          '(increase|raise|boost) <target> brightness [<bit>]', '[a bit|a little] (brighter|more light) [<in_area>]',
          '(increase|raise) [the] brightness [<in_area>] [<bit>]',
        ],
      },
      {
        domains: ['light'],
        slots: { brightness_step: 'down' },
        sentences: [
          'dim [down] <target> [<bit>]', 'dim <target> down', '(decrease|lower|reduce|drop) [the] brightness (of|on|for|in) <target> [<bit>]',
          '(decrease|lower|reduce) <target> brightness [<bit>]', '[a bit|a little] (darker|dimmer|less light) [<in_area>]',
          '(decrease|lower|reduce) [the] brightness [<in_area>] [<bit>]', 'dim [the] (light|lights|lighting) [<in_area>] [<bit>]',
        ],
      },
    ],
    HassFanSetSpeed: [
      {
        domains: ['fan'],
        sentences: [
          'set <target> [speed] <to> {percentage}', 'set [the] speed (of|for) <target> <to> {percentage}',
          '(turn|put|change|adjust|bring) <target> [up|down] [speed] <to> {percentage}', '<target> [speed] <to> {percentage}',
        ],
      },
    ],
    HassClimateSetTemperature: [
      {
        domains: ['climate'],
        sentences: [
          'set <target> [<temp_word>] <to> {temperature}',
          'set [the] <temp_word> (of|on|for) <target> <to> {temperature}',
          '(turn|change|adjust|put|make|bring|raise|lower|increase|decrease) <target> [<temp_word>] [up|down] <to> {temperature}',
          '<target> [<temp_word>] <to> {temperature}', '(turn|bring|put) (up|down) <target> <to> {temperature}',
          '(set|change|adjust|put|raise|lower|increase|decrease|turn) [the] <temp_word> [up|down] [<in_area>] <to> {temperature} [<in_area>]',
          '(set|change|adjust|put) {area} <temp_word> <to> {temperature}',
          '(set|make|heat|cool|warm) [up|down] {area} <to> {degrees:temperature}',
          '(make|keep|set) it {degrees:temperature} [<in_area>]',
          '(i want|i would like|i need) it [to be] {degrees:temperature} [<in_area>]',
          '<temp_word> [<in_area>] <to> {temperature}',
          // Its own lowest or highest set-point (min_temp / max_temp): "set the heating to the minimum".
          'set <target> [<temp_word>] <to> {setting}', '(turn|put|bring|change|crank) <target> [<temp_word>] [up|down] <to> {setting}',
          '<target> [<temp_word>] <to> {setting}', '(set|turn|put) [the] <temp_word> [up|down] [<in_area>] <to> {setting} [<in_area>]',
        ],
      },
      { domains: ['climate'], slots: { setting: 'max' }, sentences: ['(turn|crank|put) <target> all way up', '(turn|crank) [the] <temp_word> all way up [<in_area>]'] },
      { domains: ['climate'], slots: { setting: 'min' }, sentences: ['(turn|put) <target> all way down', 'turn [the] <temp_word> all way down [<in_area>]'] },
    ],
    HassClimateGetTemperature: [
      {
        sentences: [
          'what is [current|indoor|inside] (temperature|temp) [<in_area>] [inside|indoors]', 'what is {area} (temperature|temp)',
          'how (warm|hot|cold|cool|chilly) is it [<in_area>]', 'how (warm|hot|cold|cool|chilly) is {area}',
          'what temperature is it [<in_area>]', 'how many degrees is it [<in_area>]',
          '[current] (temperature|temp) [<in_area>]', '{area} (temperature|temp)',
          'what is [current] (temperature|temp) (of|on|from) <target>', 'what is <target> (temperature|temp)',
          'what (temperature|temp) is <target> [set to]', 'what is <target> set to',
          'is it (warm|hot|cold|cool|chilly) <in_area>', 'how is [the] (temperature|temp) [<in_area>]',
          'what is [the] (temperature|temp) like [<in_area>]',
        ],
      },
    ],
    HassGetState: [
      {
        sentences: [
          'is <target> [still] {state} [<in_area>]', 'are [{any}] <target> [still] {state} [<in_area>]',
          'is [{any}] <target> {state} [<in_area>]', 'is {area} [still] {state}',
          'did i (leave|forget) <target> {state}', '(check|tell me) (if|whether) <target> (is|are) {state}',
          'was <target> left {state}',
        ],
      },
      { slots: { state: 'locked' }, domains: ['lock'], sentences: ['(did|have) i (lock|locked) <target>', 'is <target> secure[d]'] },
      { slots: { state: 'off' }, sentences: ['did i (turn|switch) off <target>', 'did i (turn|switch) <target> off'] },
      { slots: { state: 'closed' }, sentences: ['did i (close|shut) <target>'] },
      {
        sentences: [
          'what is [the] (state|status) of <target>', 'what is <target> (state|status)', '(check|status of) <target>',
          'is <target> (on or off|off or on|open or closed|closed or open|locked or unlocked|unlocked or locked)',
        ],
      },
      { slots: { all: true }, sentences: ['(which|what) {type} [<in_area>] (is|are) [still] {state} [<in_area>]'] },
      {
        slots: { all: true, count: true },
        sentences: [
          'how many {type} [<in_area>] (is|are) [still|currently|now] {state} [<in_area>] [right now]',
          'how many {type} (do i have|have i got|have we got|do we have|have i left|did i leave) {state} [<in_area>]',
          '(count|give me number of) {type} [<in_area>] (that are|which are) {state} [<in_area>]',
          'how many {type} [<in_area>] (is|are) [still] {state}',
        ],
      },
      {
        slots: { any: true },
        sentences: ['(is|are) (anything|something|any devices|any device) [still] {state} [<in_area>]', 'what is [still] {state} [<in_area>]'],
      },
      {
        sentences: [
          'what is [current] {measurement} [<in_area>]', 'what is {area} {measurement}',
          'what is [current] {measurement} (of|on|from) <target>', 'what is <target> {measurement}',
          '[current] {measurement} [<in_area>]', '{area} {measurement}',
          'how is [the] {measurement} [<in_area>]',
        ],
      },
      { slots: { measurement: 'humidity' }, sentences: ['how (humid|damp|dry) is it [<in_area>]', 'how (humid|damp|dry) is {area}'] },
      {
        slots: { state: 'on' },
        sentences: [
          '(is|are) there [any] {sensor_class} [detected|present|going on|happening] [<in_area>]',
          '(is|was) [any] {sensor_class} (detected|present|sensed) [<in_area>]', 'any {sensor_class} [detected] [<in_area>]',
          '(do|did) (i|we) have [a|any] {sensor_class} [<in_area>]', 'does <target> (detect|sense|see) [any] {sensor_class}',
          'has <target> (detected|sensed) [any] {sensor_class}',
        ],
      },
      {
        slots: { measurement: 'battery' },
        sentences: [
          'is [the] battery (of|on|in|for) <target> (low|running low|dead|empty|flat|ok|okay|good)',
          'is <target> battery (low|running low|dead|empty|flat|ok|okay|good)', 'does <target> need [a] new batter(y|ies)',
          'how is [the] battery (of|on|in) <target>',
          'how much (battery|charge|battery life|power) (does|has) <target> (have|got|left) [left]', 'how much (battery|charge) is left (on|in) <target>',
          'how (full|charged) is <target> [battery]', '(what is|check) <target> battery [level|percentage|status]', 'what is battery percentage (of|on) <target>',
        ],
      },
      {
        slots: { sensor_class: 'battery_low', state: 'on' },
        sentences: [
          '(are|is) [there] any batter(y|ies) (low|running low|dead|empty|flat) [<in_area>]', 'any low batteries [<in_area>]',
          '(which|what) (devices|batteries|sensors) (are|have|is) (low on battery|low battery|running low|low|on low battery) [<in_area>]',
          '(do|does) any (devices|sensors|device|sensor) (need|have) (new|low) batter(y|ies) [<in_area>]', 'battery (report|check|status)',
        ],
      },
      {
        slots: { state: 'on', sensor_class: 'motion' },
        sentences: ['(is|are) (anyone|anybody|someone|somebody) <in_area>', '(is|are) (anyone|anybody|someone|somebody) (home|in house|at home)', 'is {area} (occupied|empty)'],
      },
      {
        slots: { state: 'on' },
        domains: ['binary_sensor'],
        sentences: ['(is|are) <target> (wet|triggered|tripped|going off|detecting|active|ringing|alarming|on)', 'did <target> (go off|trigger)'],
      },
      { domains: ['sensor', 'binary_sensor', 'climate'], sentences: ['what (is|does) <target> [say|read|show]', 'what is reading (of|on) <target>'] },
    ],
    HassGetCurrentTime: [{ sentences: ['what time is it [now]', 'what is [current] time', 'time', 'do you have time'] }],
    HassGetCurrentDate: [
      { sentences: ['what is [today] date [today]', 'what day is (it|today) [today]', 'what is today', 'which day is it', 'what date is it [today]'] },
    ],
  },
};
