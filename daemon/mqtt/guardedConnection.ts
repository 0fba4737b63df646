import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { FrameSizeGuard, type FrameProblem, type LargePacketAllowance } from './frameSizeGuard.js';
import { HeldInput } from '../core/heldInput.js';
import { WireStrings } from './wireStrings.js';
import type { TurnBudget } from '../core/turnBudget.js';

export type ConnectionProblem = FrameProblem | 'slow-consumer' | 'bad-string';

export interface GuardOptions {
  /** Largest packet a client may send (`mqtt.maxPacketBytes`). */
  maxPacketBytes: number;
  /** The one topic that may be larger (Zigbee2MQTT's bridge/devices), for this connection. */
  large?: LargePacketAllowance;
  /** Bytes the broker may hold unsent for one client before it is cut off as a slow consumer. */
  maxBufferedBytes: number;
  onProblem(problem: ConnectionProblem): void;
  /** The per-phase work budget the input waits on (default the process's one; tests pass their own). */
  turnBudget?: TurnBudget;
}

/**
 * What aedes sees instead of the raw TCP socket. Two guards live here, where every byte passes anyway:
 *
 * - inbound: a packet whose fixed header announces more than `maxPacketBytes` closes the connection
 *   before its body is read (aedes has no such limit of its own);
 * - outbound: writes never report backpressure to aedes. aedes waits for `drain` on a full socket while
 *   holding one of its shared delivery slots (`concurrency`), so a subscriber that stops reading would
 *   stall delivery to everyone else until `drainTimeout`. Here the data is handed to the socket at once
 *   and the client is cut off when more than `maxBufferedBytes` are already waiting for it as the next
 *   packet is written (what Mosquitto's max_queued_bytes does), so memory per client stays bounded (by that
 *   plus one packet: a subscriber that keeps up still receives a bridge list larger than the bound) and the
 *   other clients never wait.
 *
 * Input also waits its turn (core/turnBudget.ts): past the loop phase's budget a chunk is held, the socket
 * paused, and the chunk handed to aedes in a later phase, in order; nothing read is ever dropped.
 */
export class GuardedConnection extends Duplex {
  private readonly frames: FrameSizeGuard;
  private readonly strings = new WireStrings();
  /** Chunks read while waiting for the turn budget, handed to aedes in order when it is their turn. */
  private readonly input: HeldInput;
  /** aedes' side is full (push returned false): the socket stays paused until _read. */
  private backpressured = false;
  /** The peer ended while chunks were held: end aedes' side after them. */
  private endHeld = false;

  constructor(private readonly socket: Socket, private readonly options: GuardOptions) {
    super({ allowHalfOpen: false });
    this.frames = new FrameSizeGuard(options.maxPacketBytes, options.large);
    this.input = new HeldInput({
      handle: (chunk) => this.feedChunk(chunk),
      pause: () => socket.pause(),
      live: () => !this.destroyed,
      released: this.released,
    }, options.turnBudget);
    socket.on('data', (chunk: Buffer) => { if (!this.destroyed) this.input.take(chunk); });
    // A paused socket reports its end only once resumed, after the held chunks; this keeps the order anyway.
    socket.on('end', () => { if (this.input.holding) this.endHeld = true; else this.push(null); });
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }

  override _read(): void {
    this.backpressured = false;
    if (!this.input.holding) this.socket.resume();
  }

  /**
   * aedes' writes go straight to the socket, not through this Duplex's own Writable: mqtt-packet writes each
   * packet as 2-5 chunks between cork() and a nextTick uncork(), and buffering them here only to hand them to
   * the socket's own Writable a tick later cost a second round of stream bookkeeping per chunk (every PUBACK
   * of the ingest path). The socket is corked instead, so a packet still leaves in one writev. The bound is
   * checked per chunk against what the socket holds; past it the connection is destroyed with the error, as
   * the Writable did with the one from _write. Anything else (after end or destroy) takes the Writable's path.
   */
  override write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    if (this.destroyed || this.writableEnded || (typeof chunk !== 'string' && !(chunk instanceof Uint8Array))) {
      return super.write(chunk, encoding as BufferEncoding, callback as (error: Error | null | undefined) => void);
    }
    const done = typeof encoding === 'function' ? encoding : callback;
    const error = this.backlogError();
    if (error) {
      this.destroy(error);
      if (typeof done === 'function') process.nextTick(done, error);
      return false;
    }
    if (typeof chunk === 'string') this.socket.write(chunk, typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8');
    else this.socket.write(chunk);
    if (typeof done === 'function') process.nextTick(done, null);
    return true;
  }

  override cork(): void {
    this.socket.cork();
  }

  override uncork(): void {
    this.socket.uncork();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const error = this.backlogError();
    if (!error) this.socket.write(chunk);
    callback(error);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    const error = this.backlogError();
    if (error) return callback(error);
    // One TCP segment for a corked burst (mqtt-packet corks around each packet it writes).
    this.socket.cork();
    for (const { chunk } of chunks) this.socket.write(chunk);
    this.socket.uncork();
    callback(null);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.frames.close();
    this.socket.destroy();
    callback(error);
  }

  /** The held chunks went to aedes: its end if the peer ended meanwhile, else the socket reads again. */
  private readonly released = (): void => {
    if (this.endHeld) {
      this.endHeld = false;
      this.push(null);
      return;
    }
    if (!this.backpressured) this.socket.resume();
  };

  private feedChunk(chunk: Buffer): void {
    const problem = this.frames.feed(chunk) ?? (this.strings.feed(chunk) ? 'bad-string' : null);
    if (problem) {
      this.options.onProblem(problem);
      this.destroy(new Error(problem === 'too-large' ? `packet larger than ${this.options.maxPacketBytes} bytes` : `malformed packet ${problem === 'bad-string' ? 'string' : 'length'}`));
      return;
    }
    if (!this.push(chunk)) {
      this.backpressured = true;
      this.socket.pause();
    }
  }

  private backlogError(): Error | null {
    if (this.socket.writableLength <= this.options.maxBufferedBytes) return null;
    this.options.onProblem('slow-consumer');
    return new Error(`slow consumer: more than ${this.options.maxBufferedBytes} bytes unsent`);
  }
}
