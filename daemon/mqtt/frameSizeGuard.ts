/**
 * Watches an inbound MQTT byte stream and reports a packet larger than the limit as soon as its fixed
 * header is read, before its body is buffered. aedes' parser (mqtt-packet) has no size limit and would
 * otherwise collect up to 256 MB for one packet. Only the fixed header is decoded (MQTT 3.1.1 §2.2):
 * one byte of type and flags, then the Remaining Length as 1-4 bytes of 7 bits each [MQTT-2.2.3];
 * bodies are skipped by count, so the cost is per packet, not per byte.
 */
export type FrameProblem = 'too-large' | 'malformed';

const HEADER = 0;
const LENGTH = 1;
const BODY = 2;

export class FrameSizeGuard {
  private state: number = HEADER;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;

  /** @param maxPacketBytes the largest whole packet (fixed header included) a client may send. */
  constructor(private readonly maxPacketBytes: number) {}

  /** Feeds the next chunk; returns a problem as soon as one shows, else null. */
  feed(chunk: Uint8Array): FrameProblem | null {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case HEADER:
          i++;
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
          if (1 + this.lengthBytes + this.length > this.maxPacketBytes) return 'too-large';
          this.remaining = this.length;
          this.state = this.remaining > 0 ? BODY : HEADER;
          break;
        }
        case BODY: {
          const take = Math.min(this.remaining, n - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = HEADER;
          break;
        }
      }
    }
    return null;
  }
}
