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
  /**
   * The outboxes with frames this turn, in the order they got their first; swapped with `spare` at a flush so
   * neither is reallocated (nor a map rebuilt) turn after turn.
   */
  private dirty: Outbox[] = [];
  private spare: Outbox[] = [];
  private scheduled = false;

  /** One socket's outbox, kept by its connection for as long as it lives: frames queue in it with no lookup. */
  outbox(socket: Duplex, ws: OpenSocket): Outbox {
    return new Outbox(socket, ws);
  }

  /** A text frame (a string) or a binary one (a Buffer: spoken reply audio), in order with the others. */
  send(to: Outbox, frame: string | Buffer): void {
    to.frames.push(frame);
    if (!to.queued) {
      to.queued = true;
      this.dirty.push(to);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Writes out everything queued now (also run once per turn). */
  readonly flush = (): void => {
    this.scheduled = false;
    const dirty = this.dirty;
    this.dirty = this.spare;
    for (const to of dirty) {
      const { socket, ws } = to;
      if (ws.readyState === OPEN && !socket.destroyed) socket.write(encodeTextFrames(to.frames));
      to.queued = false;
      // Emptied in place; one that held a burst (spoken audio) is let go rather than kept large.
      if (to.frames.length > MAX_KEPT_FRAMES) to.frames = [];
      else to.frames.length = 0;
    }
    dirty.length = 0;
    this.spare = dirty;
  };
}

/** The frames queued for one socket in this turn. */
export class Outbox {
  frames: Array<string | Buffer> = [];
  queued = false;
  constructor(readonly socket: Duplex, readonly ws: OpenSocket) {}
}

/** An outbox's frame list longer than this after a flush is replaced, not kept. */
const MAX_KEPT_FRAMES = 16;

/**
 * Text frames as a server sends them (RFC 6455 §5.2): FIN + opcode 1, no mask, the payload length in 7 bits,
 * or 126 and 16 bits, or 127 and 64 bits; then the UTF-8 payload. All of them in one buffer.
 */
export function encodeTextFrames(frames: readonly (string | Buffer)[]): Buffer {
  // One lookup of the constant frames per frame: the first pass keeps what it found for the second.
  const constants = CONSTANTS_SEEN;
  let size = 0;
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i]!;
    if (typeof frame !== 'string') {
      size += frameSize(frame.length);
      continue;
    }
    const constant = constantFrame(frame);
    if (i < constants.length) constants[i] = constant;
    size += constant?.length ?? frameSize(Buffer.byteLength(frame));
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i]!;
    if (typeof frame !== 'string') {
      at = writeBinaryFrame(out, at, frame);
      continue;
    }
    const constant = i < constants.length ? constants[i] : constantFrame(frame);
    if (constant) {
      out.set(constant, at);
      at += constant.length;
    } else {
      at = writeFrame(out, at, frame);
    }
  }
  constants.fill(undefined);
  return out;
}

/** encodeTextFrames' note of the constant frames among the first few of a write (an answer has four). */
const CONSTANTS_SEEN: Array<Buffer | undefined> = new Array<Buffer | undefined>(8).fill(undefined);

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
