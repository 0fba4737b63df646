import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';

/**
 * MQTT by hand, for what a well-behaved client library will not send: a PUBLISH that announces a size and
 * then stops, a PUBLISH before CONNECT. Encoded per MQTT 3.1.1 (§2.2 fixed header, §3.1 CONNECT, §3.3 PUBLISH).
 */
/** MQTT Remaining Length bytes [MQTT-2.2.3]. */
export function remainingLength(x: number): number[] {
  const out: number[] = [];
  do {
    let byte = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) byte |= 0x80;
    out.push(byte);
  } while (x > 0);
  return out;
}

/** A raw MQTT 3.1.1 CONNECT (clean session unless `clean: false`, keepalive 60 s) [MQTT-3.1]. */
export function connectPacket(clientId: string, clean = true): Buffer {
  const id = Buffer.from(clientId);
  const body = Buffer.concat([Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, clean ? 0x02 : 0, 0, 60, id.length >> 8, id.length & 0xff]), id]);
  return Buffer.concat([Buffer.from([0x10, ...remainingLength(body.length)]), body]);
}

/** The first bytes of a QoS 0 PUBLISH announcing `payloadBytes`: fixed header, topic, 100 payload bytes. */
export function publishStart(topic: string, payloadBytes: number): Buffer {
  const t = Buffer.from(topic);
  return Buffer.concat([Buffer.from([0x30, ...remainingLength(2 + t.length + payloadBytes), t.length >> 8, t.length & 0xff]), t, Buffer.alloc(100, 0x20)]);
}

/** A whole PUBLISH [MQTT-3.3]: QoS 1 and 2 carry `messageId`. */
export function publishPacket(topic: string, payload: Buffer, qos: 0 | 1 | 2 = 0, messageId = 1): Buffer {
  const t = Buffer.from(topic);
  const id = qos > 0 ? Buffer.from([messageId >> 8, messageId & 0xff]) : Buffer.alloc(0);
  const body = Buffer.concat([Buffer.from([t.length >> 8, t.length & 0xff]), t, id, payload]);
  return Buffer.concat([Buffer.from([0x30 | (qos << 1), ...remainingLength(body.length)]), body]);
}

export interface RawClient {
  write(b: Buffer): void;
  /** Writes, waiting for the socket to drain; false once the broker has closed the connection. */
  send(b: Buffer): Promise<boolean>;
  closed: Promise<void>;
  isClosed(): boolean;
  destroy(): void;
}

/** A raw TCP client of the broker; `closed` settles when the broker closes it. */
export async function rawClient(t: { after(fn: () => unknown): void }, port: number, login: string | null, clean = true): Promise<RawClient> {
  const socket = tcpConnect(port, '127.0.0.1');
  t.after(() => { socket.destroy(); });
  let isClosed = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => { isClosed = true; resolve(); }));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  if (login !== null) {
    const connack = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    socket.write(connectPacket(login, clean));
    assert.deepEqual([...(await connack).subarray(0, 4)], [0x20, 2, 0, 0], 'CONNACK, accepted');
  } else {
    // What the broker answers is read and dropped: a socket nobody reads never sees the broker's FIN, so never 'close'.
    socket.resume();
  }
  const send = async (b: Buffer): Promise<boolean> => {
    if (isClosed) return false;
    if (!socket.write(b)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
    return !isClosed;
  };
  return { write: (b) => socket.write(b), send, closed, isClosed: () => isClosed, destroy: () => socket.destroy() };
}

/** A whole packet of the given first byte (type and flags) around `body` [MQTT-2.2]. */
export function rawPacket(first: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([first, ...remainingLength(body.length)]), body]);
}

/** A length-prefixed field [MQTT-1.5.3], of raw bytes: a test may put anything there, valid UTF-8 or not. */
export function field(bytes: Buffer | string): Buffer {
  const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

/** CONNECT (level 4, clean) with raw client id, and a will topic / user name when given [MQTT-3.1]. */
export function connectWith(clientId: Buffer | string, extra: { willTopic?: Buffer | string; username?: Buffer | string; password?: Buffer } = {}): Buffer {
  const flags = 0x02 | (extra.willTopic !== undefined ? 0x04 : 0) | (extra.username !== undefined ? 0x80 : 0) | (extra.password ? 0x40 : 0);
  return rawPacket(0x10, Buffer.concat([
    field('MQTT'), Buffer.from([4, flags, 0, 60]), field(clientId),
    ...(extra.willTopic !== undefined ? [field(extra.willTopic), field(Buffer.from([0, 0xff, 0xc0]))] : []),
    ...(extra.username !== undefined ? [field(extra.username)] : []),
    ...(extra.password ? [field(extra.password)] : []),
  ]));
}

/** SUBSCRIBE (QoS 1 each) and UNSUBSCRIBE of raw filters, packet id 1 [MQTT-3.8, MQTT-3.10]. */
export function subscribeWith(...filters: Array<Buffer | string>): Buffer {
  return rawPacket(0x82, Buffer.concat([Buffer.from([0, 1]), ...filters.flatMap((f) => [field(f), Buffer.from([1])])]));
}
export function unsubscribeWith(...filters: Array<Buffer | string>): Buffer {
  return rawPacket(0xa2, Buffer.concat([Buffer.from([0, 1]), ...filters.map((f) => field(f))]));
}

/** QoS 0 PUBLISH with a raw topic. */
export function publishWith(topic: Buffer | string, payload: Buffer): Buffer {
  return rawPacket(0x30, Buffer.concat([field(topic), payload]));
}
