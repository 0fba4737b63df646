/**
 * aedes (1.x) remembers, per connected client, the highest broker counter it has delivered there and drops
 * every later message whose counter is lower (its `dedupe`, meant for one message reaching a client twice
 * through a cluster). On one broker messages take steps of different lengths before delivery — a retained one
 * is stored first, a QoS 1 one is looked up for offline sessions, a QoS 0 one goes at once — so a message
 * published later can overtake one published earlier, and the earlier one is then dropped silently at every
 * subscriber that got both: a device's state, a hub command (aedes issues #994 and #955, open).
 *
 * This broker is never part of a cluster, so a counter below the last one delivered is never a copy: each
 * client's record answers "nothing delivered yet" and keeps nothing. What dedupe still did here — one copy
 * for a client whose filters overlap (`a/#` and `a/+`) — becomes one copy per matching filter, which MQTT
 * 3.1.1 §3.3.5 allows ("MAY deliver further copies … one for each additional matching subscription").
 *
 * Returns what to do with each client as aedes registers it (its 'client' event, before it can subscribe).
 */
export function deliverOvertakenMessages(brokerId: string): (client: object) => void {
  // One record for every client: reads as 0 (every counter, which starts at 1, is newer) and ignores writes.
  const nothingDelivered = Object.create(null) as object;
  Object.defineProperty(nothingDelivered, brokerId, { get: () => 0, set: () => {}, enumerable: false, configurable: true });
  return (client) => { (client as { duplicates: object }).duplicates = nothingDelivered; };
}
