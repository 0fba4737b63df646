import type { Logger } from '../core/log.js';
import type { FallbackUtterance, IntentReply } from '../../plugins/sdk/intents.js';

/** An utterance that no local intent matched (with the hub's open question, when it may answer one). */
export type UnmatchedUtterance = FallbackUtterance;

export interface FallbackCall {
  traceId: string;
  sessionId: string;
  subject: string;
  signal: AbortSignal;
  log: Logger;
  /** The asking client's token scopes. */
  scopes?: readonly string[];
  /** `reply.delta` to the asking client, when its wire has one. */
  delta?: (text: string) => void;
}

/** One step of the chain: answers, or passes (null) to the next step. */
export interface FallbackStep {
  readonly name: string;
  run(utterance: UnmatchedUtterance, call: FallbackCall): Promise<IntentReply | null> | IntentReply | null;
}

export interface FallbackAnswer {
  reply: IntentReply;
  handledBy: string;
}

/**
 * What happens to an utterance no local intent matched: each step is asked in order and the first answer
 * wins. Plugin fallbacks (capability `fallback`) come first, then the hub's own steps in the order they
 * were added (the cloud assistant adds its LLM step here, last, being the slowest and least local).
 * A step that fails is logged and skipped; if no step answers, the last failure is passed on (so a cloud
 * outage reads as such), else null: the caller answers NO_MATCH.
 */
export class FallbackChain {
  private readonly steps: FallbackStep[] = [];

  constructor(private readonly pluginSteps: () => readonly FallbackStep[] = () => []) {}

  add(step: FallbackStep): void {
    this.steps.push(step);
  }

  async run(utterance: UnmatchedUtterance, call: FallbackCall): Promise<FallbackAnswer | null> {
    let lastError: unknown = null;
    for (const step of [...this.pluginSteps(), ...this.steps]) {
      if (call.signal.aborted) break;
      try {
        const reply = await step.run(utterance, call);
        if (reply) return { reply, handledBy: step.name };
      } catch (err) {
        lastError = err;
        call.log.warn({ err, fallback: step.name }, 'fallback step failed; trying the next');
      }
    }
    if (lastError) throw lastError;
    return null;
  }
}
