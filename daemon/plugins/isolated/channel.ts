/**
 * The wire of an isolated plugin's channel: length-prefixed frames (4 bytes big-endian, then a V8-serialized
 * message) over the pipe on fd 3 of its process. Our own framing instead of Node's IPC channel so that the
 * size of a message is known from its first 4 bytes: one larger than the cap is refused before any of it is
 * buffered (Node's IPC reads a message of any size into memory, and Buffers are not limited by a heap cap).
 * Used by both sides; imports nothing of the hub (the child may read only a few files).
 */
import { deserialize, serialize } from 'node:v8';
import type { Duplex } from 'node:stream';

/** The largest message either side may send: 1 MiB, far above any reply, event or device list a plugin needs. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export class MessageTooLarge extends Error {
  constructor(readonly bytes: number, readonly max: number) {
    super(`a message of ${bytes} bytes is larger than the channel's limit of ${max} bytes`);
  }
}

/** One frame; throws MessageTooLarge (nothing is written) above `max`, or the serializer's error. */
export function encodeFrame(message: unknown, max = MAX_MESSAGE_BYTES): Buffer {
  const body = serialize(message);
  if (body.length > max) throw new MessageTooLarge(body.length, max);
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

export interface FrameHandlers {
  message(message: unknown): void;
  /** The peer broke the protocol (a frame above the cap, or bytes that do not deserialize): stop talking to it. */
  violation(err: Error): void;
}

/**
 * Reads frames from `stream` and hands each message on. Holds at most one frame (≤ max bytes) plus one
 * chunk in memory; after a violation nothing more is read.
 */
export function readFrames(stream: Duplex, handlers: FrameHandlers, max = MAX_MESSAGE_BYTES): void {
  let buffered: Buffer[] = [];
  let size = 0;
  let need = -1; // the body length of the frame being read; -1 while its header is incomplete
  let broken = false;
  const take = (n: number): Buffer => {
    const all = buffered.length === 1 ? buffered[0]! : Buffer.concat(buffered, size);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    buffered = rest.length > 0 ? [rest] : [];
    size = rest.length;
    return out;
  };
  const fail = (err: Error) => {
    broken = true;
    buffered = [];
    size = 0;
    stream.removeListener('data', onData);
    handlers.violation(err);
  };
  const onData = (chunk: Buffer) => {
    if (broken) return;
    buffered.push(chunk);
    size += chunk.length;
    for (;;) {
      if (need < 0) {
        if (size < 4) return;
        need = take(4).readUInt32BE(0);
        if (need > max) { fail(new MessageTooLarge(need, max)); return; }
      }
      if (size < need) return;
      const body = take(need);
      need = -1;
      let message: unknown;
      try {
        message = deserialize(body);
      } catch (err) {
        fail(new Error(`a message that cannot be read: ${(err as Error).message}`));
        return;
      }
      handlers.message(message);
      if (broken) return;
    }
  };
  stream.on('data', onData);
}
