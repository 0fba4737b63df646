import type { VoiceErrorCode } from '../core/errors.js';
import type { KeepAs } from './idempotencyCache.js';
import type { Outcome } from './voiceSession.js';

/** A failed outcome as the replay cache keeps it: its frame and code (few ids end in an error). */
class KeptFailure<F> {
  constructor(readonly frame: F, readonly code: VoiceErrorCode) {}
}

/**
 * A `/voice` reply frame in pieces, made when the hub is quiet: `{"type":"reply","id":` and the id (the
 * cache's own key string) before `body`, which holds everything from the text to `"ms":` and is one string
 * shared by every id that got the same answer, then `tail`, the id's own timing and the closing brace.
 */
class CompactReply {
  constructor(readonly id: string, readonly body: string, readonly tail: string) {}

  get frame(): string {
    return `${REPLY_HEAD}${JSON.stringify(this.id)}${this.body}${this.tail}`;
  }
}

const REPLY_HEAD = '{"type":"reply","id":';
const MS_KEY = ',"ms":';

/** What the replay cache holds per id: a reply's encoded frame itself, or a failure's frame and code. */
export type KeptOutcome<F> = F | KeptFailure<F> | CompactReply;

/**
 * How the voice core's replay cache (PROTOCOL §3: up to `voice.idempotencyMaxEntries` first answers, for
 * `voice.idempotencyTtlSeconds`) keeps an outcome: a reply as the frame first sent and nothing else, one
 * string per id for `/voice`, not the outcome object with its own copy of the text, its intent and timing
 * (586 → 392 bytes of heap an id, 20,000 ids held). A copy only needs what answer() sends to it: the same
 * bytes, and whether they are an error (its state frames). A replayed outcome's `ms` is the replay's own
 * work, none; the frame carries the first run's.
 *
 * When the hub is quiet the cache compacts what it holds: a `/voice` reply frame becomes a CompactReply
 * whose middle, the same for every id that got the same answer (the text, intent, handler, actions), is
 * shared: 392 → 174-180 bytes an id (test/bench/replayMemory.ts). A frame is compacted only when its pieces put together again are exactly
 * the frame (checked each time), so another wire's frames, or a change to this one's, stay whole.
 * F must not be a Promise, as the cache requires (the codecs' frames are strings).
 */
export const keptOutcome: KeepAs<Outcome<unknown>, KeptOutcome<unknown>> = {
  keep: (outcome) => (outcome.code === null ? outcome.frame : new KeptFailure(outcome.frame, outcome.code)),
  replay: (kept) => {
    if (kept instanceof KeptFailure) return { frame: kept.frame, code: kept.code, ms: 0, ran: true };
    if (kept instanceof CompactReply) return { frame: kept.frame, code: null, ms: 0, ran: true };
    return { frame: kept, code: null, ms: 0, ran: true };
  },
  compact: (kept, id, shared) => {
    if (typeof kept !== 'string' || !kept.startsWith(REPLY_HEAD)) return undefined;
    const idJson = JSON.stringify(id);
    if (!kept.startsWith(idJson, REPLY_HEAD.length)) return undefined;
    const ms = kept.lastIndexOf(MS_KEY);
    const from = REPLY_HEAD.length + idJson.length;
    if (ms < from) return undefined;
    const cut = ms + MS_KEY.length;
    let body = kept.slice(from, cut);
    const known = shared.get(body);
    if (known === undefined) {
      body = flat(body);
      shared.set(body, body);
    } else {
      body = known;
    }
    const small = new CompactReply(id, body, flat(kept.slice(cut)));
    return small.frame === kept ? small : undefined;
  },
};

/**
 * A copy of a piece of a string that holds only its own characters: V8 makes a slice of 13 or more
 * characters a view that keeps the whole frame alive, which would save nothing.
 */
function flat(piece: string): string {
  return piece.length < 13 ? piece : Buffer.from(piece, 'utf8').toString('utf8');
}

/** The same, typed for one wire's frames. */
export function keepOutcomesAs<F>(): KeepAs<Outcome<F>, KeptOutcome<F>> {
  return keptOutcome as KeepAs<Outcome<F>, KeptOutcome<F>>;
}
