/**
 * Bookkeeping of the embedded broker's retained messages, so a flood of them cannot fill the hub's memory
 * (aedes keeps every retained message in memory, with no limit of its own). Each retained topic is charged
 * to the client that last set it (its client id), and to the total. A retained publish that would push its
 * client or the total past a limit is refused before aedes stores it; replacing a topic with a payload no
 * larger, or clearing it (empty payload, [MQTT-3.3.1-10]), is always allowed, so a device at its limit can
 * still update its own state. Cost is one Map lookup per retained publish; memory is one small entry per
 * retained topic, itself bounded by `maxMessages`.
 */
export interface RetainedLimits {
  /** Retained topics in the whole broker. */
  maxMessages: number;
  /** Bytes (topic + payload) of all retained messages. */
  maxBytes: number;
  /** Retained topics one client may hold. */
  maxMessagesPerClient: number;
  /** Bytes one client's retained messages may take. */
  maxBytesPerClient: number;
}

export type RetainedRefusal = 'retained_total_count' | 'retained_total_bytes' | 'retained_client_count' | 'retained_client_bytes';

interface Entry { owner: string; bytes: number }
interface Usage { messages: number; bytes: number }

export class RetainedLedger {
  private readonly topics = new Map<string, Entry>();
  private readonly owners = new Map<string, Usage>();
  private totalBytes = 0;

  constructor(private readonly limits: RetainedLimits) {}

  get messages(): number {
    return this.topics.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /**
   * A retained publish of `payloadBytes` on `topic` by `owner`: records it and returns null, or returns why
   * it is refused (and records nothing). `enforce: false` records without checking (the hub's own messages).
   */
  admit(owner: string, topic: string, payloadBytes: number, enforce = true): RetainedRefusal | null {
    const previous = this.topics.get(topic);
    if (payloadBytes === 0) {
      if (previous) this.forget(topic, previous);
      return null;
    }
    const bytes = Buffer.byteLength(topic) + payloadBytes;
    if (enforce) {
      const refusal = this.check(owner, bytes, previous);
      if (refusal) return refusal;
    }
    if (previous) this.forget(topic, previous);
    this.topics.set(topic, { owner, bytes });
    const usage = this.owners.get(owner) ?? { messages: 0, bytes: 0 };
    usage.messages++;
    usage.bytes += bytes;
    this.owners.set(owner, usage);
    this.totalBytes += bytes;
    return null;
  }

  private check(owner: string, bytes: number, previous: Entry | undefined): RetainedRefusal | null {
    const { limits } = this;
    // What the store would hold after this publish: the previous message on the topic goes away.
    const freedBytes = previous?.bytes ?? 0;
    const newTopic = previous === undefined ? 1 : 0;
    if (bytes <= freedBytes && previous?.owner === owner) return null;
    if (this.topics.size + newTopic > limits.maxMessages) return 'retained_total_count';
    if (this.totalBytes - freedBytes + bytes > limits.maxBytes) return 'retained_total_bytes';
    const usage = this.owners.get(owner) ?? { messages: 0, bytes: 0 };
    const ownFreed = previous?.owner === owner ? previous.bytes : 0;
    const ownNewTopic = previous?.owner === owner ? 0 : 1;
    if (usage.messages + ownNewTopic > limits.maxMessagesPerClient) return 'retained_client_count';
    if (usage.bytes - ownFreed + bytes > limits.maxBytesPerClient) return 'retained_client_bytes';
    return null;
  }

  private forget(topic: string, entry: Entry): void {
    this.topics.delete(topic);
    this.totalBytes -= entry.bytes;
    const usage = this.owners.get(entry.owner);
    if (!usage) return;
    usage.messages--;
    usage.bytes -= entry.bytes;
    if (usage.messages <= 0) this.owners.delete(entry.owner);
  }
}
