/**
 * Bounds aedes' per-client outgoing queues, as Mosquitto's `max_queued_messages` / `max_queued_bytes` do.
 * aedes keeps, in memory and without limit, every QoS ≥ 1 message for a persistent session (clean = false):
 * while the client is offline (to deliver when it comes back) and while it is online until it PUBACKs. A
 * device that subscribed to `#` with a persistent session and then vanished, or one that never acknowledges,
 * would otherwise grow the hub's memory forever. Past the limit a message is not stored for that client: an
 * offline client misses it, an online one still gets it live but it is not kept for redelivery.
 *
 * This wraps the three methods of aedes-persistence's in-memory store that add to or take from those queues
 * (`outgoingEnqueue`, `outgoingEnqueueCombi`, `outgoingClearMessageId`) and keeps a count per client id.
 */
export interface QueueLimits {
  maxMessages: number;
  maxBytes: number;
}

interface Sub { clientId: string }
interface Packet { payload?: unknown; topic?: string }

/** The slice of aedes-persistence (async API) wrapped here. */
export interface OutgoingStore {
  outgoingEnqueue(sub: Sub, packet: Packet): Promise<void>;
  outgoingEnqueueCombi(subs: Sub[], packet: Packet): Promise<void>;
  outgoingClearMessageId(client: { id: string }, packet: Packet): Promise<Packet | undefined>;
}

interface Usage { messages: number; bytes: number }

export function boundOutgoingQueues(store: OutgoingStore, limits: QueueLimits, onDrop: (clientId: string) => void): void {
  const usage = new Map<string, Usage>();
  const enqueue = store.outgoingEnqueue.bind(store);
  const enqueueCombi = store.outgoingEnqueueCombi.bind(store);
  const clear = store.outgoingClearMessageId.bind(store);

  /** Charges the packet to the client; false (and nothing charged) when its queue is full. */
  const charge = (clientId: string, bytes: number): boolean => {
    const u = usage.get(clientId) ?? { messages: 0, bytes: 0 };
    if (u.messages + 1 > limits.maxMessages || u.bytes + bytes > limits.maxBytes) {
      onDrop(clientId);
      return false;
    }
    u.messages++;
    u.bytes += bytes;
    usage.set(clientId, u);
    return true;
  };

  store.outgoingEnqueue = (sub, packet) => (charge(sub.clientId, sizeOf(packet)) ? enqueue(sub, packet) : Promise.resolve());
  store.outgoingEnqueueCombi = (subs, packet) => {
    const bytes = sizeOf(packet);
    const admitted = subs.filter((sub) => charge(sub.clientId, bytes));
    return admitted.length === 0 ? Promise.resolve() : enqueueCombi(admitted, packet);
  };
  store.outgoingClearMessageId = async (client, packet) => {
    const removed = await clear(client, packet);
    const u = removed ? usage.get(client.id) : undefined;
    if (u && removed) {
      u.messages--;
      u.bytes = Math.max(0, u.bytes - sizeOf(removed));
      if (u.messages <= 0) usage.delete(client.id);
    }
    return removed;
  };
}

function sizeOf(packet: Packet): number {
  const payload = packet.payload;
  const bytes = Buffer.isBuffer(payload) ? payload.length : typeof payload === 'string' ? Buffer.byteLength(payload) : 0;
  return bytes + (packet.topic ? packet.topic.length : 0);
}
