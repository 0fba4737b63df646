import { connectAsync } from 'mqtt';
import { Agent, fetch as undiciFetch } from 'undici';
import { FakeMessagesApi } from '../helpers/fakeMessagesApi.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { MessagesClient } from '../../plugins/builtin/assistant/client.js';
import { RequestPool } from '../../daemon/cloud/requestPool.js';
import { buildConfig } from '../../daemon/config/load.js';
import type { AssistantSettings } from '../../plugins/sdk/index.js';
import { startInProcessHub } from './hubTarget.js';
import { median } from './stats.js';

export interface AssistantBench {
  rounds: number;
  modelDelayMs: number;
  firstDeltaMs: number;
  firstCommandMs: number;
  replyMs: number;
  keepAlive: { medianMs: number; connections: number; requests: number };
  fresh: { medianMs: number; connections: number; requests: number };
}

/**
 * The assistant through the whole hub against the Messages-API stand-in with an artificial model delay:
 * per utterance, the time to the first streamed word (`reply.delta`), to the first device command (the MQTT
 * message at a subscribed device client) and to the reply; each is compared with the model's own delay, the
 * floor any hub would have. Then one streamed turn at a time through the assistant's client: the cloud
 * request pool's keep-alive connections (what the hub uses) against a new connection per request.
 */
export async function benchAssistant(options: { rounds?: number; modelDelayMs?: number; requests?: number } = {}): Promise<AssistantBench> {
  const rounds = options.rounds ?? 20;
  const modelDelayMs = options.modelDelayMs ?? 150;
  const api = await new FakeMessagesApi().start();
  const target = await startInProcessHub({
    assistant: { url: api.url, timeoutMs: 10_000, maxPerHour: 10_000, perMinute: 10_000 },
    devices: [{ id: 'lamp', name: 'Living Room Lamp', area: 'living_room', type: 'light', commandTopic: 'bench/lamp/set', stateTopic: 'bench/lamp/state' }],
  });
  const device = await connectAsync(target.mqttUrl);
  let commandAt = 0;
  device.on('message', () => { if (commandAt === 0) commandAt = performance.now(); });
  await device.subscribeAsync('bench/lamp/set', { qos: 1 });
  const token = await target.hub.auth.create({ sub: 'bench', scopes: ['voice'], ttl: '1h' });
  const client = await VoiceClient.connect(`${target.httpUrl.replace('http:', 'ws:')}/voice`, token);
  const firstDelta: number[] = [];
  const firstCommand: number[] = [];
  const replies: number[] = [];
  for (let i = 0; i < rounds + 2; i++) {
    api.answer(
      { delayMs: modelDelayMs, text: ['Turning ', 'on ', 'the lamp.'], pieceDelayMs: 10, tools: [{ name: 'turn_on', input: { device_id: 'lamp' } }] },
      { delayMs: modelDelayMs, text: ['Done.'] },
    );
    const id = `b${i}`;
    commandAt = 0;
    const t0 = performance.now();
    const delta = client.waitFor((f) => f.type === 'reply.delta' && f.id === id, 30_000).then(() => performance.now());
    const reply = await client.say(id, "it's too dark in here");
    if (reply.type !== 'reply') throw new Error(`the bench utterance failed: ${JSON.stringify(reply)}`);
    const deltaAt = await delta;
    while (commandAt === 0) await new Promise((r) => setTimeout(r, 1));
    if (i < 2) continue; // warm-up: the SDK, the connection, the JIT
    firstDelta.push(deltaAt - t0);
    firstCommand.push(commandAt - t0);
    replies.push(performance.now() - t0);
  }
  client.close();
  await device.endAsync();
  await target.stop();

  const requests = options.requests ?? 200;
  const settings: AssistantSettings = {
    mode: 'fallback', url: api.url, apiKey: 'bench', model: 'bench', maxTokens: 64, timeoutMs: 10_000, maxPerHour: 1e9, perMinute: 1e9, maxToolCalls: 8, configured: true,
  };
  const perRequest = async (fetchFn: typeof fetch, close: () => Promise<void>): Promise<{ medianMs: number; connections: number; requests: number }> => {
    const messages = new MessagesClient(settings, fetchFn);
    const before = api.connections;
    const samples: number[] = [];
    for (let i = 0; i < requests; i++) {
      api.answer({ text: 'ok' });
      const t0 = performance.now();
      await messages.turn({ system: [], messages: [{ role: 'user', content: 'hi' }], tools: [] }, new AbortController().signal, () => {});
      samples.push(performance.now() - t0);
    }
    await close();
    return { medianMs: median(samples), connections: api.connections - before, requests };
  };
  // What the hub does: the cloud request pool's fetch (daemon/cloud/poolFetch.ts), its limits and metrics included.
  const pool = new RequestPool({ cloud: buildConfig({}).cloud, timeoutMs: 10_000 });
  const keepAlive = await perRequest(pool.fetcher({ timeoutMs: 11_000 }), () => pool.close());
  // pipelining 0: undici closes the connection after each response (no keep-alive).
  const agent = new Agent({ pipelining: 0 });
  const fresh = await perRequest(
    ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) => undiciFetch(input, { ...init, dispatcher: agent })) as unknown as typeof fetch,
    () => agent.close());
  await api.stop();
  return {
    rounds, modelDelayMs, firstDeltaMs: median(firstDelta), firstCommandMs: median(firstCommand), replyMs: median(replies), keepAlive, fresh,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchAssistant();
  console.log(JSON.stringify(r, null, 2));
}
