/**
 * Watches an inbound MQTT byte stream and reports a packet larger than the limit as soon as its fixed
 * header is read, before its body is buffered. aedes' parser (mqtt-packet) has no size limit and would
 * otherwise collect up to 256 MB for one packet. Only the fixed header is decoded (MQTT 3.1.1 §2.2):
 * one byte of type and flags, then the Remaining Length as 1-4 bytes of 7 bits each [MQTT-2.2.3];
 * bodies are skipped by count, so the cost is per packet, not per byte.
 *
 * One topic may be larger (`LargePacketAllowance`): Zigbee2MQTT's retained `bridge/devices` lists every
 * device with its exposes, about 0.4–4 KB each, so a large network's list is megabytes. A PUBLISH over the
 * limit but within the allowance is let through only once its topic name, the first bytes of its variable
 * header [MQTT-3.3.2-1], has been read and is exactly that topic, and only if the allowance lets this
 * connection hold that many bytes now (the embedded broker: a logged-in client, within a budget shared by
 * every connection). Anything else over the limit is refused as before.
 */
export type FrameProblem = 'too-large' | 'malformed';

/** The one topic whose PUBLISH packets may be larger than the limit, and who may send one now. */
export interface LargePacketAllowance {
  /** The topic name, UTF-8 encoded as on the wire. */
  readonly topic: Uint8Array;
  /** Largest whole packet (fixed header included) allowed on that topic. */
  readonly maxBytes: number;
  /** Asked once the topic has matched: may this connection hold a packet of `bytes` now? */
  claim(bytes: number): boolean;
  /** A claimed packet has been read whole, or its connection ended: its bytes are free again. */
  release(bytes: number): void;
}

const HEADER = 0;
const LENGTH = 1;
const BODY = 2;
/** Reading a large PUBLISH's topic (its 2-byte length, then the name) before deciding. */
const TOPIC = 3;
/** MQTT control packet type PUBLISH [MQTT-2.2.1]. */
const PUBLISH = 3;

export class FrameSizeGuard {
  private state: number = HEADER;
  private type = 0;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;
  /** Bytes of the variable header read while in TOPIC. */
  private topicRead = 0;
  /** Bytes of a claimed large packet not yet released. */
  private claimed = 0;

  /** @param maxPacketBytes the largest whole packet (fixed header included) a client may send. */
  constructor(private readonly maxPacketBytes: number, private readonly large?: LargePacketAllowance) {}

  /** Feeds the next chunk; returns a problem as soon as one shows, else null. */
  feed(chunk: Uint8Array): FrameProblem | null {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case HEADER:
          this.type = chunk[i++] >> 4;
          this.state = LENGTH;
          this.length = 0;
          this.multiplier = 1;
          this.lengthBytes = 0;
          break;
        case LENGTH: {
          const byte = chunk[i++];
          this.length += (byte & 0x7f) * this.multiplier;
          this.lengthBytes++;
          if (byte & 0x80) {
            // [MQTT-2.2.3] at most four bytes of Remaining Length.
            if (this.lengthBytes === 4) return 'malformed';
            this.multiplier *= 128;
            break;
          }
          const total = 1 + this.lengthBytes + this.length;
          this.remaining = this.length;
          if (total > this.maxPacketBytes) {
            if (!this.large || this.type !== PUBLISH || total > this.large.maxBytes || this.length < 2 + this.large.topic.length) return 'too-large';
            this.state = TOPIC;
            this.topicRead = 0;
            break;
          }
          this.state = this.remaining > 0 ? BODY : HEADER;
          break;
        }
        case TOPIC: {
          const large = this.large!;
          const want = large.topic;
          const byte = chunk[i++];
          // Topic length, most significant byte first [MQTT-1.5.3], then the name byte by byte.
          const expected = this.topicRead === 0 ? want.length >> 8 : this.topicRead === 1 ? want.length & 0xff : want[this.topicRead - 2];
          if (byte !== expected) return 'too-large';
          this.topicRead++;
          this.remaining--;
          if (this.topicRead < 2 + want.length) break;
          const total = 1 + this.lengthBytes + this.length;
          if (!large.claim(total)) return 'too-large';
          this.claimed = total;
          this.state = this.remaining > 0 ? BODY : HEADER;
          if (this.remaining === 0) this.releaseClaim();
          break;
        }
        case BODY: {
          const take = Math.min(this.remaining, n - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.state = HEADER;
            this.releaseClaim();
          }
          break;
        }
      }
    }
    return null;
  }

  /** The connection ended: a large packet it was sending no longer holds its share of the budget. */
  close(): void {
    this.releaseClaim();
  }

  private releaseClaim(): void {
    if (this.claimed === 0) return;
    this.large?.release(this.claimed);
    this.claimed = 0;
  }
}
