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
  /** Through the hub: utterance sent → first `reply.delta`, → the MQTT command at the device, → the `reply`. */
  firstDeltaMs: number;
  firstCommandMs: number;
  replyMs: number;
  /**
   * The same answers asked of the stand-in directly (the assistant's client over a keep-alive pool, no hub),
   * alternating with the hub's rounds: request → first text piece, → the first turn's end (when the tool
   * call is known), → the second turn's end. The floor each hub figure is read against.
   */
  direct: { firstTextMs: number; toolCallMs: number; bothTurnsMs: number };
  /** Connections the hub's pool opened for its 2 × (rounds + warm-up) requests: keep-alive at work. */
  hubConnections: number;
  hubRequests: number;
  keepAlive: { medianMs: number; connections: number; requests: number };
  fresh: { medianMs: number; connections: number; requests: number };
}

const TURN_ONE = (modelDelayMs: number) => ({ delayMs: modelDelayMs, text: ['Turning ', 'on ', 'the lamp.'], pieceDelayMs: 10, tools: [{ name: 'turn_on', input: { device_id: 'lamp' } }] });
const TURN_TWO = (modelDelayMs: number) => ({ delayMs: modelDelayMs, text: ['Done.'] });

/**
 * The assistant through the whole hub against the Messages-API stand-in with an artificial model delay:
 * per utterance, the time to the first streamed word (`reply.delta`), to the first device command (the MQTT
 * message at a subscribed device client) and to the reply. Each is read against the same answers asked of the
 * stand-in directly, round for round in the same run (so the machine's load falls on both), which is the floor
 * any hub would have. Then one streamed turn at a time through the assistant's client, alternating: the cloud
 * request pool's keep-alive connections (what the hub uses) and a new connection per request.
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
  const settings: AssistantSettings = {
    mode: 'fallback', url: api.url, apiKey: 'bench', model: 'bench', maxTokens: 64, timeoutMs: 10_000, maxPerHour: 1e9, perMinute: 1e9, maxToolCalls: 8, configured: true,
  };
  // The direct floor: the assistant's own client over a pool like the hub's, the hub's first request's shape.
  const directPool = new RequestPool({ cloud: buildConfig({}).cloud, timeoutMs: 10_000 });
  const direct = new MessagesClient(settings, directPool.fetcher({ timeoutMs: 11_000 }));
  const firstDelta: number[] = [];
  const firstCommand: number[] = [];
  const replies: number[] = [];
  const directText: number[] = [];
  const directTool: number[] = [];
  const directBoth: number[] = [];
  let hubRequests = 0;
  let hubConnections = 0;
  for (let i = 0; i < rounds + 2; i++) {
    // Through the hub.
    api.answer(TURN_ONE(modelDelayMs), TURN_TWO(modelDelayMs));
    const id = `b${i}`;
    commandAt = 0;
    const connectionsBefore = api.connections;
    const requestsBefore = api.requests.length;
    const t0 = performance.now();
    const delta = client.waitFor((f) => f.type === 'reply.delta' && f.id === id, 30_000).then(() => performance.now());
    const reply = await client.say(id, "it's too dark in here");
    const replyAt = performance.now();
    if (reply.type !== 'reply') throw new Error(`the bench utterance failed: ${JSON.stringify(reply)}`);
    const deltaAt = await delta;
    while (commandAt === 0) await new Promise((r) => setTimeout(r, 1));
    hubConnections += api.connections - connectionsBefore;
    hubRequests += api.requests.length - requestsBefore;
    const hubBody = api.requests.at(-2)!.body;

    // The same two answers, asked directly.
    api.answer(TURN_ONE(modelDelayMs), TURN_TWO(modelDelayMs));
    let textAt = 0;
    const d0 = performance.now();
    const first = await direct.turn({ system: hubBody.system, messages: hubBody.messages, tools: hubBody.tools }, new AbortController().signal, () => { if (textAt === 0) textAt = performance.now(); });
    const toolAt = performance.now();
    await direct.turn({
      system: hubBody.system, tools: hubBody.tools,
      messages: [...hubBody.messages, { role: 'assistant', content: first.blocks }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: 'done' }] }],
    }, new AbortController().signal, () => {});
    const bothAt = performance.now();
    if (i < 2) continue; // warm-up: the SDK, the connection, the JIT
    firstDelta.push(deltaAt - t0);
    firstCommand.push(commandAt - t0);
    replies.push(replyAt - t0);
    directText.push(textAt - d0);
    directTool.push(toolAt - d0);
    directBoth.push(bothAt - d0);
  }
  client.close();
  await device.endAsync();
  await target.stop();
  await directPool.close();

  // One turn with no model delay, alternating request by request between the two ways of connecting.
  const requests = options.requests ?? 200;
  // What the hub does: the cloud request pool's fetch (daemon/cloud/poolFetch.ts), its limits and metrics included.
  const pool = new RequestPool({ cloud: buildConfig({}).cloud, timeoutMs: 10_000 });
  // pipelining 0: undici closes the connection after each response (no keep-alive).
  const agent = new Agent({ pipelining: 0 });
  const ways = {
    keepAlive: { messages: new MessagesClient(settings, pool.fetcher({ timeoutMs: 11_000 })), samples: [] as number[], connections: 0 },
    fresh: {
      messages: new MessagesClient(settings, ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
        undiciFetch(input, { ...init, dispatcher: agent })) as unknown as typeof fetch),
      samples: [] as number[], connections: 0,
    },
  };
  for (let i = 0; i < requests + 5; i++) {
    for (const way of [ways.keepAlive, ways.fresh]) {
      api.answer({ text: 'ok' });
      const before = api.connections;
      const t0 = performance.now();
      await way.messages.turn({ system: [], messages: [{ role: 'user', content: 'hi' }], tools: [] }, new AbortController().signal, () => {});
      way.connections += api.connections - before; // warm-up included: the pool's first connection is opened there
      if (i < 5) continue; // warm-up: the SDK's first request, the JIT
      way.samples.push(performance.now() - t0);
    }
  }
  await pool.close();
  await agent.close();
  await api.stop();
  // `requests`: those timed; `connections`: opened for all of them and the 5 warm-up requests before.
  const summary = (way: typeof ways.keepAlive) => ({ medianMs: median(way.samples), connections: way.connections, requests: way.samples.length });
  return {
    rounds, modelDelayMs, firstDeltaMs: median(firstDelta), firstCommandMs: median(firstCommand), replyMs: median(replies),
    direct: { firstTextMs: median(directText), toolCallMs: median(directTool), bothTurnsMs: median(directBoth) },
    hubConnections, hubRequests, keepAlive: summary(ways.keepAlive), fresh: summary(ways.fresh),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchAssistant();
  console.log(JSON.stringify(r, null, 2));
}
