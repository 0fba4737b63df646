import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig } from '../../../daemon/config/load.js';
import { EventBus } from '../../../daemon/core/bus.js';
import { HubError } from '../../../daemon/core/errors.js';
import { silentLogger } from '../../../daemon/core/log.js';
import { createMetricsRegistry } from '../../../daemon/core/metrics.js';
import { IdempotencyCache } from '../../../daemon/voice/idempotencyCache.js';
import { jsonCodec } from '../../../daemon/voice/jsonCodec.js';
import { keepOutcomesAs } from '../../../daemon/voice/keptOutcome.js';
import { VoiceCore } from '../../../daemon/voice/voiceCore.js';
import type { Outcome } from '../../../daemon/voice/voiceSession.js';
import type { HandlerStage } from '../../../daemon/voice/handlerStage.js';
import { ManualClock } from '../../helpers/manualClock.js';

const keep = keepOutcomesAs<string>();

/** A started voice core with `stage`, and one session on it whose frames are collected in `sent`. */
async function coreWithSession(stage: HandlerStage) {
  const config = buildConfig({ dataDir: '/nonexistent-voicehub-test', voice: { heartbeatMs: 60_000 } });
  const log = silentLogger();
  const core = new VoiceCore({ ctx: { config, log, bus: new EventBus(log), metrics: createMetricsRegistry(), clock: new ManualClock() }, stage });
  await core.start();
  const sent: string[] = [];
  const session = core.openSession(jsonCodec, { id: 's1', subject: 'alice', scopes: ['voice'] }, { send: (f) => sent.push(f) });
  /** Waits until `count` frames that are not state frames have been sent; returns them. */
  const answers = async (count: number, prefix = '{"type":"') => {
    const matching = () => sent.filter((f) => f.startsWith(prefix) && !f.startsWith('{"type":"state"'));
    while (matching().length < count) await new Promise((r) => setImmediate(r));
    return matching();
  };
  return { core, session, sent, answers };
}

test('a reply is kept as its frame alone, the very string first sent, and replayed as it', () => {
  const frame = jsonCodec.reply('u1', { text: 'Turned on the kitchen light.', intent: 'HassTurnOn', handledBy: 'devices' }, 1.37);
  const outcome: Outcome<string> = { frame, code: null, intent: 'HassTurnOn', handledBy: 'devices', ms: 1.37, ran: true, text: 'Turned on the kitchen light.' };
  const kept = keep.keep(outcome);
  assert.equal(typeof kept, 'string');
  assert.equal(kept, frame);
  const again = keep.replay(kept);
  assert.equal(again.frame, frame);
  assert.equal(again.code, null);
  assert.equal(again.ran, true);
});

test('a failure is kept with its code, so a copy is answered as a failure with the same bytes', () => {
  const frame = jsonCodec.error('u2', 'NO_MATCH', 'no intent matched');
  const again = keep.replay(keep.keep({ frame, code: 'NO_MATCH', ms: 2, ran: true }));
  assert.equal(again.frame, frame);
  assert.equal(again.code, 'NO_MATCH');
});

test('through the cache: a settled reply is replayed byte for byte, a pending one shares the first run', async () => {
  const cache = new IdempotencyCache({ ttlMs: 1000, maxEntries: 10 }, new ManualClock(), keep);
  const frame = jsonCodec.reply('u', { text: '好的，客厅的灯开了。' }, 0.5);
  const first = cache.run('s', 'u', async () => ({ frame, code: null, ms: 0.5, ran: true, text: '好的，客厅的灯开了。' }) satisfies Outcome<string>);
  const whileRunning = cache.run('s', 'u', async () => { throw new Error('ran twice'); });
  assert.equal(whileRunning.result, first.result);
  cache.settle(first, await first.result);
  const copy = cache.run('s', 'u', async () => { throw new Error('ran twice'); });
  assert.equal(copy.fresh, false);
  assert.equal(Buffer.compare(Buffer.from((await copy.result).frame), Buffer.from(frame)), 0);
});

test('a session answers a repeated id with the same bytes as the first reply, and the handler runs once', async () => {
  let runs = 0;
  const { core, session, answers } = await coreWithSession({ handle: (u) => ({ text: `run ${++runs}: ${u.text}`, intent: 'Echo', handledBy: 'test', actions: [{ device: 'lamp', command: 'turn_on' }] }) });
  try {
    session.request({ type: 'utterance', id: 'dup', text: 'turn on the lamp' });
    await answers(1);
    session.request({ type: 'utterance', id: 'dup', text: 'turn on the lamp' });
    const [first, second] = await answers(2);
    assert.equal(runs, 1, 'the copy ran nothing');
    assert.match(first!, /^\{"type":"reply","id":"dup"/);
    assert.equal(second, first, 'byte-identical replay');
  } finally {
    await core.stop();
  }
});

test('a replayed failure keeps its state frames: failed, then idle', async () => {
  const { core, session, sent, answers } = await coreWithSession({ handle: () => { throw new HubError('NO_MATCH', 'nothing matched'); } });
  try {
    session.request({ type: 'utterance', id: 'e', text: 'sing' });
    await answers(1, '{"type":"error"');
    session.request({ type: 'utterance', id: 'e', text: 'sing' });
    const errors = await answers(2, '{"type":"error"');
    assert.equal(errors[1], errors[0]);
    const states = sent.filter((f) => f.startsWith('{"type":"state"')).map((f) => (JSON.parse(f) as { state: string }).state);
    assert.deepEqual(states.slice(-3), ['processing', 'failed', 'idle']);
  } finally {
    await core.stop();
  }
});

test('compacted while quiet: every reply is replayed byte for byte, the same answers share one piece, other outcomes stay whole', async () => {
  const cache = new IdempotencyCache({ ttlMs: 60_000, maxEntries: 100 }, new ManualClock(), keep);
  const replies: Array<[string, string, string]> = [];
  const add = async (scope: string, id: string, outcome: Outcome<string>) => {
    const run = cache.run(scope, id, async () => outcome);
    cache.settle(run, await run.result);
    replies.push([scope, id, outcome.frame]);
  };
  const reply = (id: string, text: string, ms: number): Outcome<string> => ({
    frame: jsonCodec.reply(id, { text, intent: 'HassTurnOn', handledBy: 'devices', actions: [{ device: 'lamp', command: 'turn_on' }] }, ms), code: null, ms, ran: true,
  });
  await add('a', 'e1', reply('e1', 'Turned on the lamp.', 1.25));
  await add('b', 'e1', reply('e1', 'Turned on the lamp.', 0.5));
  await add('a', 'zh', reply('zh', '好的，客厅的灯开了。', 12));
  await add('a', 'quote"and\\slash\u2028', reply('quote"and\\slash\u2028', 'Done.', 3.5));
  await add('a', 'long', reply('long', 'x'.repeat(400), 123456.789));
  await add('a', 'err', { frame: jsonCodec.error('err', 'NO_MATCH', 'nothing matched'), code: 'NO_MATCH', ms: 1, ran: true });
  const running = cache.run('a', 'pending', () => new Promise<Outcome<string>>(() => {}));
  assert.equal(cache.compact(), 5, 'the five replies, not the error nor the run under way');
  assert.equal(cache.compact(), 0, 'already compact');
  for (const [scope, id, frame] of replies) {
    const copy = cache.run(scope, id, async () => { throw new Error('ran twice'); });
    assert.equal(copy.fresh, false);
    const outcome = await copy.result;
    assert.equal(outcome.frame, frame, `${scope}/${id}`);
    assert.equal(outcome.code, id === 'err' ? 'NO_MATCH' : null);
  }
  assert.equal(cache.run('a', 'pending', async () => reply('pending', 'y', 1)).result, running.result);
});

test('a frame whose pieces would not give it back exactly is left whole', () => {
  const shared = new Map<string, string>();
  assert.equal(keep.compact!('{"type":"reply","id":"other","text":"x","ms":1}', 'mine', shared), undefined, 'another id in the frame');
  assert.equal(keep.compact!('{"type":"speak","text":"x"}', 'mine', shared), undefined, 'not a reply');
  assert.equal(keep.compact!('{"type":"reply","id":"mine","text":"no timing"}', 'mine', shared), undefined, 'no ms');
  assert.equal(keep.compact!('{"type":"reply","id":"mine","text":"\ud800","ms":1}', 'mine', shared), undefined, 'a lone surrogate does not survive the copy');
  assert.equal(shared.size, 1);
});

test('a session answers a repeated id with the same bytes after the core compacted its replays', async () => {
  let runs = 0;
  const { core, session, answers } = await coreWithSession({ handle: (u) => ({ text: `run ${++runs}: ${u.text}`, intent: 'Echo', handledBy: 'test' }) });
  try {
    session.request({ type: 'utterance', id: 'dup', text: 'turn on the lamp' });
    await answers(1);
    assert.equal(core.compactReplays(), 1);
    session.request({ type: 'utterance', id: 'dup', text: 'turn on the lamp' });
    const [first, second] = await answers(2);
    assert.equal(runs, 1);
    assert.equal(second, first);
  } finally {
    await core.stop();
  }
});
