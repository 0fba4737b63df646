import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetricsRegistry } from '../../../daemon/core/metrics.js';
import { VoiceMetrics } from '../../../daemon/voice/metrics.js';

const line = (text: string, pattern: RegExp) => pattern.exec(text)?.[1];

test('outcomes counted between scrapes are all in the next scrape, once, and latencies land in their buckets', async () => {
  const registry = createMetricsRegistry();
  const metrics = new VoiceMetrics(registry);
  for (let i = 0; i < 5; i++) metrics.observe('reply', 0.0004);
  metrics.observe('BUSY');
  let text = await registry.metrics();
  assert.equal(line(text, /voicehub_utterances_total\{outcome="reply"\} (\d+)/), '5');
  assert.equal(line(text, /voicehub_utterances_total\{outcome="BUSY"\} (\d+)/), '1');
  assert.equal(line(text, /voicehub_voice_latency_seconds_bucket\{le="0.0005"\} (\d+)/), '5');
  assert.equal(line(text, /voicehub_voice_latency_seconds_count (\d+)/), '5', 'BUSY had no latency');
  text = await registry.metrics();
  assert.equal(line(text, /voicehub_utterances_total\{outcome="reply"\} (\d+)/), '5', 'a second scrape counts nothing twice');
  // A voice server made again on the same registry (the hub in tests) adds to the same series.
  new VoiceMetrics(registry).observe('reply', 0.002);
  text = await registry.metrics();
  assert.equal(line(text, /voicehub_utterances_total\{outcome="reply"\} (\d+)/), '6');
  assert.equal(line(text, /voicehub_voice_latency_seconds_bucket\{le="0.0025"\} (\d+)/), '6');
  assert.equal(line(text, /voicehub_voice_latency_seconds_bucket\{le="0.001"\} (\d+)/), '5');
});
