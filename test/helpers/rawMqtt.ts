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

/** A raw MQTT 3.1.1 CONNECT (clean session, keepalive 60 s) [MQTT-3.1]. */
export function connectPacket(clientId: string): Buffer {
  const id = Buffer.from(clientId);
  const body = Buffer.concat([Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x02, 0, 60, id.length >> 8, id.length & 0xff]), id]);
  return Buffer.concat([Buffer.from([0x10, ...remainingLength(body.length)]), body]);
}

/** The first bytes of a QoS 0 PUBLISH announcing `payloadBytes`: fixed header, topic, 100 payload bytes. */
export function publishStart(topic: string, payloadBytes: number): Buffer {
  const t = Buffer.from(topic);
  return Buffer.concat([Buffer.from([0x30, ...remainingLength(2 + t.length + payloadBytes), t.length >> 8, t.length & 0xff]), t, Buffer.alloc(100, 0x20)]);
}

/** A raw TCP client of the broker; `closed` settles when the broker closes it. */
export async function rawClient(t: { after(fn: () => unknown): void }, port: number, login: string | null): Promise<{ write(b: Buffer): void; closed: Promise<void>; isClosed(): boolean; destroy(): void }> {
  const socket = tcpConnect(port, '127.0.0.1');
  t.after(() => { socket.destroy(); });
  let isClosed = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => { isClosed = true; resolve(); }));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  if (login !== null) {
    const connack = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    socket.write(connectPacket(login));
    assert.deepEqual([...(await connack).subarray(0, 4)], [0x20, 2, 0, 0], 'CONNACK, accepted');
  }
  return { write: (b) => socket.write(b), closed, isClosed: () => isClosed, destroy: () => socket.destroy() };
}
