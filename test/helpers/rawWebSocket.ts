import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';

/**
 * WebSocket by hand (RFC 6455 §5.2), for what `ws` will not send: unmasked client frames, control frames over
 * 125 bytes, reserved bits and opcodes, length claims up to 2^64 - 1, fragments never finished.
 */
export interface FrameOptions {
  fin?: boolean;
  /** RSV1-3 as the three bits under 0x70 (0x40: "compressed"). */
  rsv?: number;
  mask?: boolean;
  /** The length written in the header, whatever the payload's real length (a lie when they differ). */
  claimedLength?: bigint;
}

export function wsFrame(opcode: number, payload: Buffer, options: FrameOptions = {}): Buffer {
  const { fin = true, rsv = 0, mask = true } = options;
  const length = options.claimedLength ?? BigInt(payload.length);
  const first = (fin ? 0x80 : 0) | (rsv & 0x70) | (opcode & 0x0f);
  const maskBit = mask ? 0x80 : 0;
  let head: Buffer;
  if (length < 126n) head = Buffer.from([first, maskBit | Number(length)]);
  else if (length < 65536n) head = Buffer.from([first, maskBit | 126, Number(length >> 8n), Number(length & 0xffn)]);
  else {
    head = Buffer.alloc(10);
    head[0] = first;
    head[1] = maskBit | 127;
    head.writeBigUInt64BE(length & 0xffffffffffffffffn, 2);
  }
  if (!mask) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= key[i & 3]!;
  return Buffer.concat([head, key, masked]);
}

export interface RawWebSocket {
  socket: Socket;
  /** The upgrade's status line (`HTTP/1.1 101 Switching Protocols` when accepted). */
  status: string;
  /** Bytes the hub sent after the upgrade's head. */
  received(): Buffer;
  isClosed(): boolean;
  closed: Promise<void>;
  /** Writes, waiting for the socket to drain; false once the hub has closed the connection. */
  send(b: Buffer): Promise<boolean>;
  /** The close code of the first close frame the hub sent, if any. */
  closeCode(): number | null;
}

/** Opens `path` on the hub's HTTP port with a hand-written upgrade carrying `token`. */
export async function rawWebSocket(port: number, path: string, token: string): Promise<RawWebSocket> {
  const socket = tcpConnect(port, '127.0.0.1');
  socket.on('error', () => {});
  let closed = false;
  const closedPromise = new Promise<void>((resolve) => socket.once('close', () => { closed = true; resolve(); }));
  await new Promise<void>((resolve, reject) => { socket.once('connect', () => resolve()); socket.once('error', reject); });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: hub\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n`
    + `Sec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`);
  let buffered = Buffer.alloc(0);
  let headEnd = -1;
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer): void => {
      if (headEnd >= 0) { chunks.push(chunk); return; }
      buffered = Buffer.concat([buffered, chunk]);
      headEnd = buffered.indexOf('\r\n\r\n');
      if (headEnd >= 0) { chunks.push(buffered.subarray(headEnd + 4)); resolve(); }
    };
    socket.on('data', onData);
    void closedPromise.then(() => resolve());
  });
  const status = buffered.subarray(0, Math.max(0, buffered.indexOf('\r\n'))).toString('latin1');
  const received = (): Buffer => Buffer.concat(chunks);
  return {
    socket, status, received, closed: closedPromise, isClosed: () => closed,
    send: async (b) => {
      if (closed) return false;
      if (!socket.write(b)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closedPromise]);
      return !closed;
    },
    closeCode: () => closeCodeIn(received()),
  };
}

/** Walks the server's (unmasked) frames and returns the first close frame's code. */
function closeCodeIn(bytes: Buffer): number | null {
  for (let at = 0; at + 2 <= bytes.length;) {
    const opcode = bytes[at]! & 0x0f;
    let length = bytes[at + 1]! & 0x7f;
    let start = at + 2;
    if (length === 126) { if (start + 2 > bytes.length) return null; length = bytes.readUInt16BE(start); start += 2; }
    else if (length === 127) { if (start + 8 > bytes.length) return null; length = Number(bytes.readBigUInt64BE(start)); start += 8; }
    if (opcode === 8) return start + 2 <= bytes.length ? bytes.readUInt16BE(start) : 1005;
    at = start + length;
  }
  return null;
}
