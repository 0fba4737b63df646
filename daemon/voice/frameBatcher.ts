import type { Duplex } from 'node:stream';
import { PONG_FRAME, STATE_FRAMES } from './frames.js';

/** What the batcher needs of a WebSocket: whether it may still send (ws's `readyState`, 1 = OPEN). */
export interface OpenSocket {
  readonly readyState: number;
}

const OPEN = 1;

/**
 * Sends the hub's text frames to voice clients: the frames for one socket during one event-loop turn go
 * out as one buffer in one write, after the turn has read everything it was given.
 *
 * An utterance is answered with four frames (state, state, reply, state). Measured at 500 clients:
 *   - Writing each answer as it is ready, between reads, costs twice as much: every write on loopback or a
 *     Pi's network stack does the receiving side's work in the same syscall and wakes whoever waits for it,
 *     so the hub and its clients ping-pong. Written together after the reads, the other side wakes once.
 *   - One buffer per socket instead of `ws.send` per frame (two writes each: header, payload) saves
 *     another tenth: fewer buffers, stream writes and iovecs.
 * An answer waits at most for the rest of its turn's reads: a few hundred microseconds at full load.
 * Answers that take longer (a handler waiting on I/O) go out at the end of the turn they are ready in.
 *
 * Frames are written by `ws`'s rules for a server: complete, unmasked, never fragmented, in order. `ws`
 * still sends the control frames (ping, pong, close) itself; those may go between two data frames
 * (RFC 6455 §5.4). Frames still queued for a socket that is no longer open are dropped, so nothing follows
 * a close frame (§5.5.1): call `flush()` before closing sockets that should get their last answers.
 */
export class FrameBatcher {
  private readonly pending = new Map<Duplex, { ws: OpenSocket; frames: Array<string | Buffer> }>();
  private scheduled = false;

  /** A text frame (a string) or a binary one (a Buffer: spoken reply audio), in order with the others. */
  send(socket: Duplex, ws: OpenSocket, frame: string | Buffer): void {
    const entry = this.pending.get(socket);
    if (entry) entry.frames.push(frame);
    else this.pending.set(socket, { ws, frames: [frame] });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Writes out everything queued now (also run once per turn). */
  readonly flush = (): void => {
    this.scheduled = false;
    for (const [socket, { ws, frames }] of this.pending) {
      if (ws.readyState === OPEN && !socket.destroyed) socket.write(encodeTextFrames(frames));
    }
    this.pending.clear();
  };
}

/**
 * Text frames as a server sends them (RFC 6455 §5.2): FIN + opcode 1, no mask, the payload length in 7 bits,
 * or 126 and 16 bits, or 127 and 64 bits; then the UTF-8 payload. All of them in one buffer.
 */
export function encodeTextFrames(frames: readonly (string | Buffer)[]): Buffer {
  let size = 0;
  for (const frame of frames) {
    size += typeof frame === 'string' ? constantFrame(frame)?.length ?? frameSize(Buffer.byteLength(frame)) : frameSize(frame.length);
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const frame of frames) {
    if (typeof frame !== 'string') {
      at = writeBinaryFrame(out, at, frame);
      continue;
    }
    const constant = constantFrame(frame);
    if (constant) {
      out.set(constant, at);
      at += constant.length;
    } else {
      at = writeFrame(out, at, frame);
    }
  }
  return out;
}

function frameSize(n: number): number {
  return n + (n < 126 ? 2 : n < 65536 ? 4 : 10);
}

function writeFrame(out: Buffer, start: number, frame: string): number {
  const n = Buffer.byteLength(frame);
  const at = writeHeader(out, start, 0x81, n);
  return at + out.write(frame, at, 'utf8');
}

/** FIN + opcode 2 (binary), the same length rules. */
function writeBinaryFrame(out: Buffer, start: number, frame: Buffer): number {
  const at = writeHeader(out, start, 0x82, frame.length);
  out.set(frame, at);
  return at + frame.length;
}

function writeHeader(out: Buffer, start: number, first: number, n: number): number {
  let at = start;
  out[at++] = first;
  if (n < 126) {
    out[at++] = n;
  } else if (n < 65536) {
    out[at++] = 126;
    at = out.writeUInt16BE(n, at);
  } else {
    out[at++] = 127;
    at = out.writeBigUInt64BE(BigInt(n), at);
  }
  return at;
}

/**
 * The frames sent unchanged again and again (three `state` frames go with every answer, and `pong`),
 * framed once. Only short strings are looked up, so a reply is never hashed for nothing.
 */
const CONSTANT_FRAMES = new Map<string, Buffer>();
let longestConstant = 0;
for (const frame of [...Object.values(STATE_FRAMES), PONG_FRAME]) {
  const framed = Buffer.alloc(frameSize(Buffer.byteLength(frame)));
  writeFrame(framed, 0, frame);
  CONSTANT_FRAMES.set(frame, framed);
  longestConstant = Math.max(longestConstant, frame.length);
}

function constantFrame(frame: string): Buffer | undefined {
  return frame.length <= longestConstant ? CONSTANT_FRAMES.get(frame) : undefined;
}
