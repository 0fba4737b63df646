/**
 * `node --expose-gc dist/test/bench/replayMemory.js [ids]`: heap per id the voice replay cache holds (PROTOCOL §3:
 * first answers kept for the TTL, up to voice.idempotencyMaxEntries), as kept when an answer is sent and after
 * the quiet-time compaction. The ids and answers are the edge bench's kind (500 subjects, 100 devices, a fresh
 * reply frame per id). A count of bytes the machine's load does not move; a look inside, not a bench of the report.
 */
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../daemon/core/context.js';
import { IdempotencyCache } from '../../daemon/voice/idempotencyCache.js';
import { jsonCodec } from '../../daemon/voice/jsonCodec.js';
import { keepOutcomesAs } from '../../daemon/voice/keptOutcome.js';
import type { Outcome } from '../../daemon/voice/voiceSession.js';

export async function replayMemory(ids: number): Promise<{ keptBytesPerId: number; compactBytesPerId: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const used = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
  const before = used();
  const cache = new IdempotencyCache({ ttlMs: 600_000, maxEntries: ids }, systemClock, keepOutcomesAs<string>());
  for (let i = 0; i < ids; i++) {
    const id = `e${i % 500}-${Math.floor(i / 500)}`;
    const name = `room ${i % 100} lamp`;
    const text = `Turned ${i % 2 ? 'off' : 'on'} the ${name}.`;
    const ms = Math.round(Math.random() * 300) / 100 + 0.01;
    const frame = jsonCodec.reply(id, { text, intent: 'HassTurnOn', handledBy: 'devices', actions: [{ device: name.replace(/ /g, '_'), command: i % 2 ? 'turn_off' : 'turn_on' }] }, ms);
    const outcome: Outcome<string> = { frame, code: null, intent: 'HassTurnOn', handledBy: 'devices', ms, ran: true, text };
    const run = cache.run(`edge-${i % 500}`, id, () => Promise.resolve(outcome));
    cache.settle(run, await run.result);
  }
  const kept = used() - before;
  cache.compact();
  const compact = used() - before;
  return { keptBytesPerId: kept / cache.size, compactBytesPerId: compact / cache.size };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ids = Number(process.argv[2] ?? 20_000);
  const r = await replayMemory(ids);
  process.stdout.write(`${ids} ids: ${r.keptBytesPerId.toFixed(0)} B an id as kept, ${r.compactBytesPerId.toFixed(0)} B compacted\n`);
}
