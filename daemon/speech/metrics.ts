import { Counter, Histogram, type Registry } from 'prom-client';
import { getOrCreate } from '../core/metrics.js';

/** Buckets from 10 ms (a warm recogniser's tail) to 10 s (a timeout), in seconds. */
const SPEECH_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1, 1.5, 2.5, 5, 10];
const RTF_BUCKETS = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5];

/**
 * Speech metrics (issue 16): `voicehub_stt_requests_total{provider,outcome}`, the time from the end of the
 * audio to its transcript, the time to synthesise a reply, and the real-time factor (engine time over
 * audio length: below 1 keeps up with speech).
 */
export class SpeechMetrics {
  private readonly requests: Counter<'provider' | 'outcome'>;
  private readonly sttLatency: Histogram<'provider'>;
  private readonly ttsLatency: Histogram<'provider'>;
  private readonly ttsRequests: Counter<'provider' | 'outcome'>;
  private readonly rtf: Histogram<'provider' | 'kind'>;

  constructor(registry: Registry) {
    this.requests = getOrCreate(registry, 'voicehub_stt_requests_total', () => new Counter({
      name: 'voicehub_stt_requests_total', help: 'Speech-to-text requests by provider and outcome (ok, empty, no_speech or the error code)',
      labelNames: ['provider', 'outcome'], registers: [registry],
    }));
    this.sttLatency = getOrCreate(registry, 'voicehub_stt_latency_seconds', () => new Histogram({
      name: 'voicehub_stt_latency_seconds', help: 'End of audio to transcript', labelNames: ['provider'], buckets: SPEECH_BUCKETS, registers: [registry],
    }));
    this.ttsLatency = getOrCreate(registry, 'voicehub_tts_latency_seconds', () => new Histogram({
      name: 'voicehub_tts_latency_seconds', help: 'Text to synthesised reply audio', labelNames: ['provider'], buckets: SPEECH_BUCKETS, registers: [registry],
    }));
    this.ttsRequests = getOrCreate(registry, 'voicehub_tts_requests_total', () => new Counter({
      name: 'voicehub_tts_requests_total', help: 'Text-to-speech requests by provider and outcome (ok or the error code)',
      labelNames: ['provider', 'outcome'], registers: [registry],
    }));
    this.rtf = getOrCreate(registry, 'voicehub_speech_real_time_factor', () => new Histogram({
      name: 'voicehub_speech_real_time_factor', help: 'Engine time over audio duration (kind stt or tts)', labelNames: ['provider', 'kind'], buckets: RTF_BUCKETS, registers: [registry],
    }));
  }

  stt(provider: string, outcome: string, seconds?: number, audioSeconds?: number): void {
    this.requests.inc({ provider, outcome });
    if (seconds === undefined) return;
    this.sttLatency.observe({ provider }, seconds);
    if (audioSeconds) this.rtf.observe({ provider, kind: 'stt' }, seconds / audioSeconds);
  }

  ttsOutcome(provider: string, outcome: string): void {
    this.ttsRequests.inc({ provider, outcome });
  }

  tts(provider: string, seconds: number, audioSeconds: number): void {
    this.ttsLatency.observe({ provider }, seconds);
    if (audioSeconds > 0) this.rtf.observe({ provider, kind: 'tts' }, seconds / audioSeconds);
  }
}
