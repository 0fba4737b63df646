import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonProcess } from '../helpers/daemon.js';
import { startAssistantHub, type AssistantHub } from '../helpers/assistantHub.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import type { FakeMessagesApi } from '../helpers/fakeMessagesApi.js';

/**
 * The assistant rides the hub's one cloud request pool (PROTOCOL §6 "Requests"): its keep-alive
 * connections, its limits (`cloud.pool.maxConnections`, `maxWaitMs` → busy) and its metrics
 * (`voicehub_cloud_request_seconds`). The pool here has one connection, so a second question while a first
 * one streams finds no slot.
 */

const TIMEOUT_MS = 4000;
let h: AssistantHub;
let api: FakeMessagesApi;
let hub: DaemonProcess;

before(async () => {
  h = await startAssistantHub((url) => `
assistant: { url: ${url}, timeoutMs: ${TIMEOUT_MS}, perMinute: 1000 }
cloud: { pool: { maxConnections: 1, maxWaitMs: 300 } }
devices:
  - { id: living_lamp, name: Living Room Lamp, area: living_room, type: light, commandTopic: home/lamp/set, stateTopic: home/lamp/state }
`, { warm: true });
  ({ api, hub } = h);
});
after(() => h?.stop());

const client = (sub: string): Promise<VoiceClient> => h.client(sub);

async function poolRequests(outcome: string): Promise<number> {
  const text = await (await fetch(`${hub.url}/metrics`)).text();
  const m = new RegExp(`voicehub_cloud_request_seconds_count\\{method="POST",outcome="${outcome}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
}

test('every request of two questions (one with a tool call) rides one kept-alive connection of the cloud pool, counted in its metrics', { timeout: 30_000 }, async () => {
  api.reset();
  const c = await client('pool-satellite');
  const requests = api.requests.length;
  const timed = await poolRequests('ok');
  api.answer({ tools: [{ name: 'turn_on', input: { device_id: 'living_lamp' } }] }, { text: 'The lamp is on.' }, { text: 'You are welcome.' });
  assert.equal((await c.say('p1', "it's too dark in here")).text, 'The lamp is on.');
  assert.equal((await c.say('p2', 'thanks a lot')).text, 'You are welcome.');
  const mine = api.requests.slice(requests);
  assert.equal(mine.length, 3);
  assert.equal(new Set(mine.map((r) => r.remotePort)).size, 1, `three requests, one connection (client ports ${mine.map((r) => r.remotePort).join(', ')})`);
  assert.equal(await poolRequests('ok') - timed, 3, 'the pool timed each of them');
});

test('the pool\'s limit applies: with its one connection streaming, a second question is told the assistant is busy, and the slot comes back after', { timeout: 30_000 }, async () => {
  api.reset();
  const slow = await client('slow-satellite');
  const other = await client('other-satellite');
  const requests = api.requests.length;
  api.answer({ hangAfterStart: true });
  slow.send({ type: 'utterance', id: 's1', text: 'tell me a long story' });
  await api.waitForRequests(requests + 1);
  const busy = await other.say('o1', 'what should I cook tonight');
  assert.equal(busy.type, 'reply', JSON.stringify(busy));
  assert.match(busy.text!, /busy right now/);
  assert.equal(api.requests.length, requests + 1, 'the second question never reached the endpoint');
  assert.ok(await poolRequests('busy') >= 1, 'the pool counted the refused wait');
  const late = await slow.waitFor((f) => f.id === 's1' && (f.type === 'reply' || f.type === 'error'));
  assert.match(late.text!, /took too long/);
  // The timed-out stream gave its slot back: the next question is answered.
  api.answer({ text: 'Pasta.' });
  assert.equal((await other.say('o2', 'what should I cook tonight')).text, 'Pasta.');
});
