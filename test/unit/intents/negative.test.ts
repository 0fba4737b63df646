/** Input that must not match, or must not match a device intent: empty, punctuation, chit-chat, garbage. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEVICE_INTENTS } from '../../../daemon/intents/index.js';
import { homeEngine } from './fixture.js';

const engine = homeEngine();

describe('no match', () => {
  const cases = [
    '', '   ', '?!', '。，！？、', '...', '……', '!!!???', 'please', 'the', '请', '的', '把', 'um uh',
    'asdfgh qwerty', 'hello', '你好', 'tell me a joke', 'what is the capital of france', 'who are you',
    'turn', 'turn on', 'turn on the', 'set a timer', '打开', '设置定时器为', '🙂🙂', 'x'.repeat(3000),
    'what is love', 'play some music', '讲个笑话', '今天星期几了我们去哪儿玩', '把厨房的灯和客厅的灯打开',
  ];
  for (const text of cases) {
    test(JSON.stringify(text.length > 40 ? `${text.slice(0, 20)}…` : text), () => {
      assert.equal(engine.match(text), null);
    });
  }
});

describe('not a device intent', () => {
  // These may match something (a timer, the weather) or nothing, but never act on a device.
  const cases = [
    'what is the temperature of the sun', 'is it going to rain', 'set a timer for 5 minutes', 'how is the hub doing',
    'cancel the timer', 'stop the timer', 'turn off the timer', '关掉定时器', 'what time is it', 'how are you doing',
    'is the moon locked', 'what is the humidity on mars', 'open the pod bay doors please hal and then close them',
  ];
  for (const text of cases) {
    test(text, () => {
      const m = engine.match(text);
      if (m === null) return;
      const r = engine.resolve(m);
      const acted = DEVICE_INTENTS.has(m.intent) && !('error' in r) && r.devices.length > 0;
      assert.equal(acted, false, `${text} → ${m.intent} ${JSON.stringify(m.slots)}`);
    });
  }
});

describe('unknown device names get a clear error, not a guess', () => {
  for (const [text, name] of [['turn on the moon', 'moon'], ['switch off the pool pump', 'pool pump'], ['打开月亮', '月亮']] as const) {
    test(text, () => {
      const m = engine.match(text);
      assert.ok(m);
      assert.equal(m.partial, true);
      const r = engine.resolve(m);
      assert.ok('error' in r);
      assert.equal(r.error, 'DEVICE_NOT_FOUND');
      assert.equal(r.name, name);
    });
  }
  test('a type word in a room without such devices says so', () => {
    const r = engine.resolve(engine.match('switch off the garage heater')!);
    assert.ok('error' in r);
    assert.equal(r.error, 'DEVICE_NOT_FOUND');
    assert.equal(r.reason, 'area');
  });
  test('a known device that cannot do it is DEVICE_UNSUPPORTED', () => {
    const m = engine.match('turn on the bathroom humidity');
    assert.ok(m);
    const r = engine.resolve(m);
    assert.ok('error' in r);
    assert.equal(r.error, 'DEVICE_UNSUPPORTED');
  });
});

describe('mixed and odd input', () => {
  test('mixed language matches when the words are there', () => {
    assert.equal(engine.match('turn on 厨房的灯')?.intent, 'HassTurnOn');
  });
  test('an explicit lang that does not fit the text still finds the other language', () => {
    assert.equal(engine.match('打开厨房的灯', { lang: 'en' })?.lang, 'zh');
  });
  test('control characters and emoji around a command are ignored', () => {
    assert.equal(engine.match('\u0000turn on the kitchen light 💡')?.intent, 'HassTurnOn');
  });
  test('non-string input is no match', () => {
    assert.equal(engine.match(undefined as unknown as string), null);
  });
});
