import type { Logger } from '../core/log.js';
import type { Attempt } from './workQueue.js';
import type { AudioInput, Utterance, UtteranceContext } from './handlerStage.js';

/**
 * One accepted utterance (typed, or audio to transcribe) on its way through a session: it is the
 * `Utterance` the handler sees, and it carries the trace id and the time it arrived. Its logger is made
 * only when something logs, so the hot path allocates no child logger for utterances nobody logs about.
 */
export class UtteranceJob implements Utterance {
  private traceLog: Logger | null = null;
  /** The client's text, or the transcript once speech-to-text has run. */
  text: string;
  lang?: string;
  /** The client asked for the reply as speech too (`tts: true`). */
  wantsSpeech = false;

  constructor(
    readonly id: string,
    text: string | null,
    lang: string | undefined,
    readonly audio: AudioInput | null,
    /** performance.now() when the frame arrived. */
    readonly receivedAt: number,
    readonly traceId: string,
    private readonly parentLog: Logger,
  ) {
    this.text = text ?? '';
    this.lang = lang;
  }

  get log(): Logger {
    this.traceLog ??= this.parentLog.child({ traceId: this.traceId });
    return this.traceLog;
  }
}

/** Makes the `reply.delta` sender of one attempt (the session's, when its wire has the frame). */
export type DeltaSenders = (job: UtteranceJob, attempt: Attempt) => (text: string) => void;

/** The context of one attempt at a job, as the handler and speech-to-text stages see it. */
export class AttemptContext implements UtteranceContext {
  constructor(
    private readonly job: UtteranceJob,
    private readonly current: Attempt,
    readonly sessionId: string,
    readonly subject: string,
    readonly scopes: readonly string[],
    readonly area: string | undefined,
    private readonly deltas: DeltaSenders | null,
  ) {}

  get delta(): ((text: string) => void) | undefined {
    return this.deltas?.(this.job, this.current);
  }

  get traceId(): string {
    return this.job.traceId;
  }

  get attempt(): number {
    return this.current.number;
  }

  get signal(): AbortSignal {
    return this.current.signal;
  }

  get log(): Logger {
    return this.job.log;
  }
}
