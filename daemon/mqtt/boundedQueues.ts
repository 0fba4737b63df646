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

/** Bytes of QoS 2 messages awaiting PUBREL the broker holds for all clients together. */
export const MAX_INCOMING_TOTAL_BYTES = 64 * 1024 * 1024;

interface IncomingPacket extends Packet { messageId?: number }
/** The slice of aedes-persistence that holds inbound QoS 2 messages until their PUBREL. */
export interface IncomingStore {
  incomingStorePacket(client: { id: string }, packet: IncomingPacket): Promise<void>;
  incomingDelPacket(client: { id: string }, packet: IncomingPacket): Promise<void>;
  cleanIncoming?(client: { id: string }): Promise<void>;
}

/**
 * Bounds the inbound QoS 2 messages aedes keeps until the client's PUBREL (issue 18, found by the red team).
 * aedes caps them at 1,000 per client by count only: one client sending 1,000 QoS 2 publishes of 200 KB and
 * never a PUBREL held 220 MB of the hub (RSS 73 → 297 MB), and a persistent session keeps them after it
 * disconnects. Here a client may hold `maxBytes` (mqtt.maxQueuedBytes, as for its outgoing queue) and all
 * clients together MAX_INCOMING_TOTAL_BYTES; past either the store refuses, and aedes closes that connection.
 */
export function boundIncomingQos2(store: IncomingStore, maxBytes: number, onRefuse: (clientId: string) => void): void {
  const held = new Map<string, { ids: Map<number, number>; bytes: number }>();
  let total = 0;
  const storePacket = store.incomingStorePacket.bind(store);
  const delPacket = store.incomingDelPacket.bind(store);
  const clean = store.cleanIncoming?.bind(store);
  const release = (clientId: string, messageId: number | undefined): void => {
    const mine = held.get(clientId);
    const bytes = mine?.ids.get(messageId ?? -1);
    if (!mine || bytes === undefined) return;
    mine.ids.delete(messageId ?? -1);
    mine.bytes -= bytes;
    total -= bytes;
    if (mine.ids.size === 0) held.delete(clientId);
  };
  store.incomingStorePacket = async (client, packet) => {
    release(client.id, packet.messageId); // a DUP resent before its PUBREL replaces its first copy
    const bytes = sizeOf(packet);
    if ((held.get(client.id)?.bytes ?? 0) + bytes > maxBytes || total + bytes > MAX_INCOMING_TOTAL_BYTES) {
      onRefuse(client.id);
      throw new Error('inbound QoS 2 messages awaiting PUBREL over mqtt.maxQueuedBytes');
    }
    const mine = held.get(client.id) ?? { ids: new Map<number, number>(), bytes: 0 };
    held.set(client.id, mine);
    mine.ids.set(packet.messageId ?? -1, bytes);
    mine.bytes += bytes;
    total += bytes;
    try {
      await storePacket(client, packet);
    } catch (err) {
      release(client.id, packet.messageId);
      throw err;
    }
  };
  store.incomingDelPacket = async (client, packet) => {
    await delPacket(client, packet);
    release(client.id, packet.messageId);
  };
  if (clean) {
    store.cleanIncoming = async (client) => {
      await clean(client);
      for (const id of [...(held.get(client.id)?.ids.keys() ?? [])]) release(client.id, id);
    };
  }
}
