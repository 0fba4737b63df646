/**
 * Checks the UTF-8 strings of inbound MQTT packets on the wire, where they are still bytes: MQTT 3.1.1
 * §1.5.3 says a string that is not well-formed UTF-8 or holds U+0000 makes the server close the
 * connection [MQTT-1.5.3-1, MQTT-1.5.3-2]. aedes' parser decodes with `Buffer#toString`, which turns a bad
 * sequence into U+FFFD, so after parsing the damage can no longer be told from a real U+FFFD.
 *
 * Checked: the topic of PUBLISH, the filters of SUBSCRIBE and UNSUBSCRIBE, and CONNECT's protocol name,
 * client id, will topic and user name (the will message and password are binary data). Everything else is
 * skipped by count, so the cost is a byte scan of those strings only, and nothing is allocated. The walk
 * is its own small state machine over the same chunks as the size guard, so a packet split anywhere is
 * followed; a packet whose fields run past its length is left to aedes' parser (it refuses it).
 * After a CONNECT of another protocol level than 3 or 4 (MQTT 5, refused at CONNACK) only PUBLISH topics
 * are checked, as MQTT 5 puts properties before the filters.
 */
const HEADER = 0;
const LENGTH = 1;
const LEN_HI = 2;
const LEN_LO = 3;
const STRING = 4;
const SKIP = 5;
const BYTE = 6;

const CONNECT = 1;
const PUBLISH = 3;
const SUBSCRIBE = 8;
const UNSUBSCRIBE = 10;

export class WireStrings {
  private state = HEADER;
  private type = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  /** Bytes of the current packet's body not yet walked. */
  private remaining = 0;
  /** Which field of the packet comes next. */
  private phase = 0;
  /** Bytes left in the current field (string, binary or fixed). */
  private fieldLeft = 0;
  /** The length being read is a string's (checked) rather than binary data's (skipped). */
  private lengthOfString = false;
  /** UTF-8 continuation bytes still expected, and the range the next one must fall in (RFC 3629 §4). */
  private need = 0;
  private lo = 0x80;
  private hi = 0xbf;
  private level = 4;
  private connectFlags = 0;
  /** A CONNECT asked for MQTT 5 (or another level): SUBSCRIBE/UNSUBSCRIBE are laid out differently. */
  private otherLevel = false;

  /** Feeds the next inbound chunk; true as soon as a bad string shows (close the connection). */
  feed(chunk: Uint8Array): boolean {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case HEADER:
          this.type = chunk[i++] >> 4;
          this.remaining = 0;
          this.multiplier = 1;
          this.lengthBytes = 0;
          this.state = LENGTH;
          break;
        case LENGTH: {
          const byte = chunk[i++];
          this.remaining += (byte & 0x7f) * this.multiplier;
          this.multiplier *= 128;
          // A fifth length byte is the size guard's to refuse; here it just ends the walk.
          if (byte & 0x80 && ++this.lengthBytes < 4) break;
          this.phase = 0;
          this.next();
          break;
        }
        case LEN_HI:
          this.fieldLeft = chunk[i++] << 8;
          this.remaining--;
          this.state = LEN_LO;
          if (this.remaining === 0) this.state = HEADER;
          break;
        case LEN_LO:
          this.fieldLeft = Math.min(this.fieldLeft | chunk[i++], --this.remaining);
          if (this.lengthOfString) {
            this.state = STRING;
            this.need = 0;
          } else {
            this.state = SKIP;
          }
          if (this.fieldLeft === 0) this.next();
          break;
        case STRING: {
          const end = i + Math.min(n - i, this.fieldLeft);
          this.fieldLeft -= end - i;
          this.remaining -= end - i;
          let need = this.need;
          let lo = this.lo;
          let hi = this.hi;
          for (; i < end; i++) {
            const b = chunk[i];
            if (need === 0) {
              if (b < 0x80) {
                if (b === 0) return true;
                continue;
              }
              if (b < 0xc2) return true; // a continuation byte first, or an overlong 2-byte form
              if (b < 0xe0) {
                need = 1;
              } else if (b < 0xf0) {
                need = 2;
                lo = b === 0xe0 ? 0xa0 : 0x80; // overlong
                hi = b === 0xed ? 0x9f : 0xbf; // surrogates U+D800-DFFF [MQTT-1.5.3-1]
              } else if (b < 0xf5) {
                need = 3;
                lo = b === 0xf0 ? 0x90 : 0x80; // overlong
                hi = b === 0xf4 ? 0x8f : 0xbf; // past U+10FFFF
              } else {
                return true;
              }
              continue;
            }
            if (b < lo || b > hi) return true;
            need--;
            lo = 0x80;
            hi = 0xbf;
          }
          this.need = need;
          this.lo = lo;
          this.hi = hi;
          if (this.fieldLeft === 0) {
            if (need !== 0) return true; // the string ends inside a character
            this.next();
          }
          break;
        }
        case SKIP: {
          const take = Math.min(n - i, this.fieldLeft);
          i += take;
          this.fieldLeft -= take;
          this.remaining -= take;
          if (this.fieldLeft === 0) this.next();
          break;
        }
        case BYTE: {
          const byte = chunk[i++];
          this.remaining--;
          if (this.phase === 2) {
            this.level = byte;
            this.otherLevel = byte !== 3 && byte !== 4;
          } else {
            this.connectFlags = byte;
          }
          this.next();
          break;
        }
      }
    }
    return false;
  }

  /** Sets up the packet's next field, or the next packet's header once this body is walked. */
  private next(): void {
    if (this.remaining <= 0) {
      this.state = HEADER;
      return;
    }
    const p = this.phase++;
    switch (this.type) {
      case PUBLISH:
        return p === 0 ? this.lengthOf(true) : this.skip(this.remaining);
      case SUBSCRIBE:
        // Packet identifier, then (filter, requested QoS) pairs to the end.
        if (p === 0) return this.skip(2);
        if (this.otherLevel) return this.skip(this.remaining);
        return p % 2 === 1 ? this.lengthOf(true) : this.skip(1);
      case UNSUBSCRIBE:
        if (p === 0) return this.skip(2);
        return this.otherLevel ? this.skip(this.remaining) : this.lengthOf(true);
      case CONNECT:
        switch (p) {
          case 0: return this.lengthOf(true); // protocol name
          case 1: case 2: this.state = BYTE; return; // level, then flags
          case 3: return this.skip(2); // keep alive
          case 4: return this.level === 3 || this.level === 4 ? this.lengthOf(true) : this.skip(this.remaining); // client id
          case 5: // will topic, then will message
            if (this.connectFlags & 0x04) return this.lengthOf(true);
            this.phase = 7;
            return this.next();
          case 6: return this.lengthOf(false);
          case 7: // user name, then password
            if (this.connectFlags & 0x80) return this.lengthOf(true);
            this.phase = 8;
            return this.next();
          default: return this.skip(this.remaining);
        }
      default:
        return this.skip(this.remaining);
    }
  }

  private lengthOf(isString: boolean): void {
    this.lengthOfString = isString;
    this.state = LEN_HI;
  }

  private skip(bytes: number): void {
    this.fieldLeft = Math.min(bytes, this.remaining);
    this.state = SKIP;
  }
}
