import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HandlerStage } from '../../daemon/voice/handlerStage.js';
import { startInProcessHub } from '../bench/hubTarget.js';
import { BENCH_AREAS, BENCH_HOME } from '../bench/voiceHome.js';
import { HarnessDoor, type HarnessEvent } from '../helpers/harnessDoor.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { REPO_ROOT } from '../helpers/daemon.js';
import { join } from 'node:path';

/**
 * Two front doors on the real hub's one voice core at the same time: `/voice` (JSON over a WebSocket) and
 * the test harness door (typed events, no wire), which is new files only (test/helpers/harnessDoor.ts).
 */

test('an utterance through the real pipeline is answered alike by the harness door and by /voice, side by side', async (t) => {
  const target = await startInProcessHub({ devices: BENCH_HOME, areas: BENCH_AREAS });
  t.after(() => target.stop());
  const door = new HarnessDoor(target.hub.voiceCore);
  t.after(() => door.close());
  const harness = door.open('harness-client');
  const token = await target.hub.auth.create({ sub: 'ws-client', scopes: ['voice'], ttl: '1h' });
  const ws = await VoiceClient.connect(`${target.httpUrl.replace('http', 'ws')}/voice`, token);
  t.after(() => ws.ws.terminate());

  const viaHarness = harness.say('h1', 'turn on the kitchen light');
  ws.send({ type: 'utterance', id: 'w1', text: 'turn on the kitchen light' });
  const [event, frame] = await Promise.all([viaHarness, ws.waitFor((f) => f.id === 'w1' && (f.type === 'reply' || f.type === 'error'))]);

  assert.equal(event.type, 'reply', JSON.stringify(event));
  assert.equal(frame.type, 'reply', JSON.stringify(frame));
  const reply = (event as Extract<HarnessEvent, { type: 'reply' }>).reply;
  assert.equal(reply.intent, 'HassTurnOn', JSON.stringify(reply));
  assert.equal(reply.text, frame.text);
  assert.equal(reply.intent, frame.intent);
  assert.equal(reply.handledBy, frame.handledBy);
  assert.deepEqual(reply.actions, frame.actions);
  // The session's state machine, as typed events on one door and JSON frames on the other: the same walk.
  await ws.waitFor((f) => f.type === 'state' && f.state === 'idle');
  const states = harness.events.filter((e) => e.type === 'state').map((e) => (e as Extract<HarnessEvent, { type: 'state' }>).state);
  assert.deepEqual(states, ['processing', 'replying', 'idle']);
  assert.deepEqual(ws.frames.filter((f) => f.type === 'state').map((f) => f.state), ['processing', 'replying', 'idle']);
});

test('the harness door and /voice share the core: one idempotency cache per door, one rate limit per subject', async (t) => {
  let runs = 0;
  const counting: HandlerStage = { handle: (u) => { runs++; return { text: `heard ${u.text}`, intent: 'Counted', handledBy: 'test' }; } };
  // Three utterances for the subject, then it waits (one token every 100 s).
  const target = await startInProcessHub({ voice: { rateLimit: { perSecond: 0.01, burst: 3 } } }, counting);
  t.after(() => target.stop());
  const door = new HarnessDoor(target.hub.voiceCore);
  t.after(() => door.close());
  const harness = door.open('shared-subject');

  // The same subject and id twice on the harness door: the stage runs once, the answer is the same.
  const first = await harness.say('same', 'hello');
  const again = await harness.say('same', 'hello');
  assert.equal(first.type, 'reply');
  assert.deepEqual(again, first);
  assert.equal(runs, 1);

  // The same subject on /voice draws on the same per-subject bucket: one more is let through, then none.
  const token = await target.hub.auth.create({ sub: 'shared-subject', scopes: ['voice'], ttl: '1h' });
  const ws = await VoiceClient.connect(`${target.httpUrl.replace('http', 'ws')}/voice`, token);
  t.after(() => ws.ws.terminate());
  ws.send({ type: 'utterance', id: 'w1', text: 'hello' });
  const answered = await ws.waitFor((f) => f.id === 'w1' && (f.type === 'reply' || f.type === 'error'));
  assert.equal(answered.type, 'reply', JSON.stringify(answered));
  assert.equal(answered.text, 'heard hello');
  assert.equal(runs, 2);
  ws.send({ type: 'utterance', id: 'w2', text: 'hello' });
  const limited = await ws.waitFor((f) => f.id === 'w2');
  assert.equal(limited.type, 'error');
  assert.equal(limited.code, 'RATE_LIMITED');

  // And back on the harness door: the bucket is empty there too, answered as a typed error event.
  const refused = await harness.say('other', 'hello');
  assert.equal(refused.type, 'error');
  assert.equal((refused as Extract<HarnessEvent, { type: 'error' }>).code, 'RATE_LIMITED');
  assert.equal(runs, 2);
});

test('the hub\'s voice core runs once the hub has started (a door opened on it is answered) and is stopped with the hub', async (t) => {
  const target = await startInProcessHub();
  let stopped = false;
  t.after(async () => { if (!stopped) await target.stop(); });
  assert.equal(target.hub.voiceCore.running, true);
  const harness = new HarnessDoor(target.hub.voiceCore).open('late');
  harness.request({ type: 'ping' });
  assert.deepEqual(harness.events.at(-1), { type: 'pong' });
  await target.stop();
  stopped = true;
  assert.equal(target.hub.voiceCore.running, false);
});

// ---------------------------------------------------------------------------------------------------------
// speak: the core routes a plugin's `voice.speak` to sessions by subject, whatever door they came through.

/** The hub with a plugin that speaks by client: "announce dinner" to the asker's subject, "call the porch" to `porch`. */
function startWithAnnouncer(): ReturnType<typeof startInProcessHub> {
  return startInProcessHub({
    plugins: { dir: join(REPO_ROOT, 'test/fixtures/plugins/speak'), 'com.fixture.announcer': { grant: ['voice:speak'] } },
  });
}

const speakEvents = (events: readonly HarnessEvent[]) => events.filter((e) => e.type === 'speak');

test('a plugin\'s speak to a subject reaches its /voice client and its harness session alike, and no other subject', async (t) => {
  const target = await startWithAnnouncer();
  t.after(() => target.stop());
  const door = new HarnessDoor(target.hub.voiceCore);
  t.after(() => door.close());
  const kitchen = door.open('kitchen');
  const bedroom = door.open('bedroom');
  const token = await target.hub.auth.create({ sub: 'kitchen', scopes: ['voice'], ttl: '1h' });
  const ws = await VoiceClient.connect(`${target.httpUrl.replace('http', 'ws')}/voice`, token);
  t.after(() => ws.ws.terminate());

  const answer = await kitchen.say('a1', 'announce dinner');
  assert.equal(answer.type, 'reply', JSON.stringify(answer));
  assert.equal((answer as Extract<HarnessEvent, { type: 'reply' }>).reply.text, 'announced');
  // The core delivers the event to every session of the subject before the plugin's handler returns.
  assert.deepEqual(speakEvents(kitchen.events), [{ type: 'speak', text: 'dinner is ready', source: 'com.fixture.announcer' }]);
  assert.deepEqual(await ws.waitFor((f) => f.type === 'speak'), { type: 'speak', text: 'dinner is ready', source: 'com.fixture.announcer' });
  assert.deepEqual(speakEvents(bedroom.events), [], 'another subject does not hear it');

  // And the other way round: asked on /voice, heard by the harness session of the same subject too.
  ws.send({ type: 'utterance', id: 'w1', text: 'announce dinner' });
  assert.equal((await ws.waitFor((f) => f.id === 'w1' && f.type === 'reply')).text, 'announced');
  assert.equal(ws.frames.filter((f) => f.type === 'speak').length, 2);
  assert.equal(speakEvents(kitchen.events).length, 2);
  assert.deepEqual(speakEvents(bedroom.events), []);
});

test('speech held for an absent subject is said once, by whichever door opens a session for it first', async (t) => {
  const target = await startWithAnnouncer();
  t.after(() => target.stop());
  const door = new HarnessDoor(target.hub.voiceCore);
  t.after(() => door.close());
  const wsUrl = `${target.httpUrl.replace('http', 'ws')}/voice`;
  const porchToken = await target.hub.auth.create({ sub: 'porch', scopes: ['voice'], ttl: '1h' });
  const caller = door.open('hallway');
  const held = { type: 'speak', text: 'someone is calling', source: 'com.fixture.announcer' };

  // The harness door first: its session is told on opening; a /voice client of the subject after it is not.
  assert.equal((await caller.say('c1', 'call the porch')).type, 'reply');
  const first = door.open('porch');
  assert.deepEqual(speakEvents(first.events), [held]);
  first.close();
  const late = await VoiceClient.connect(wsUrl, porchToken);
  t.after(() => late.ws.terminate());
  late.send({ type: 'ping' });
  await late.waitFor((f) => f.type === 'pong');
  assert.equal(late.frames.some((f) => f.type === 'speak'), false, 'said once, not at every door');
  late.ws.terminate();
  // Absent again only once the hub has seen the socket go (its session closed), not when this side has.
  while (target.hub.voice.clientCount > 0) await new Promise((resolve) => setTimeout(resolve, 5));

  // /voice first: its client is told as it connects; a harness session of the subject after it is not.
  assert.equal((await caller.say('c2', 'call the porch')).type, 'reply');
  const early = await VoiceClient.connect(wsUrl, porchToken);
  t.after(() => early.ws.terminate());
  assert.deepEqual(await early.waitFor((f) => f.type === 'speak'), held);
  const second = door.open('porch');
  second.request({ type: 'ping' });
  assert.deepEqual(second.events, [{ type: 'pong' }], 'said once: the harness session hears nothing');
});
