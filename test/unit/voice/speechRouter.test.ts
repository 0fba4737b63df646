import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpeechRouter, type Listener } from '../../../daemon/voice/speechRouter.js';
import type { VoiceCodec } from '../../../daemon/voice/voiceCodec.js';

/** A codec that counts how often it encodes `speak`, as the strings a JSON door would send. */
function countingCodec(name: string): VoiceCodec<string> & { speaks: number } {
  const codec = {
    speaks: 0,
    state: () => '',
    pong: () => '',
    reply: () => '',
    error: () => '',
    transcript: () => '',
    speechStart: () => '',
    speechEnd: () => '',
    speak: (text: string, source: string) => {
      codec.speaks++;
      return `${name}:${source}:${text}`;
    },
  };
  return codec;
}

function listener(id: string, subject: string): Listener<string> & { heard: string[] } {
  const heard: string[] = [];
  return { identity: { id, subject }, heard, speak: (frame) => { heard.push(frame); } };
}

test('speak goes to the session named, else to every session of the client, else to everyone', () => {
  const router = new SpeechRouter(() => 0);
  const codec = countingCodec('json');
  const a1 = listener('s1', 'a');
  const a2 = listener('s2', 'a');
  const b = listener('s3', 'b');
  for (const l of [a1, a2, b]) router.join(l, codec);

  router.route({ sessionId: 's2', clientId: 'a', text: 'one', source: 'p' });
  assert.deepEqual([a1.heard, a2.heard, b.heard], [[], ['json:p:one'], []]);
  router.route({ sessionId: 'gone', clientId: 'a', text: 'two', source: 'p' });
  assert.deepEqual([a1.heard, a2.heard, b.heard], [['json:p:two'], ['json:p:one', 'json:p:two'], []]);
  router.route({ text: 'all', source: 'core' });
  assert.deepEqual(b.heard, ['json:core:all']);
  assert.equal(a1.heard.at(-1), 'json:core:all');
  router.route({ sessionId: 'gone', text: 'nobody', source: 'p' });
  assert.equal(a1.heard.length + a2.heard.length + b.heard.length, 6, 'a gone session with no client is said to no one');
});

test('each event is encoded once per codec, whatever the number of sessions', () => {
  const router = new SpeechRouter(() => 0);
  const json = countingCodec('json');
  const typed = countingCodec('typed');
  const sessions = [listener('1', 'a'), listener('2', 'b'), listener('3', 'c')];
  router.join(sessions[0]!, json);
  router.join(sessions[1]!, json);
  router.join(sessions[2]!, typed);
  router.route({ text: 'hi', source: 'p' });
  assert.equal(json.speaks, 1);
  assert.equal(typed.speaks, 1);
  assert.deepEqual(sessions.map((s) => s.heard), [['json:p:hi'], ['json:p:hi'], ['typed:p:hi']]);
});

test('speech for a client with no session is held and said once to the first session of that client to join', () => {
  let now = 0;
  const router = new SpeechRouter(() => now);
  const codec = countingCodec('door');
  const first = listener('1', 'kitchen');
  router.join(first, codec);
  router.leave(first);
  router.route({ clientId: 'kitchen', text: 'timer done', source: 'timers' });
  assert.deepEqual(first.heard, [], 'a session that left hears nothing');
  now = 1000;
  const other = listener('2', 'bedroom');
  router.join(other, codec);
  assert.deepEqual(other.heard, []);
  const back = listener('3', 'kitchen');
  router.join(back, codec);
  assert.deepEqual(back.heard, ['door:timers:timer done']);
  const again = listener('4', 'kitchen');
  router.join(again, codec);
  assert.deepEqual(again.heard, [], 'said once');
});

test('leaving is by session, not by id: a second session with the same id does not unhook the first', () => {
  const router = new SpeechRouter(() => 0);
  const codec = countingCodec('door');
  const older = listener('same', 'a');
  const newer = listener('same', 'a');
  router.join(older, codec);
  router.join(newer, codec);
  router.join(newer, codec); // joining twice is once
  router.leave(newer);
  router.route({ clientId: 'a', text: 'x', source: 'p' });
  assert.deepEqual(older.heard, ['door:p:x']);
  assert.deepEqual(newer.heard, []);
  router.leave(listener('never', 'a')); // never joined: nothing happens
  router.leave(older);
  router.route({ text: 'y', source: 'p' });
  assert.deepEqual(older.heard, ['door:p:x']);
});
