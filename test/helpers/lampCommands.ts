import assert from 'node:assert/strict';
import type { ReceivedEvent } from './fakeCloud.js';

/**
 * What the outage tests (test/faults/outage.test.ts, blackHole.test.ts) share: the lamp's commands through
 * `POST /api/command`, each with its own brightness so the lamp's copy names the command, the check that each
 * was delivered once or refused and never delivered late, and the cloud's temperature readings in order.
 */
export interface Sent { value: number; status: number; code?: string; message?: string; phase: string }

/** Lamp commands on `hubUrl` with a devices:control token; every one is kept in `sent`. */
export function lampCommander(hubUrl: string, token: string): { sent: Sent[]; command(phase: string): Promise<Sent> } {
  const sent: Sent[] = [];
  let value = 0;
  const command = async (phase: string): Promise<Sent> => {
    const v = ++value;
    const res = await fetch(`${hubUrl}/api/command`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      // A thousandth of a percent per command, so every command's value is its own (the long variant sends hundreds)
      // and the lamp, at a scale of 100,000, receives the command's number.
      body: JSON.stringify({ device: 'lamp', command: 'set_brightness', params: { brightness: v / 1000 } }),
    });
    const body = await res.json() as { error?: { code?: string; reason?: string; message?: string } };
    const entry: Sent = { value: v, status: res.status, phase, ...(body.error ? { code: body.error.reason ?? body.error.code, message: body.error.message } : {}) };
    sent.push(entry);
    return entry;
  };
  return { sent, command };
}

/** Each accepted command arrived once; a refused one never, or at most once if it was given up unacknowledged. */
export function assertDeliveredOnce(sent: Sent[], received: number[]): void {
  const counts = new Map<number, number>();
  for (const v of received) counts.set(v, (counts.get(v) ?? 0) + 1);
  for (const s of sent) {
    if (s.status === 200) assert.equal(counts.get(s.value) ?? 0, 1, `accepted command ${s.value} (${s.phase}) delivered exactly once`);
    else {
      assert.equal(s.code, 'MQTT_UNAVAILABLE', JSON.stringify(s));
      if (/did not acknowledge/.test(s.message ?? '')) {
        // Written on a connection that was dead (the hub had not noticed yet), and its PUBACK came after its age, or
        // never: the broker may have had it, as with any QoS 1 message given up. Never twice.
        assert.ok((counts.get(s.value) ?? 0) <= 1, `command ${s.value}, given up unacknowledged, delivered at most once`);
      } else {
        assert.equal(counts.get(s.value) ?? 0, 0, `refused command ${s.value}, never sent, never delivered (not late)`);
      }
    }
  }
}

/** The temperature readings of device `temp` the cloud received, first copy of each seq, in order. */
export function temperatures(received: ReceivedEvent[]): number[] {
  const seen = new Set<number>();
  const values: number[] = [];
  for (const e of received) {
    if (e.kind !== 'device.state' || e.device !== 'temp' || seen.has(e.seq)) continue;
    seen.add(e.seq);
    values.push(Number((e.state as { value?: unknown; state?: unknown; temperature?: unknown }).temperature ?? (e.state as { value?: unknown }).value ?? (e.state as { state?: unknown }).state));
  }
  return values;
}
