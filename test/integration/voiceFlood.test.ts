import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connectAsync } from 'mqtt';
import { startDaemon, createToken, makeTempDir } from '../helpers/daemon.js';
import { VoiceClient, type Frame } from '../helpers/voiceClient.js';

const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

const FLOODERS = 10;
const EACH = 300;
const SESSION_QUEUE = 200;

// The hub's input waits its turn in one budget per loop phase (daemon/core/turnBudget.ts): a flood of
// utterances is read, held past the budget and worked off phase by phase, so other clients are served between.
test('under a flood of utterances every one is answered (a reply, or BUSY past the session queue), each reply\'s command reaches the device, and a quiet client is served in the middle of it', { timeout: 180_000 }, async () => {
  const dir = await makeTempDir();
  const config = {
    devices: [{ id: 'kitchen_light', name: 'Kitchen light', area: 'kitchen', type: 'light', commandTopic: 'flood/kitchen_light/set', stateTopic: 'flood/kitchen_light' }],
    voice: { rateLimit: { perSecond: 100_000, burst: 100_000 }, sessionQueue: SESSION_QUEUE },
  };
  const d = await startDaemon({ dir, config: JSON.stringify(config) });
  cleanups.push(() => d.cleanup());
  const [floodToken, quietToken] = [await createToken(dir, 'flood'), await createToken(dir, 'quiet')];
  const url = `ws://127.0.0.1:${d.httpPort}/voice`;

  const device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { clientId: 'flood_kitchen_light', reconnectPeriod: 0 });
  cleanups.push(async () => { await device.endAsync(true); });
  let commands = 0;
  device.on('message', () => { commands++; });
  await device.subscribeAsync('flood/kitchen_light/set', { qos: 1 });

  const flooders = await Promise.all(Array.from({ length: FLOODERS }, () => VoiceClient.connect(url, floodToken)));
  const quiet = await VoiceClient.connect(url, quietToken);
  for (const c of [...flooders, quiet]) cleanups.push(async () => c.close());

  const answers = (c: VoiceClient) => c.frames.filter((f) => f.type === 'reply' || f.type === 'error');
  flooders.forEach((c, n) => {
    for (let i = 0; i < EACH; i++) c.send({ type: 'utterance', id: `f${n}-${i}`, text: `turn ${i % 2 ? 'off' : 'on'} the kitchen light` });
  });
  quiet.send({ type: 'ping' });
  quiet.send({ type: 'utterance', id: 'quiet-1', text: 'turn on the kitchen light' });
  const pong = await quiet.waitFor((f) => f.type === 'pong', 120_000);
  const floodAnsweredAtPong = flooders.reduce((sum, c) => sum + answers(c).length, 0);
  const quietReply = await quiet.waitFor((f) => f.id === 'quiet-1', 120_000);
  assert.ok(pong);
  assert.equal(quietReply.type, 'reply', JSON.stringify(quietReply));
  assert.ok(floodAnsweredAtPong < FLOODERS * EACH, `the quiet client's ping was answered before the flood was worked off (${floodAnsweredAtPong} of ${FLOODERS * EACH} answered by then)`);

  const replies: Frame[] = [];
  for (const [n, c] of flooders.entries()) {
    // The refusals go out at once, the queued ones as they are worked off: wait for the count, not the last id.
    await c.waitFor(() => answers(c).length >= EACH, 120_000);
    const got = answers(c);
    assert.equal(got.length, EACH, `flood client ${n}: one answer per utterance`);
    assert.deepEqual(new Set(got.map((f) => f.id)).size, EACH, `flood client ${n}: each id answered once`);
    const codes = new Set(got.filter((f) => f.type === 'error').map((f) => f.code));
    assert.ok([...codes].every((code) => code === 'BUSY'), `only BUSY refusals: ${[...codes].join(', ')}`);
    // Whether any are refused depends on pacing: past the turn budget the socket is paused and its frames wait
    // in the hub's input line, so a session's queue of 200 may never fill; when it does, the refusal is BUSY (above).
    replies.push(...got.filter((f) => f.type === 'reply'));
  }
  // One command per reply (and the quiet client's), each delivered to the device's client.
  const owed = replies.length + 1;
  for (let waited = 0; commands < owed && waited < 600; waited++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(commands, owed, 'every reply\'s command reached the device');
});
