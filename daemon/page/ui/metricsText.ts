/**
 * The few figures the hub panel draws, read from `/metrics` (Prometheus text). Counters and histograms are
 * turned into rates between two scrapes: utterances a minute, and the p99 of the latency histogram's
 * buckets over that interval.
 */
export interface Scrape {
  at: number;
  utterances: number;
  buckets: Array<[number, number]>;
  mqttClients: number;
  memoryMB: number;
  loopDelayMs: number;
}

export interface Figures {
  utterancesPerMin: number;
  p99Ms: number | null;
  mqttClients: number;
  memoryMB: number;
  loopDelayMs: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/;

export function parseMetrics(text: string, at: number): Scrape {
  const s: Scrape = { at, utterances: 0, buckets: [], mqttClients: 0, memoryMB: 0, loopDelayMs: 0 };
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const [, name, labels = '', raw] = m;
    const value = Number(raw);
    if (!Number.isFinite(value) && raw !== '+Inf') continue;
    switch (name) {
      case 'voicehub_utterances_total': s.utterances += value; break;
      case 'voicehub_voice_latency_seconds_bucket': {
        const le = /le="([^"]+)"/.exec(labels)?.[1];
        const bound = le === '+Inf' ? Infinity : Number(le);
        buckets.set(bound, (buckets.get(bound) ?? 0) + value);
        break;
      }
      case 'voicehub_mqtt_clients': s.mqttClients = value; break;
      case 'voicehub_process_resident_memory_bytes': s.memoryMB = Math.round(value / 1048576); break;
      case 'voicehub_nodejs_eventloop_lag_p99_seconds': s.loopDelayMs = Math.round(value * 10000) / 10; break;
    }
  }
  s.buckets = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  return s;
}

export function figures(prev: Scrape | null, cur: Scrape): Figures {
  const minutes = prev ? Math.max(1e-3, (cur.at - prev.at) / 60000) : 1;
  const utterances = prev ? Math.max(0, cur.utterances - prev.utterances) : 0;
  let p99: number | null = null;
  const counts = cur.buckets.map(([le, n], i) => [le, n - (prev?.buckets[i]?.[1] ?? 0)] as [number, number]);
  const total = counts.at(-1)?.[1] ?? 0;
  if (total > 0) {
    const target = total * 0.99;
    const hit = counts.find(([, n]) => n >= target);
    if (hit) p99 = hit[0] === Infinity ? null : Math.round(hit[0] * 1000);
  }
  return { utterancesPerMin: Math.round((utterances / minutes) * 10) / 10, p99Ms: p99, mqttClients: cur.mqttClients, memoryMB: cur.memoryMB, loopDelayMs: cur.loopDelayMs };
}
