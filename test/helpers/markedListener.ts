import mqtt from 'mqtt';
import { until } from './until.js';

export interface MarkedListener {
  /** What reached the subscribed topics since the last drain, in order; waits for everything sent before it. */
  drain(): Promise<Array<{ topic: string; payload: string }>>;
  close(): Promise<void>;
}

/**
 * A device-side MQTT client on `topics` (plus `sentinel/#`). `drain` publishes a marker through the hub's own
 * client and waits for it: MQTT keeps one publisher's order, so every message the hub sent before has arrived.
 */
export async function markedListener(
  url: string, topics: string[], publish: (topic: string, payload: string) => Promise<unknown>,
): Promise<MarkedListener> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const received: Array<{ topic: string; payload: string }> = [];
  client.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await client.subscribeAsync([...topics, 'sentinel/#']);
  return {
    async drain() {
      const mark = `m${received.length}-${Math.random()}`;
      await publish('sentinel/mark', mark);
      // Bounded: a marker that never comes fails the test instead of holding its file open forever.
      await until(() => (received.some((m) => m.payload === mark) ? true : undefined), 'the drain marker to come back', 30_000);
      const out = received.filter((m) => m.topic !== 'sentinel/mark');
      received.length = 0;
      return out;
    },
    close: () => client.endAsync(),
  };
}
