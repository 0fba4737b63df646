import mqtt, { type MqttClient } from 'mqtt';
import type { DaemonProcess } from './daemon.js';

/**
 * Config for a hub dialling a fake cloud, with short backoff and flush intervals so outages take ms, not minutes.
 * The heartbeat stays at seconds unless a test is about it: a machine busy with other suites pauses for longer
 * than a 300 ms heartbeat allows, and an extra reconnect would only blur what a test checks.
 */
export function cloudConfig(url: string, extra: { heartbeatMs?: number; backoffMaxMs?: number; outboxMax?: number; flushIntervalMs?: number; token?: string; more?: string } = {}): string {
  return [
    `storage: { flushIntervalMs: ${extra.flushIntervalMs ?? 50} }`,
    `cloud: { url: "${url}", token: "${extra.token ?? 'hub-token'}", hubId: hub-1, heartbeatMs: ${extra.heartbeatMs ?? 5000}, backoffMaxMs: ${extra.backoffMaxMs ?? 200}, outboxMax: ${extra.outboxMax ?? 10000}${extra.more ?? ''} }`,
    'devices:',
    '  - { id: lamp, name: Hall Lamp, area: hall, type: light, schema: json, brightness: true, commandTopic: home/lamp/set, stateTopic: home/lamp/state }',
    '  - { id: temp, name: Hall Temperature, area: hall, type: sensor, stateTopic: home/temp/state, deviceClass: temperature, unit: "°C" }',
    '  - { id: temp2, name: Attic Temperature, area: attic, type: sensor, stateTopic: home/temp2/state, deviceClass: temperature, unit: "°C" }',
    'areas: { hall: {}, attic: {} }',
    '',
  ].join('\n');
}

export async function health(daemon: DaemonProcess): Promise<{ status: string; checks: Record<string, Record<string, unknown>> }> {
  const res = await fetch(`${daemon.url}/health`);
  return await res.json() as { status: string; checks: Record<string, Record<string, unknown>> };
}

export async function metrics(daemon: DaemonProcess): Promise<string> {
  return (await fetch(`${daemon.url}/metrics`)).text();
}

/** A metric's value (the first sample line of that name), or NaN. */
export function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

export async function deviceClient(daemon: DaemonProcess): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${daemon.mqttPort}`, { reconnectPeriod: 0 });
}

/** Publishes `count` temperature readings (distinct values, so each is a state change) on `topic`. */
export async function publishReadings(client: MqttClient, topic: string, from: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await client.publishAsync(topic, String(from + i), { qos: 1 });
}

/** Polls `test` every 20 ms until it holds. */
export async function until(test: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
