/**
 * Sentences of the small intents (hassil template syntax, as in daemon/intents/sentences/en.ts). The hub's
 * own sentence files already carry a few time and date questions; these add the ways people actually ask,
 * and never mind and broadcast. `{message}` is a wildcard (a few words, up to ten Han characters).
 */
export const SENTENCES: Record<'en' | 'zh', Record<string, string[]>> = {
  en: {
    HassGetCurrentTime: [
      'what time is it [right now|now|at the moment]',
      '(what is|tell me|say) the [current] time [now|right now|please]',
      'do you know [what] the time [is]',
      'do you know what time it is [now|right now]',
      '(tell me|say) what time it is',
      '(what is|whats) the time',
      'time (please|check)',
      'what hour is it',
    ],
    HassGetCurrentDate: [
      'what (day|date) is it [today]',
      'what is (the date|the day|today|todays date) [today]',
      '(tell me|say) (the date|todays date|what day it is)',
      'what day of the week is it [today]',
      'what is the date today',
      'which day is it [today]',
      'date [please]',
    ],
    HassNevermind: [
      'never mind', 'nevermind', 'cancel', 'cancel that', 'forget it', 'forget about it', 'nothing', 'stop listening',
      'ignore (that|me|it)', 'oops', 'sorry wrong (button|person)', 'i was not talking to you', 'that is all', 'nothing thanks',
      'never mind (that|it|then)', 'no nothing',
    ],
    HassBroadcast: [
      '(tell|inform|let) (everyone|everybody|the whole house|all rooms) [know] [that] {message}',
      '(broadcast|announce) [that] {message}',
      '(broadcast|announce) [to] (everyone|everybody|the house|all rooms|every room) [that] {message}',
      'say {message} (to everyone|to everybody|everywhere|in every room|to the whole house)',
      'make an announcement [that] {message}',
    ],
  },
  zh: {
    HassGetCurrentTime: [
      '[现在][是]几点[了][钟][了][吗|呢|啊]', '[现在]什么时间[了][呢]', '现在[的]时间[是][多少]', '[请]报[一下]时[间]',
      '[告诉我][现在][是]几点[钟]', '看[一下]时间',
    ],
    HassGetCurrentDate: [
      '今天[是](几号|星期几|周几|礼拜几|几月几号|什么日子|什么日期)[了][呢|啊]', '[今天][的]日期[是][多少]', '今天[是]几月几[号|日]',
      '[现在][是]几月几[号|日]', '今天礼拜几', '今天是星期几',
    ],
    HassNevermind: ['算了[吧]', '没事[了]', '没什么', '取消', '不用了', '不用[了]谢谢', '当我没说', '忘了[它|吧]', '没事没事', '别管[了]', '我没跟你说话'],
    HassBroadcast: [
      '(告诉|通知)(大家|所有人|全家|每个人|全家人)[说]{message}',
      '(广播|播报)[一下][说]{message}',
      '跟(大家|所有人|全家|每个人)说[一声]{message}',
    ],
  },
};
