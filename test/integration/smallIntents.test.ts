import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { spokenDate, spokenTime } from '../../plugins/builtin/basics/clock.js';

/** Time, date, never mind and broadcast through the real daemon and two real voice clients. */
let d: DaemonProcess;
let kitchen: VoiceClient;
let bedroom: VoiceClient;
const ZONE = 'Asia/Shanghai';

before(async () => {
  const dir = await makeTempDir();
  d = await startDaemon({ dir, config: `location:\n  timezone: ${ZONE}\n` });
  const token = async (sub: string) => (await runCli(['token', 'create', '--sub', sub, '--scope', 'voice'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } })).stdout.trim();
  kitchen = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await token('kitchen'));
  bedroom = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await token('bedroom'));
});

after(async () => {
  kitchen?.close();
  bedroom?.close();
  await d?.cleanup();
});

/** The reply must be what the clock said just before or just after asking (a minute may turn meanwhile). */
async function askClock(id: string, text: string, expected: (ms: number) => string): Promise<void> {
  const before = expected(Date.now());
  const reply = await kitchen.say(id, text);
  const after = expected(Date.now());
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.equal(reply.handledBy, 'voicehub.basics');
  assert.ok(reply.text === before || reply.text === after, `${text}: ${reply.text} (expected ${before})`);
}

test('"what time is it" answers the time in location.timezone, in English and Chinese', async () => {
  await askClock('t1', 'what time is it', (ms) => `It's ${spokenTime(ms, ZONE, 'en')}.`);
  await askClock('t2', 'do you know what the time is', (ms) => `It's ${spokenTime(ms, ZONE, 'en')}.`);
  await askClock('t3', '现在几点了', (ms) => `现在是${spokenTime(ms, ZONE, 'zh')}。`);
});

test('"what day is it" answers the date in location.timezone', async () => {
  await askClock('d1', 'what is the date today', (ms) => `Today is ${spokenDate(ms, ZONE, 'en')}.`);
  await askClock('d2', '今天星期几', (ms) => `今天是${spokenDate(ms, ZONE, 'zh')}。`);
});

test('the spoken clock: zones, noon and midnight as each language says them', () => {
  const noonUtc = Date.UTC(2026, 11, 5, 4, 0); // 12:00 in Shanghai, 04:00 in London
  assert.equal(spokenTime(noonUtc, ZONE, 'en'), '12:00 PM');
  assert.equal(spokenTime(noonUtc, ZONE, 'zh'), '中午12点整');
  assert.equal(spokenTime(noonUtc, 'Europe/London', 'en'), '4:00 AM');
  assert.equal(spokenTime(Date.UTC(2026, 11, 5, 16, 5), ZONE, 'zh'), '凌晨0点05分');
  assert.equal(spokenTime(Date.UTC(2026, 11, 5, 10, 30), ZONE, 'zh'), '晚上6点30分');
  assert.equal(spokenDate(Date.UTC(2026, 11, 5, 17, 0), ZONE, 'en'), 'Sunday, December 6, 2026');
  assert.equal(spokenDate(Date.UTC(2026, 11, 5, 17, 0), 'Not/AZone', 'zh').length > 0, true, 'an unknown zone falls back');
});

test('"never mind" / "算了" is a quiet acknowledgement that does nothing', async () => {
  for (const [id, text, expected] of [['n1', 'never mind', 'OK.'], ['n2', 'forget it', 'OK.'], ['n3', '算了', '好的。'], ['n4', '当我没说', '好的。']] as const) {
    const reply = await kitchen.say(id, text);
    assert.equal(reply.type, 'reply', JSON.stringify(reply));
    assert.equal(reply.intent, 'HassNevermind');
    assert.equal(reply.text, expected);
    assert.deepEqual(reply.actions ?? [], []);
  }
});

test('"tell everyone dinner is ready" is spoken to every connected client', async () => {
  const reply = await kitchen.say('b1', 'tell everyone dinner is ready');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.equal(reply.intent, 'HassBroadcast');
  assert.equal(reply.text, 'Told everyone: dinner is ready.');
  const heard = await bedroom.waitFor((f) => f.type === 'speak' && f.text === 'Dinner is ready.');
  assert.equal(heard.source, 'voicehub.basics');
  await kitchen.waitFor((f) => f.type === 'speak' && f.text === 'Dinner is ready.');
});

test('"告诉大家吃饭了" broadcasts in Chinese', async () => {
  const reply = await kitchen.say('b2', '告诉大家吃饭了');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.equal(reply.intent, 'HassBroadcast');
  assert.equal(reply.text, '已告诉大家：吃饭了。');
  await bedroom.waitFor((f) => f.type === 'speak' && f.text === '吃饭了。');
});
