import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { FakeMessagesApi } from '../helpers/fakeMessagesApi.js';

const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

const DEVICES = `
devices:
  - { id: living_lamp, name: Living Room Lamp, area: living_room, type: light, commandTopic: home/lamp/set, stateTopic: home/lamp/state }
`;

async function hub(config: string): Promise<{ d: DaemonProcess; say(id: string, text: string): Promise<{ type: string; text?: string; code?: string; handledBy?: string }>; admin: string }> {
  const dir = await makeTempDir();
  const d = await startDaemon({ dir, config });
  cleanups.push(() => d.cleanup());
  const token = async (scope: string) => {
    const r = await runCli(['token', 'create', '--sub', 'sat', '--scope', scope], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  const c = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await token('voice'));
  cleanups.push(async () => c.close());
  // A hub's first question to the assistant loads its SDK: seconds on a loaded machine, so a longer wait than say()'s.
  const say = (id: string, text: string) => {
    c.send({ type: 'utterance', id, text });
    return c.waitFor((f) => (f.type === 'reply' || f.type === 'error') && f.id === id, 30_000);
  };
  return { d, say, admin: await token('admin') };
}

test('mode always: every utterance goes to the assistant first, even one a local intent knows', { timeout: 60_000 }, async () => {
  const api = await new FakeMessagesApi().start();
  cleanups.push(() => api.stop());
  const { say } = await hub(`assistant: { url: ${api.url}, mode: always, timeoutMs: 20000 }\n${DEVICES}`);
  api.answer({ text: 'The model turned it on.' });
  const reply = await say('a1', 'turn on the living room lamp');
  assert.equal(reply.handledBy, 'voicehub.assistant');
  assert.equal(reply.text, 'The model turned it on.');
  assert.equal(api.requests.length, 1);
});

test('without assistant.url or apiKey the plugin stays off: no request leaves the hub, unmatched is NO_MATCH, no health check', { timeout: 60_000 }, async () => {
  const { d, say, admin } = await hub(DEVICES);
  const reply = await say('n1', 'what should I cook tonight');
  assert.equal(reply.type, 'error');
  assert.equal(reply.code, 'NO_MATCH');
  const plugins = await (await fetch(`${d.url}/api/plugins`, { headers: { authorization: `Bearer ${admin}` } })).json() as { plugins: Array<{ id: string; state: string; reason: string | null }> };
  const assistant = plugins.plugins.find((p) => p.id === 'voicehub.assistant');
  assert.equal(assistant?.state, 'disabled');
  assert.match(assistant?.reason ?? '', /assistant\.url or assistant\.apiKey/);
  const health = await (await fetch(`${d.url}/health`)).json() as { status: string; checks: Record<string, unknown> };
  assert.equal(health.checks.assistant, undefined);
  assert.equal(health.status, 'ok');
  assert.equal(d.lines.some((l) => l.msg.includes('assistant on')), false);
});

test('mode off with a URL set: off too', { timeout: 60_000 }, async () => {
  const api = await new FakeMessagesApi().start();
  cleanups.push(() => api.stop());
  const { say } = await hub(`assistant: { url: ${api.url}, mode: off }\n${DEVICES}`);
  assert.equal((await say('o1', 'what should I cook tonight')).code, 'NO_MATCH');
  assert.equal(api.requests.length, 0);
});

test('fallback: the unmatched answer to a question a local intent asked goes to the assistant; a matched answer stays local', { timeout: 60_000 }, async () => {
  const api = await new FakeMessagesApi().start();
  cleanups.push(() => api.stop());
  const { say } = await hub(`assistant: { url: ${api.url}, timeoutMs: 20000 }
devices:
  - { id: desk_lamp, name: Desk Lamp, area: office, type: light, commandTopic: home/desk/set, stateTopic: home/desk/state }
  - { id: ceiling_lamp, name: Ceiling Lamp, area: office, type: light, commandTopic: home/ceiling/set, stateTopic: home/ceiling/state }
`);
  const asked = await say('q1', 'turn on the lamp') as { type: string; message?: string };
  assert.equal(asked.type, 'error', JSON.stringify(asked));
  assert.match(asked.message ?? '', /^Which lamp do you mean/, 'the hub asked which one');
  assert.equal(api.requests.length, 0);
  api.answer({ text: 'I am not sure which lamp is the purple one.' });
  const unmatched = await say('q2', 'the purple one');
  assert.equal(unmatched.handledBy, 'voicehub.assistant');
  assert.equal(api.requests.length, 1);
  // Asked again, a matched answer is settled locally.
  await say('q3', 'turn on the lamp');
  const local = await say('q4', 'the desk one');
  assert.equal(local.handledBy, 'voicehub.devices', JSON.stringify(local));
  assert.equal(api.requests.length, 1);
});

test('an assistant that is down (nothing listens at assistant.url): a spoken answer saying so, and /health degraded with its reachability', { timeout: 60_000 }, async () => {
  // A port that was free a moment ago: nothing listens there now.
  const gone = await new FakeMessagesApi().start();
  const url = gone.url;
  await gone.stop();
  const { d, say } = await hub(`assistant: { url: ${url}, timeoutMs: 3000 }\n${DEVICES}`);
  const reply = await say('d1', 'what should I cook tonight');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.equal(reply.handledBy, 'voicehub.assistant');
  assert.match(reply.text ?? '', /can't reach the assistant/);
  const health = await (await fetch(`${d.url}/health`)).json() as { status: string; checks: Record<string, { ok: boolean; error?: string }> };
  assert.equal(health.checks.assistant?.ok, false, JSON.stringify(health.checks.assistant));
  assert.equal(health.status, 'degraded');
  // Local intents are not held up by it.
  assert.equal((await say('d2', 'turn on the living room lamp')).handledBy, 'voicehub.devices');
});

test('the hub-wide rate limit (perMinute): past it the hub answers itself with a clear sentence, the model not asked, and counts it', { timeout: 60_000 }, async () => {
  const api = await new FakeMessagesApi().start();
  cleanups.push(() => api.stop());
  const { d, say } = await hub(`assistant: { url: ${api.url}, perMinute: 1, timeoutMs: 20000 }\n${DEVICES}`);
  api.answer({ text: 'First.' }, { text: 'never asked' });
  assert.equal((await say('r1', 'what should I cook tonight')).text, 'First.');
  const busy = await say('r2', 'and for dessert');
  assert.equal(busy.type, 'reply', JSON.stringify(busy));
  assert.equal(busy.handledBy, 'voicehub.assistant');
  assert.match(busy.text ?? '', /too many questions in the last minute/);
  assert.equal(api.requests.length, 1);
  const metrics = await (await fetch(`${d.url}/metrics`)).text();
  assert.match(metrics, /voicehub_assistant_requests_total\{outcome="hub_busy"\} 1/);
  // Local intents are not limited by it.
  assert.equal((await say('r3', 'turn on the living room lamp')).handledBy, 'voicehub.devices');
});
