/**
 * The contract floor of the capacity bench: a bare server that does per utterance only what PROTOCOL §3 makes
 * the hub do for it, nothing else. The frames the hub sends for each sentence (its `state` frames and the
 * reply, the same bytes, in one socket write per utterance as the hub's frame batcher writes them) and the
 * MQTT command each sentence causes (same topic, payload and QoS) are captured from the hub itself; the floor
 * then answers each utterance with those frames (the reply carrying the utterance's id) after publishing that
 * command to a bare aedes in its own process, which has the same subscribers the capacity bench gives the
 * hub's broker: none. No auth, validation, rate limit, queue, idempotency, intents or metrics.
 *
 * hub / floor says how far the hub is from what its contract costs; floor / bare how much of the gap to the
 * bare `ws` server (one frame, no command) the contract itself takes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type AedesPublishPacket } from 'aedes';
import { connectAsync } from 'mqtt';
import { WebSocket, WebSocketServer } from 'ws';
import { FrameBatcher } from '../../daemon/voice/frameBatcher.js';

/** What the hub sends and publishes for one sentence. */
export interface SentenceContract {
  /** Frames before the reply, as sent (`{"type":"state",…}` strings). */
  before: string[];
  /** The reply frame split around its id (`JSON.stringify(id)` goes between). */
  replyHead: string;
  replyTail: string;
  after: string[];
  /** Socket reads the capturing client needed for the utterance's frames (the hub's writes, on loopback). */
  reads: number;
  command: { topic: string; payload: Buffer; qos: 0 | 1 | 2 };
}

export interface Contract {
  bySentence: Map<string, SentenceContract>;
}

/**
 * Says each sentence to the hub once over a real /voice client and records what comes back; a real MQTT
 * client subscribed at QoS 2 (so each command arrives at the QoS it was published with) records the commands.
 * The subscriber leaves before this returns: the bench measures the hub without it.
 */
export async function captureContract(voiceUrl: string, token: string, mqttUrl: string, texts: readonly string[]): Promise<Contract> {
  const mqtt = await connectAsync(mqttUrl, { clientId: 'contract-capture', reconnectPeriod: 0 });
  const ws = new WebSocket(voiceUrl, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
  try {
    await mqtt.subscribeAsync('#', { qos: 2 });
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    const socket = (ws as unknown as { _socket: Duplex })._socket;
    let reads = 0;
    socket.on('data', () => { reads++; });
    const bySentence = new Map<string, SentenceContract>();
    let seq = 0;
    for (const text of texts) {
      const id = `contract-${seq++}`;
      const command = new Promise<SentenceContract['command']>((resolve) => {
        const onMessage = (topic: string, payload: Buffer, packet: { qos: 0 | 1 | 2; retain?: boolean }): void => {
          // Retained messages the subscription brings and the hub's own status topics are not the command.
          if (packet.retain || topic.startsWith('$') || topic.startsWith('voicehub/')) return;
          mqtt.off('message', onMessage);
          resolve({ topic, payload: Buffer.from(payload), qos: packet.qos });
        };
        mqtt.on('message', onMessage);
      });
      const frames: string[] = [];
      reads = 0;
      const answered = new Promise<void>((resolve) => {
        const onFrame = (data: Buffer): void => {
          frames.push(data.toString());
          if (frames.at(-1) === '{"type":"state","state":"idle"}' && frames.some((f) => f.includes(`"id":"${id}"`))) {
            ws.off('message', onFrame);
            resolve();
          }
        };
        ws.on('message', onFrame);
      });
      ws.send(JSON.stringify({ type: 'utterance', id, text }));
      // A hub that answers some other way (no `idle` after the reply, no command) fails the bench instead of hanging it.
      await within(answered, () => `no reply and idle state for ${JSON.stringify(text)}; got ${JSON.stringify(frames)}`);
      const at = frames.findIndex((f) => f.includes(`"id":"${id}"`));
      const reply = frames[at]!;
      if (!reply.startsWith('{"type":"reply"')) throw new Error(`the hub did not reply to ${JSON.stringify(text)}: ${reply}`);
      const quoted = JSON.stringify(id);
      const cut = reply.indexOf(quoted);
      bySentence.set(text, {
        before: frames.slice(0, at), replyHead: reply.slice(0, cut), replyTail: reply.slice(cut + quoted.length),
        after: frames.slice(at + 1), reads, command: await within(command, () => `no MQTT command for ${JSON.stringify(text)}`),
      });
    }
    return { bySentence };
  } finally {
    ws.terminate();
    await mqtt.endAsync();
  }
}

/** `promise`, or a rejection naming what did not happen within 10 s. */
async function within<T>(promise: Promise<T>, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what()} within 10 s`)), 10_000); });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The floor server: parse, publish the sentence's command, write its frames in one write per turn. */
export async function startContractFloor(contract: Contract): Promise<{ url: string; stop(): Promise<void> }> {
  const broker = await Aedes.createBroker();
  const server = await new Promise<Server>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => resolve(s)); });
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const batcher = new FrameBatcher();
  wss.on('connection', (ws) => {
    const outbox = batcher.outbox((ws as unknown as { _socket: Duplex })._socket, ws);
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { id: string; text: string };
      const c = contract.bySentence.get(frame.text)!;
      const { topic, payload, qos } = c.command;
      broker.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false } as AedesPublishPacket, () => {
        for (const f of c.before) batcher.send(outbox, f);
        batcher.send(outbox, c.replyHead + JSON.stringify(frame.id) + c.replyTail);
        for (const f of c.after) batcher.send(outbox, f);
      });
    });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/voice`,
    async stop() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

/** One line per sentence: what the floor sends and publishes for it (for the report). */
export function describeContract(contract: Contract): string {
  const frames = new Set<number>();
  const reads = new Set<number>();
  const qos = new Set<number>();
  for (const c of contract.bySentence.values()) {
    frames.add(c.before.length + 1 + c.after.length);
    reads.add(c.reads);
    qos.add(c.command.qos);
  }
  const [first] = contract.bySentence.values();
  const order = first ? [...first.before.map(stateOf), 'reply', ...first.after.map(stateOf)].join(', ') : '';
  return `per utterance ${[...frames].join('/')} frames (${order}) in ${[...reads].join('/')} socket read(s) at the capturing client, one MQTT command at QoS ${[...qos].join('/')}`;
}

function stateOf(frame: string): string {
  return (JSON.parse(frame) as { state?: string }).state ?? frame;
}
