import type { VoiceErrorCode } from '../core/errors.js';
import type { KeepAs } from './idempotencyCache.js';
import type { Outcome } from './voiceSession.js';

/** A failed outcome as the replay cache keeps it: its frame and code (few ids end in an error). */
class KeptFailure<F> {
  constructor(readonly frame: F, readonly code: VoiceErrorCode) {}
}

/** What the replay cache holds per id: a reply's encoded frame itself, or a failure's frame and code. */
export type KeptOutcome<F> = F | KeptFailure<F>;

/**
 * How the voice core's replay cache (PROTOCOL §3: up to `voice.idempotencyMaxEntries` first answers, for
 * `voice.idempotencyTtlSeconds`) keeps an outcome: a reply as the frame first sent and nothing else, one
 * string per id for `/voice`, not the outcome object with its own copy of the text, its intent and timing
 * (the 20,000 answers a busy spell leaves held were about 4 MB of those). A copy only needs what answer()
 * sends to it: the same bytes, and whether they are an error (its state frames). A replayed outcome's `ms`
 * is the replay's own work, none; the frame carries the first run's.
 * F must not be a Promise, as the cache requires (the codecs' frames are strings).
 */
export const keptOutcome: KeepAs<Outcome<unknown>, KeptOutcome<unknown>> = {
  keep: (outcome) => (outcome.code === null ? outcome.frame : new KeptFailure(outcome.frame, outcome.code)),
  replay: (kept) => (kept instanceof KeptFailure
    ? { frame: kept.frame, code: kept.code, ms: 0, ran: true }
    : { frame: kept, code: null, ms: 0, ran: true }),
};

/** The same, typed for one wire's frames. */
export function keepOutcomesAs<F>(): KeepAs<Outcome<F>, KeptOutcome<F>> {
  return keptOutcome as KeepAs<Outcome<F>, KeptOutcome<F>>;
}
