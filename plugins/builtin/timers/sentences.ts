/**
 * The timer plugin's sentences (hassil template syntax, as in daemon/intents/sentences/en.ts), per language
 * and intent: the plugin owns its intents, so it ships what they are said with. `{duration}` and
 * `{timer_name}` are slot lists the intent engine reads (numbers.ts, lists.ts). Order matters only on a tie.
 */

/** The Chinese words for a timer (定时器, 计时器…). */
const TIMER = '(定时器|计时器|倒计时|计时|定时)';

export const SENTENCES: Record<'en' | 'zh', Record<string, string[]>> = {
  en: {
    HassStartTimer: [
      '(set|start|create|make|add|put on|begin) [a|an] [new] timer (for|of|on|with) {duration}',
      '(i need|i want|give me) [a|an] [new] timer (for|of) {duration}',
      '(i need|i want|give me) [a|an] {duration} timer',
      '(set|start|create|make|add|begin) [a|an] [new] {duration} timer',
      'timer (for|of) {duration}',
      '{duration} timer',
      '(set|start) timer {duration}',
      'timer {duration}',
      '(set|start) [a|an] countdown (for|of) {duration}',
      'count down (from|for) {duration}',
      'countdown [for] {duration}',
      '(remind|alert|ping|notify|tell|wake) me [up] in {duration}',
      '(set|start|create|make) [a|an] {timer_name} timer (for|of) {duration}',
      '(set|start|create|make) [a|an] timer (for|of) {duration} (called|named|for) {timer_name}',
    ],
    HassCancelAllTimers: [
      '(cancel|stop|delete|remove|clear|kill|end|turn off|dismiss) all [of] [my|the] timers',
      '(cancel|stop|delete|remove|clear|kill|end) (every|each) timer',
      '(cancel|stop|delete|clear|remove) timers',
    ],
    HassCancelTimer: [
      '(cancel|stop|delete|remove|end|clear|kill|turn off|switch off|dismiss|abort|silence|reset) [this|that] (timer|countdown)',
      '(cancel|stop|delete|remove|end|clear|kill|turn off|dismiss) [this|that] {duration} timer',
      '(cancel|stop|delete|remove|end|clear|kill|turn off|dismiss) [this|that] {timer_name} timer',
      'never mind [this|that] timer',
      'timer (off|stop|cancel)',
      '(forget|scrap) [about] timer',
    ],
    HassTimerStatus: [
      'how much time (is|do i have|have i got) (left|remaining) [on|in|for] [timer]',
      'how much time left [on|in] [timer]',
      'how much longer [is|on] [timer] [left]',
      'how much is left [on|in] [timer]',
      'how (long|much longer) (is|do i have|have i got) left [on|in|for] [timer]',
      'how long (left|remaining) [on|in|for] [timer]',
      'how long until [timer] (ends|is done|goes off|finishes|rings|is over)',
      'how long [is] left',
      'when (does|will) timer (end|go off|finish|ring|be done)',
      '(timer|timers) status',
      'status of (timer|timers)',
      'what is (timer|timers) status',
      'check [on] (timer|timers)',
      'time (left|remaining) [on|in] [timer]',
      'how is timer [doing|going]',
      'what is left on timer',
      'is timer (done|finished|still running|running)',
    ],
    HassPauseTimer: [
      '(pause|hold|freeze) [this|that] timer',
      'put timer on hold',
    ],
    HassUnpauseTimer: [
      '(resume|unpause|continue|restart|start again) [this|that] timer',
      'start timer again',
    ],
    HassIncreaseTimer: [
      'add {duration} to [this|that] timer',
      '(extend|increase|lengthen) timer by {duration}',
    ],
    HassDecreaseTimer: [
      '(remove|subtract|take) {duration} (from|off) [this|that] timer',
      '(decrease|reduce|shorten) timer by {duration}',
    ],
  },
  zh: {
    HassStartTimer: [
      '(设置|设定|设|定|开始|启动|来|开|创建|新建|建|加|弄|开启)[一][个]{duration}[的](定时器|计时器|倒计时|闹钟|定时|计时|提醒)',
      `(设置|设定|设|定|开始|启动|开|创建|新建|开启)[一][个]${TIMER}[时间][为|成|到]{duration}`,
      `${TIMER}[器]{duration}`,
      `{duration}${TIMER}[器]`,
      '{duration}(后|以后|之后)(提醒|叫|通知)[我]',
      '(提醒|叫|通知)我{duration}(后|以后|之后)',
    ],
    HassCancelAllTimers: [
      `(取消|停止|关掉|关闭|删除|删掉|清除|清空|停掉)(所有|全部)${TIMER}[器]`,
      `(所有|全部)${TIMER}[器][都](取消|停止|删除|关掉)`,
    ],
    HassCancelTimer: [
      `(取消|停止|关掉|关闭|删除|删掉|停掉|停|关|结束|不要)[这个|那个]${TIMER}[器]`,
      `(取消|停止|关掉|关闭|删除|停掉)[这个|那个]{duration}${TIMER}[器]`,
      `${TIMER}[器](取消|停止|关掉|删掉|停|不要|关|结束)`,
      `不用${TIMER}[器]`,
    ],
    HassTimerStatus: [
      `[${TIMER}[器]][还](剩|剩下|剩余|有)(多少|多久|几|多长)[时间|分钟|秒]`,
      `${TIMER}[器](状态|怎么样|还有多久|还要多久|什么时候结束|多久结束|还剩多久|还剩多少时间)`,
      '还要多久',
      '还有多长时间',
      `${TIMER}[器]还有多长时间`,
      `离${TIMER}[器]结束还有多久`,
    ],
    HassPauseTimer: [
      `暂停${TIMER}[器]`,
      `${TIMER}[器]暂停`,
    ],
    HassUnpauseTimer: [
      `(继续|恢复)${TIMER}[器]`,
      `${TIMER}[器](继续|恢复)`,
    ],
    HassIncreaseTimer: [
      `[给]${TIMER}[器](加|增加|延长|多加)[上]{duration}`,
    ],
    HassDecreaseTimer: [
      `[给]${TIMER}[器](减|减少|缩短|减掉)[掉]{duration}`,
    ],
  },
};
