import type { Logger } from '../core/log.js';
import { decodeCloudFrame, type CloudFrame } from './cloudFrames.js';
import type { LinkHandler } from './cloudLink.js';
import type { Outbox } from './outbox.js';

/** Events per `events` frame and its JSON size: a batch stays well under what a cloud reads at once. */
export const BATCH_MAX_EVENTS = 200;
export const BATCH_MAX_BYTES = 64 * 1024;
/** Batches sent ahead of their acks: enough to keep a link busy, few enough to resend cheaply. */
const WINDOW = 8;

export interface SyncSessionOptions {
  outbox: Outbox;
  log: Logger;
  /** Commands and utterances: answered through `reply` (a JSON text frame). */
  request(frame: Extract<CloudFrame, { type: 'command' | 'utterance' }>, reply: (frame: Record<string, unknown>) => void): void;
  /** A decoded frame that cannot be used, with an id: answered `ok: false` by the caller's reply. */
  onSent(events: number): void;
  /** Acks stop coming for this long while batches wait: the link is treated as dead. */
  ackTimeoutMs: number;
  killLink(message: string): void;
  now(): number;
}

/**
 * One link's conversation with the cloud: sends the outbox in order, in bounded batches with a small window
 * of unacknowledged ones, removes events on cumulative acks, and hands commands and utterances to the command
 * door. On every (re)connect it starts again after the last acked seq, so anything unacknowledged is resent
 * with its old seq (at least once; the cloud drops seqs it has).
 */
export class SyncSession implements LinkHandler {
  private send: ((text: string) => boolean) | null = null;
  private sentUpTo = 0;
  private inflight: Array<{ seq: number; at: number }> = [];
  private unknownAckLogged = false;
  private lastAckAt: number | null = null;
  private ackTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: SyncSessionOptions) {}

  /** Milliseconds since the last ack, or null before the first. */
  lastAckAgeMs(): number | null {
    return this.lastAckAt === null ? null : Math.max(0, this.options.now() - this.lastAckAt);
  }

  opened(send: (text: string) => boolean): void {
    this.send = send;
    this.sentUpTo = this.options.outbox.lastAckedSeq;
    this.inflight = [];
    this.unknownAckLogged = false;
    this.ackTimer = setInterval(() => this.checkAcks(), Math.max(50, Math.floor(this.options.ackTimeoutMs / 4)));
    this.ackTimer.unref();
    this.pump();
  }

  closed(): void {
    this.send = null;
    this.inflight = [];
    if (this.ackTimer) clearInterval(this.ackTimer);
    this.ackTimer = null;
  }

  /** New events reached disk: send them if the window allows. */
  pump(): void {
    const send = this.send;
    if (!send) return;
    const { outbox } = this.options;
    while (this.inflight.length < WINDOW) {
      const batch = outbox.batch(this.sentUpTo, BATCH_MAX_EVENTS, BATCH_MAX_BYTES);
      if (!batch) return;
      // The frame is built from each event's own JSON text: nothing is serialised twice.
      if (!send(`{"type":"events","seq":${batch.lastSeq},"events":[${batch.texts.join(',')}]}`)) return;
      this.sentUpTo = batch.lastSeq;
      this.inflight.push({ seq: batch.lastSeq, at: this.options.now() });
      this.options.onSent(batch.texts.length);
    }
  }

  frame(text: string): void {
    const decoded = decodeCloudFrame(text);
    if (!decoded.ok) {
      const { problem } = decoded;
      this.options.log.warn({ code: problem.code }, `cloud frame ignored: ${problem.message}`);
      if (problem.answer) {
        const error = { code: 'BAD_REQUEST', message: problem.message };
        this.reply(problem.answer.type === 'command.result'
          ? { type: 'command.result', id: problem.answer.id, ok: false, error }
          : { type: 'utterance.result', id: problem.answer.id, error });
      }
      return;
    }
    const { frame } = decoded;
    if (frame.type === 'ack') this.ack(frame.seq);
    else this.options.request(frame, (answer) => this.reply(answer));
  }

  private ack(seq: number): void {
    const { outbox } = this.options;
    if (seq > this.sentUpTo) {
      // An ack for what was never sent must not remove events the cloud has not seen.
      if (!this.unknownAckLogged) {
        this.unknownAckLogged = true;
        this.options.log.warn({ code: 'CLOUD_ACK_UNKNOWN', seq, sentUpTo: this.sentUpTo }, 'the cloud acknowledged a seq never sent; ignored (logged once per connection)');
      }
      return;
    }
    this.lastAckAt = this.options.now();
    if (seq <= outbox.lastAckedSeq) return; // a stale or repeated ack
    outbox.ack(seq);
    while (this.inflight.length > 0 && this.inflight[0]!.seq <= seq) this.inflight.shift();
    this.pump();
  }

  private checkAcks(): void {
    const oldest = this.inflight[0];
    if (!oldest) return;
    if (this.options.now() - oldest.at >= this.options.ackTimeoutMs) {
      this.options.killLink(`no ack for seq ${oldest.seq} within ${this.options.ackTimeoutMs} ms`);
    }
  }

  private reply(frame: Record<string, unknown>): void {
    this.send?.(JSON.stringify(frame));
  }
}
