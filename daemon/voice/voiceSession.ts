import { performance } from 'node:perf_hooks';
import type { EventBus } from '../core/bus.js';
import { HubError, isHubError, isRefusal, toVoiceErrorCode, type VoiceErrorCode } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { hasScope } from '../auth/tokens.js';
import type { VoiceCodec, VoiceRequest } from './voiceCodec.js';
import type { AudioInput, HandlerStage, SpeechStream, SpeechToText, TextToSpeech, VoiceReply } from './handlerStage.js';
import type { IdempotencyCache, IdempotentRun } from './idempotencyCache.js';
import type { KeptOutcome } from './keptOutcome.js';
import type { VoiceMetrics } from './metrics.js';
import type { RateLimiter } from '../core/rateLimiter.js';
import type { WarnThrottle } from '../core/warnThrottle.js';
import type { AudioBudget, BudgetedStream } from './audioBudget.js';
import { SessionStateMachine, type SessionState } from './sessionStateMachine.js';
import { AttemptContext, UtteranceJob, type DeltaSenders } from './utteranceJob.js';
import type { Attempt, RunHooks, WorkQueue } from './workQueue.js';
import type { SpeechRouter } from './speechRouter.js';

/** An utterance's outcome: the answer, encoded once by the front door's codec; the idempotency cache keeps only that frame (and a failure's code) to send again (keptOutcome.ts). */
export interface Outcome<F = string> {
  frame: F;
  /** null for a reply. */
  code: VoiceErrorCode | null;
  intent?: string;
  handledBy?: string;
  ms: number;
  /** False when no stage ever ran (the work queue refused it): then the id is not remembered. */
  ran: boolean;
  /** The reply's text (spoken to clients that asked for speech). */
  text?: string;
}

/** Shared by every session of one voice core (the codec and the idempotency cache: by every session of one door). */
export interface SessionDeps<F = string> {
  /** How the front door writes events: every session of one server speaks the same wire. */
  codec: VoiceCodec<F>;
  limiter: RateLimiter;
  /** Holds back "utterance failed" warnings past a few a second per code (a failing plugin fails every call). */
  failureWarnings: WarnThrottle;
  /** Keeps a settled outcome as its frame (keptOutcome.ts): a copy is answered with the same bytes. */
  idempotency: IdempotencyCache<Outcome<F>, KeptOutcome<F>>;
  queue: WorkQueue;
  metrics: VoiceMetrics;
  bus: EventBus;
  log: Logger;
  stage(): HandlerStage;
  stt(): SpeechToText | null;
  /** Speaks replies to clients that asked (`tts: true`); null: replies are text only. */
  tts(): TextToSpeech | null;
  limits: { sessionQueue: number; maxAudioBytes: number; audioIdleMs: number };
  /** Audio held across every session (voice.maxBufferedAudioBytes); streams idle the longest are refused first. */
  audioBudget: AudioBudget;
  /** Milliseconds, for audio activity (the hub's clock). */
  now(): number;
  isStopping(): boolean;
  /** Where `voice.speak` goes: a session that closes leaves it (the core joins it when it opens). */
  speech: Pick<SpeechRouter, 'leave'>;
}

export interface SessionIdentity {
  id: string;
  subject: string;
  scopes: readonly string[];
  area?: string;
  /** The connection's trace id (the upgrade's `x-trace-id`, or made up): every log line of the session carries it. */
  traceId?: string;
  /** The client asked at connect for speech (`?tts=true`, a satellite): `speak` pushes reach it as audio too. */
  tts?: boolean;
}

/** How a session reaches its client; the front door provides it (the voice server: over the WebSocket). */
export interface SessionTransport<F = string> {
  send(frame: F): void;
  /** Spoken reply audio (s16le bytes) between the codec's speechStart and speechEnd; absent: the door cannot carry audio. */
  sendAudio?(pcm: Buffer): void;
}

/** Spoken replies go out in pieces of this many bytes (0.1 s at 22050 Hz), each one binary frame. */
const SPEECH_CHUNK_BYTES = 4410;

type AudioStart = Extract<VoiceRequest, { type: 'audio.start' }>;

/** A job under way: the outcome to come, and whether this copy started it (or joined an earlier one). */
type JobRun<F> = IdempotentRun<Outcome<F>>;

/** Takes a job's outcome; null with the error when folding the result failed (a bug). */
type Finish<F> = (outcome: Outcome<F> | null, err?: unknown) => void;

interface AudioCapture extends BudgetedStream {
  frame: AudioStart;
  chunks: Buffer[];
  receivedAt: number;
  /** Went over voice.maxAudioBytes or the shared budget: already refused, the rest is discarded until audio.end. */
  dropped: boolean;
  /** The speech-to-text stage's stream, fed as chunks arrive (null when it has none). */
  stream: SpeechStream | null;
}

/**
 * One voice connection (PROTOCOL §3): turns typed requests into jobs, keeps them in order (one at a time, up
 * to `voice.sessionQueue` waiting), drives the session state machine and sends every change as a `state`
 * event. Knows no wire format: its front door decodes requests (jsonCodec.ts's JsonSessionDoor for `/voice`)
 * and gives it the codec that encodes events (`F`) and a transport that sends them.
 *
 * An utterance (typed or transcribed) goes through these steps, each one method of the same name, in order:
 * 1. `admit`   scope, stopping, the subject's rate limit, room in this session's queue; else an error event.
 * 2. `enqueue` one job at a time per session, in order: it waits here while an earlier one runs.
 * 3. `dedupe`  the same subject and id as an earlier utterance joins that one's run (the idempotency cache).
 * 4. `run`     the core's shared work queue (concurrency, timeout, retries) runs the stages (speech to text
 *              for audio, then the handler stage) and folds the result into an Outcome, encoded once.
 * 5. `answer`  the outcome is sent between its state events, cached, counted and published.
 * `start` joins 3–5 with one then() per job (no async frame on the hot path) and then takes the next waiting.
 */
export class VoiceSession<F = string> {
  private readonly machine: SessionStateMachine;
  private readonly waiting: UtteranceJob[] = [];
  private busy = false;
  private closed = false;
  private audio: AudioCapture | null = null;
  /**
   * The id of a stream the speech stage's voice-activity detection ended: the client, still streaming, may
   * send more of it and its audio.end; those are ignored quietly until its next audio.start.
   */
  private vadEnded: string | null = null;
  private idleWaiters: Array<() => void> = [];
  /** Set at connect or by the first request with `tts: true`: `speak` pushes are spoken to this client too. */
  private audioClient: boolean;
  /** Spoken audio goes out one piece after another (a push never cuts into a reply's audio), synthesised at once. */
  private speechOut: Promise<void> = Promise.resolve();
  private spokenPushes = 0;
  private readonly hooks: RunHooks = {
    onRetry: () => this.machine.to('retrying'),
    onAttempt: () => this.machine.to('processing'),
  };

  private readonly send: (frame: F) => void;

  constructor(private readonly deps: SessionDeps<F>, readonly identity: SessionIdentity, private readonly transport: SessionTransport<F>) {
    this.send = (frame) => transport.send(frame);
    const { codec } = deps;
    const delta = codec.delta?.bind(codec);
    this.deltas = delta ? (job, attempt) => (text) => {
      if (this.closed || attempt.aborted || typeof text !== 'string' || text.length === 0) return;
      this.send(delta(job.id, text));
    } : null;
    this.machine = new SessionStateMachine((state) => this.send(codec.state(state)));
    this.audioClient = identity.tts === true;
  }

  get state(): SessionState {
    return this.machine.state;
  }

  /** The id of the audio stream open now (not ended by audio.end, the VAD, a refusal or an idle timeout), if any. */
  get openAudioId(): string | null {
    return this.audio?.frame.id ?? null;
  }

  /** Jobs accepted and not yet started. */
  get queued(): number {
    return this.waiting.length;
  }

  /** One decoded request from the front door. */
  request(frame: VoiceRequest): void {
    switch (frame.type) {
      case 'ping':
        this.send(this.deps.codec.pong());
        return;
      case 'utterance':
        if (this.admit(frame.id, false)) {
          const job = new UtteranceJob(frame.id, frame.text, frame.lang, null, performance.now(), this.traceId(frame.id), this.deps.log);
          job.wantsSpeech = frame.tts === true;
          if (job.wantsSpeech) this.audioClient = true;
          this.enqueue(job);
        }
        return;
      case 'audio.start':
        if (this.audio) return this.refuse(frame.id, 'BAD_REQUEST', 'an audio stream is already open: send audio.end first');
        this.vadEnded = null;
        if (frame.tts === true) this.audioClient = true;
        if (!this.admit(frame.id, true)) return;
        this.openAudio(frame);
        return;
      case 'audio.end':
        if (!this.audio && frame.id === this.vadEnded) {
          this.vadEnded = null;
          return;
        }
        this.endAudio(frame.id);
        return;
    }
  }

  /**
   * A request the front door could not decode (BAD_REQUEST): answered with an error event, not counted as an
   * utterance. `id` when the request had a usable one.
   */
  reject(id: string | null, code: VoiceErrorCode, message: string): void {
    this.send(this.deps.codec.error(id, code, message));
  }

  /** Bytes of the open audio stream. */
  audioChunk(data: Buffer): void {
    const capture = this.audio;
    if (!capture && this.vadEnded !== null) return; // the tail of a stream the VAD already ended
    if (!capture) return this.refuse(null, 'BAD_REQUEST', 'binary frame outside an audio stream (send audio.start first)');
    if (capture.dropped) return; // the rest of a stream already refused: answered once, ignored until audio.end
    if (capture.bytes + data.length > this.deps.limits.maxAudioBytes) {
      this.dropAudio(capture, 'BAD_REQUEST', `audio over the ${this.deps.limits.maxAudioBytes}-byte limit; the stream is dropped`);
      return;
    }
    // On false the budget has already evicted this stream (it was the stalest left): dropAudio ran.
    if (this.deps.audioBudget.take(capture, data.length, this.deps.now())) {
      capture.chunks.push(data);
      capture.stream?.write(data);
    }
  }

  /**
   * An event pushed by a plugin (`voice.speak`), encoded by this session's codec; the core's speech router
   * (speechRouter.ts) encodes it once per codec for every session it goes to. A client that asked for speech
   * (at connect, or `tts: true` on a request) hears `spoken` as audio after the frame (ids `speak-1`, `speak-2`…).
   * Nothing once closed.
   */
  speak(frame: F, spoken?: { readonly text: string }): void {
    if (this.closed) return;
    this.send(frame);
    if (spoken && this.audioClient) this.say(`speak-${++this.spokenPushes}`, spoken.text, undefined, this.deps.log);
  }

  /** Shutdown: waiting jobs are handed back (BUSY, the hub is stopping); resolves once the running one is answered. */
  drain(): Promise<void> {
    for (const job of this.waiting.splice(0)) {
      this.freeAudio(job);
      this.refuse(job.id, 'BUSY', 'the hub is stopping; send it again after it restarts');
    }
    this.releaseAudio();
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** The connection is gone: nothing more is sent; a running job still finishes (and its outcome is cached). */
  close(): void {
    this.closed = true;
    this.deps.speech.leave(this);
    for (const job of this.waiting.splice(0)) this.freeAudio(job);
    this.releaseAudio();
  }

  private openAudio(frame: AudioStart): void {
    const capture: AudioCapture = {
      frame, chunks: [], bytes: 0, receivedAt: performance.now(), lastActivity: 0, dropped: false, stream: null,
      evict: (reason) => {
        if (reason === 'idle') {
          // A stalled stream is ended outright: its client may start a new one without sending audio.end.
          if (this.audio === capture) this.audio = null;
          this.dropAudio(capture, 'TIMEOUT', `no audio for ${this.deps.limits.audioIdleMs} ms; the stream is ended`);
        } else {
          this.dropAudio(capture, 'BUSY', 'the hub holds too much audio; this stream, idle the longest, is dropped');
        }
      },
    };
    this.audio = capture;
    this.deps.audioBudget.open(capture, this.deps.now());
    // The stage's voice-activity detection may end the stream: as if the client had sent audio.end.
    const onSpeechEnd = (): void => queueMicrotask(() => {
      if (this.audio === capture && !capture.dropped && !this.closed) {
        this.endAudio(frame.id);
        this.vadEnded = frame.id;
      }
    });
    capture.stream = this.deps.stt()?.openStream?.(frame.rate, frame.format, onSpeechEnd) ?? null;
    if (!this.busy) this.machine.to('listening');
  }

  /** Refuses the rest of a stream: its chunks are freed now, later ones ignored until audio.end. */
  private dropAudio(capture: AudioCapture, code: VoiceErrorCode, message: string): void {
    if (capture.dropped) return;
    capture.dropped = true;
    capture.chunks = [];
    capture.stream?.abort();
    this.deps.audioBudget.release(capture);
    if (this.closed) return;
    if (this.machine.state === 'listening') {
      this.machine.to('failed');
      this.refuse(capture.frame.id, code, message);
      this.machine.to('idle');
    } else {
      this.refuse(capture.frame.id, code, message);
    }
  }

  /** A job's finished audio no longer waits: its bytes leave the shared budget. */
  private freeAudio(job: UtteranceJob): void {
    if (!job.audio) return;
    this.deps.audioBudget.free(job.audio.audio.length);
    job.audio.stream?.abort(); // finished already (a no-op), or never reached: its recogniser is released
  }

  private releaseAudio(): void {
    this.audio?.stream?.abort();
    if (this.audio) this.deps.audioBudget.release(this.audio);
    this.audio = null;
  }

  private traceId(id: string): string {
    return `${this.identity.traceId ?? this.identity.id}/${id}`;
  }

  /** The checks every utterance and audio stream passes before it is queued, cheapest refusal first. */
  private admit(id: string, audio: boolean): boolean {
    let code: VoiceErrorCode | null = null;
    let message = '';
    if (!hasScope(this.identity, 'voice')) [code, message] = ['FORBIDDEN', 'this token lacks the "voice" scope'];
    else if (this.deps.isStopping()) [code, message] = ['BUSY', 'the hub is stopping'];
    else if (!this.deps.limiter.take(this.identity.subject)) [code, message] = ['RATE_LIMITED', 'too many utterances; slow down'];
    else if (!audio && this.busy && this.waiting.length >= this.deps.limits.sessionQueue) {
      [code, message] = ['BUSY', `${this.deps.limits.sessionQueue} utterances are already waiting in this session`];
    }
    if (code === null) return true;
    this.refuse(id, code, message);
    return false;
  }

  private endAudio(id: string): void {
    const capture = this.audio;
    if (!capture || capture.frame.id !== id) return this.refuse(id, 'BAD_REQUEST', 'no open audio stream with this id');
    this.audio = null;
    const bytes = capture.bytes;
    this.deps.audioBudget.release(capture); // a finished stream waits in the session queue (at most one: below)
    if (capture.dropped) return;
    // At most one finished stream waits per session, so queued audio stays within 2 × voice.maxAudioBytes.
    if (this.busy && (this.waiting.length >= this.deps.limits.sessionQueue || this.waiting.some((j) => j.audio !== null))) {
      capture.stream?.abort();
      return this.refuse(id, 'BUSY', 'this session already has audio waiting');
    }
    const { rate, format } = capture.frame;
    const audio = { id, audio: Buffer.concat(capture.chunks, bytes), rate, format, stream: capture.stream };
    this.deps.audioBudget.keep(bytes); // until the utterance is answered (freeAudio)
    const job = new UtteranceJob(id, null, undefined, audio, capture.receivedAt, this.traceId(id), this.deps.log);
    job.wantsSpeech = capture.frame.tts === true;
    this.enqueue(job);
  }

  private refuse(id: string | null, code: VoiceErrorCode, message: string): void {
    if (id !== null) this.deps.metrics.observe(code);
    this.send(this.deps.codec.error(id, code, message));
  }

  private enqueue(job: UtteranceJob): void {
    if (this.busy) {
      this.waiting.push(job);
      return;
    }
    this.busy = true;
    this.start(job);
  }

  /**
   * Runs one job: begin and answer are synchronous on either side of its outcome (no async frame per job: this
   * runs for every utterance). A fresh run's outcome comes straight from the work queue's callback, with no
   * then() on its promise (which the idempotency cache keeps for copies); a copy waits on that promise. Then the
   * next waiting job, if any.
   */
  private start(job: UtteranceJob): void {
    let run: JobRun<F> | null = null;
    // An outcome that arrives before dedupe() has returned (a synchronous stage, a full queue) waits for it:
    // answer() needs the run, which the cache makes only once the work has been started.
    let early: (() => void) | null = null;
    const finish: Finish<F> = (outcome, err) => {
      if (run === null) {
        early = () => finish(outcome, err);
        return;
      }
      if (outcome === null) {
        this.crashed(job, err);
      } else {
        try {
          this.answer(job, run, outcome);
        } catch (e) {
          this.crashed(job, e);
        }
      }
      this.freeAudio(job);
      this.next();
    };
    try {
      run = this.dedupe(job, finish);
    } catch (err) {
      this.crashed(job, err);
      this.freeAudio(job);
      this.next();
      return;
    }
    if (!run.fresh) run.result.then((outcome) => finish(outcome), (err: unknown) => finish(null, err));
    else (early as (() => void) | null)?.();
  }

  private next(): void {
    const job = this.closed ? undefined : this.waiting.shift();
    if (job) {
      this.start(job);
      return;
    }
    this.busy = false;
    if (this.audio && !this.audio.dropped && !this.closed) this.machine.to('listening');
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Only a bug gets here (an illegal transition): log it with its code, answer, and start clean. */
  private crashed(job: UtteranceJob, err: unknown): void {
    job.log.error({ err, code: isHubError(err) ? err.code : undefined }, 'voice session failed');
    this.send(this.deps.codec.error(job.id, 'INTERNAL', 'internal error'));
    this.machine.reset();
  }

  /** Starts a job, or joins the run of an earlier copy with the same id (idempotency). */
  private dedupe(job: UtteranceJob, finish: Finish<F>): JobRun<F> {
    this.machine.to('processing');
    // Ids are scoped per token subject: one client can neither read another's replies nor block its ids.
    return this.deps.idempotency.run(this.identity.subject, job.id, () => this.run(job, finish));
  }

  /** Sends a job's outcome with its state frames, and counts it. */
  private answer(job: UtteranceJob, run: JobRun<F>, outcome: Outcome<F>): void {
    const { result, fresh } = run;
    if (!outcome.ran) this.deps.idempotency.forget(this.identity.subject, job.id, result);
    else if (fresh) this.deps.idempotency.settle(run, outcome);
    this.machine.to(outcome.code === null ? 'replying' : 'failed');
    this.send(outcome.frame);
    this.machine.to('idle');
    if (fresh && outcome.code === null && job.wantsSpeech && outcome.text) this.speakReply(job, outcome.text);
    const label = fresh ? outcome.code ?? 'reply' : 'duplicate';
    this.deps.metrics.observe(label, (performance.now() - job.receivedAt) / 1000);
    if (this.deps.log.isLevelEnabled('debug')) job.log.debug({ outcome: label, ms: outcome.ms }, 'utterance answered');
    if (fresh && this.deps.bus.listenerCount('voice.interaction') > 0) {
      this.deps.bus.emit('voice.interaction', {
        traceId: job.traceId, clientId: this.identity.subject, text: job.text, outcome: outcome.code ?? 'reply',
        intent: outcome.intent, handledBy: outcome.handledBy, ms: outcome.ms, ts: Date.now(),
      });
    }
  }

  /**
   * Runs a job through the queue (timeout, retries) and folds the result into an Outcome, handed to `finish`
   * and kept in the promise returned (the idempotency cache's, for copies of the id). That promise rejects only
   * when folding itself throws (a bug: `finish` is told with a null outcome and answers through the crash path).
   * The queue calls back (no promise of its own): this is the only promise per utterance here.
   */
  private run(job: UtteranceJob, finish: Finish<F>): Promise<Outcome<F>> {
    let resolve!: (outcome: Outcome<F>) => void;
    let reject!: (err: unknown) => void;
    const result = new Promise<Outcome<F>>((yes, no) => {
      resolve = yes;
      reject = no;
    });
    let ran = false;
    this.deps.queue.start((attempt) => {
      ran = true;
      return this.runStages(job, attempt);
    }, this.hooks, (ok, value) => {
      let outcome: Outcome<F>;
      try {
        outcome = ok ? this.replied(job, value as VoiceReply, ran) : this.failed(job, value, ran);
      } catch (err) {
        result.catch(() => {}); // copies, if any, are told through their own then(); this one through finish
        reject(err);
        finish(null, err);
        return;
      }
      resolve(outcome);
      finish(outcome);
    });
    return result;
  }

  private replied(job: UtteranceJob, reply: VoiceReply, ran: boolean): Outcome<F> {
    if (reply === null || typeof reply !== 'object' || typeof reply.text !== 'string') {
      return this.failed(job, new HubError('INTERNAL', 'the handler stage returned no reply text'), ran);
    }
    const ms = elapsedMs(job);
    let frame: F;
    try {
      frame = this.deps.codec.reply(job.id, reply, ms);
    } catch (err) {
      return this.failed(job, new HubError('INTERNAL', 'the reply could not be encoded for the client', { cause: err }), ran);
    }
    return { frame, code: null, intent: reply.intent, handledBy: reply.handledBy, ms, ran, text: reply.text };
  }

  private failed(job: UtteranceJob, err: unknown, ran: boolean): Outcome<F> {
    const code = toVoiceErrorCode(err);
    if (!isRefusal(code)) {
      const skipped = this.deps.failureWarnings.admit(code);
      if (skipped !== null) job.log.warn(skipped > 0 ? { err, code, skipped } : { err, code }, 'utterance failed');
    }
    else if (this.deps.log.isLevelEnabled('debug')) job.log.debug({ code }, 'utterance not handled');
    const message = code === 'INTERNAL' ? 'internal error' : (err as Error).message;
    return { frame: this.deps.codec.error(job.id, code, message), code, ms: elapsedMs(job), ran };
  }

  private runStages(job: UtteranceJob, attempt: Attempt): Promise<VoiceReply> | VoiceReply {
    const ctx = new AttemptContext(job, attempt, this.identity.id, this.identity.subject, this.identity.scopes, this.identity.area, this.deltas);
    // Typed text goes straight to the handler, with no async step of our own; audio is transcribed first.
    return job.audio ? this.transcribeThenHandle(job, job.audio, ctx) : this.deps.stage().handle(job, ctx);
  }

  /**
   * `reply.delta` for one attempt, when the wire has it: nothing after the attempt timed out or the client left.
   * Made once per session; an attempt's context makes its sender only when a handler asks (few do).
   */
  private readonly deltas: DeltaSenders | null;

  private async transcribeThenHandle(job: UtteranceJob, audio: AudioInput, ctx: AttemptContext): Promise<VoiceReply> {
    const stt = this.deps.stt();
    if (!stt) throw new HubError('NO_STT', 'audio needs a speech-to-text plugin and none is installed');
    const transcript = await stt.transcribe(audio, ctx);
    job.text = transcript.text;
    job.lang = transcript.lang ?? job.lang;
    if (!this.closed) this.send(this.deps.codec.transcript(job.id, transcript.text));
    if (!transcript.text.trim()) throw new HubError('NO_MATCH', 'no words were heard');
    return this.deps.stage().handle(job, ctx);
  }

  /**
   * The reply as speech, after its text (PROTOCOL §3): `audio.start`, binary frames, `audio.end`. Only to a
   * door that carries audio; a synthesiser that fails leaves the text reply as the answer (logged).
   */
  private speakReply(job: UtteranceJob, text: string): void {
    this.say(job.id, text, job.lang, job.log);
  }

  /** Synthesises now; sends once the audio before it has gone out. */
  private say(id: string, text: string, lang: string | undefined, log: Logger): void {
    const tts = this.deps.tts();
    const sendAudio = this.transport.sendAudio;
    if (!tts || !sendAudio) return;
    const audio = Promise.resolve().then(() => tts.synthesize(text, lang));
    audio.catch(() => {}); // handled below, in turn; this keeps an early failure from counting as unhandled
    this.speechOut = this.speechOut.then(() => audio).then((spoken) => {
      if (this.closed) return;
      this.send(this.deps.codec.speechStart(id, spoken.rate, spoken.format));
      for (let at = 0; at < spoken.pcm.length; at += SPEECH_CHUNK_BYTES) {
        sendAudio.call(this.transport, spoken.pcm.subarray(at, at + SPEECH_CHUNK_BYTES));
      }
      this.send(this.deps.codec.speechEnd(id));
    }, (err: unknown) => {
      log.warn({ err, code: isHubError(err) ? err.code : 'TTS_FAILED' }, 'the reply could not be spoken');
    });
  }
}

function elapsedMs(job: UtteranceJob): number {
  return Math.round((performance.now() - job.receivedAt) * 100) / 100;
}
