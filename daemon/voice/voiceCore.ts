import { performance } from 'node:perf_hooks';
import type { HubContext, Subsystem } from '../core/context.js';
import { RateLimiter } from '../core/rateLimiter.js';
import { WarnThrottle } from '../core/warnThrottle.js';
import { AudioBudget } from './audioBudget.js';
import { noMatchStage, type HandlerStage, type SpeechToText, type TextToSpeech } from './handlerStage.js';
import { IdempotencyCache } from './idempotencyCache.js';
import { keepOutcomesAs } from './keptOutcome.js';
import { VoiceMetrics } from './metrics.js';
import type { VoiceCodec } from './voiceCodec.js';
import { VoiceSession, type Outcome, type SessionDeps, type SessionIdentity, type SessionTransport } from './voiceSession.js';
import { WorkQueue } from './workQueue.js';
import { SpeechRouter } from './speechRouter.js';

export interface VoiceCoreOptions {
  ctx: Pick<HubContext, 'config' | 'log' | 'bus' | 'metrics' | 'clock'>;
  /** Understands and acts on utterances (the hub gives it the intent pipeline); none: NO_MATCH for everything. */
  stage?: HandlerStage;
  /** Audio to text (the hub gives it the plugins' speech to text); none: NO_STT for audio. */
  stt?: SpeechToText | null;
  /** Replies as speech for clients that ask (`tts: true`); none: text only. */
  tts?: TextToSpeech | null;
  /** Backoff between retries (the first step; it doubles per retry). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /**
   * Per attempt at an utterance (default plugins.timeoutMs). The hub raises it when the assistant is on, whose
   * answers may take `assistant.timeoutMs`; every local plugin call still has plugins.timeoutMs of its own.
   */
  attemptTimeoutMs?: number;
}

/** What every session shares, whatever its front door; a door's codec is added per wire (sessionDeps). */
type SharedDeps = Omit<SessionDeps<unknown>, 'codec' | 'idempotency' | 'speech'> & { speech: SpeechRouter };

export interface OpenOptions {
  /**
   * False: the session hears no `speak` events (neither routed nor held ones), as for a session that is no
   * client of anyone (the pipeline benchmark's socketless sessions). Default true.
   */
  hearsSpeech?: boolean;
}

/**
 * The voice core, apart from any wire: the work queue (concurrency, timeout, retries), the per-subject rate
 * limit, the idempotency cache, the shared audio budget, the metrics and the stages, and the sessions made
 * over them (each its own state machine and trace id), and where a plugin's `voice.speak` goes (to a session,
 * a subject's sessions or all of them, held for a subject with none: speechRouter.ts). A front door (the
 * `/voice` WebSocket in voiceServer.ts) authenticates its clients, decodes their requests, and opens a
 * session here with its codec; it receives `speak` events through that codec with no code of its own, so
 * adding a door is new files only. The hub builds one and starts it as its own subsystem before the
 * front doors open and stops it after they have closed, so every door shares its queue, limits and cache.
 */
export class VoiceCore implements Subsystem {
  readonly name = 'voice-core';
  private shared: SharedDeps | null = null;
  /** Per codec, as an answer is cached in its wire's encoding: a repeated id is answered in the same one. */
  private readonly byCodec = new Map<VoiceCodec<unknown>, SessionDeps<unknown>>();
  private stopping = false;
  private readonly stage: HandlerStage;
  private readonly stt: SpeechToText | null;
  private readonly tts: TextToSpeech | null;
  /**
   * Where `voice.speak` goes. It listens from construction, not from start(): plugins start before the core,
   * and speech they make meanwhile (a timer that came due while the hub was down) is held for its subject.
   */
  private readonly speech: SpeechRouter;
  private listening = false;

  constructor(private readonly options: VoiceCoreOptions) {
    this.stage = options.stage ?? noMatchStage;
    this.stt = options.stt ?? null;
    this.tts = options.tts ?? null;
    this.speech = new SpeechRouter(() => options.ctx.clock.now());
    this.listen();
  }

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    this.options.ctx.bus.on('voice.speak', this, (event) => this.speech.route(event));
  }

  get running(): boolean {
    return this.shared !== null;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** The shared audio budget (a front door charges the bytes it has read but not yet parsed to it). */
  get audioBudget(): AudioBudget {
    return this.started().audioBudget;
  }

  get metrics(): VoiceMetrics {
    return this.started().metrics;
  }

  /** Jobs waiting in the shared queue (each session's own waiting ones are counted by its door). */
  get queueWaiting(): number {
    return this.started().queue.waiting;
  }

  async start(): Promise<void> {
    if (this.shared) return; // already started (by the lifecycle, or by the one door that owns it)
    const { config, log, bus, metrics, clock } = this.options.ctx;
    const v = config.voice;
    const stage = this.stage;
    const stt = this.stt;
    const tts = this.tts;
    this.shared = {
      limiter: new RateLimiter({ perSecond: v.rateLimit.perSecond, burst: v.rateLimit.burst, maxKeys: Math.max(1024, 2 * v.maxClients) }, clock),
      failureWarnings: new WarnThrottle(clock),
      queue: new WorkQueue({
        concurrency: v.concurrency, maxWaiting: v.maxClients + v.concurrency, timeoutMs: this.options.attemptTimeoutMs ?? config.plugins.timeoutMs, retries: v.retries,
        backoffBaseMs: this.options.backoffBaseMs, backoffMaxMs: this.options.backoffMaxMs,
      }, clock),
      metrics: new VoiceMetrics(metrics),
      bus,
      log,
      stage: () => stage,
      stt: () => stt,
      tts: () => tts,
      limits: { sessionQueue: v.sessionQueue, maxAudioBytes: v.maxAudioBytes, audioIdleMs: v.audioIdleMs },
      audioBudget: new AudioBudget(v.maxBufferedAudioBytes, v.audioIdleMs),
      now: () => performance.now(),
      isStopping: () => this.stopping,
      speech: this.speech,
    };
    this.listen();
    this.stopping = false;
  }

  /**
   * A session for one client of a front door: requests in, events out through `codec` and `transport`. It
   * hears `speak` events until it is closed, starting here with any speech held for its subject.
   */
  openSession<F>(codec: VoiceCodec<F>, identity: SessionIdentity, transport: SessionTransport<F>, options: OpenOptions = {}): VoiceSession<F> {
    const session = new VoiceSession(this.sessionDeps(codec), identity, transport);
    if (options.hearsSpeech !== false) this.started().speech.join(session, codec);
    return session;
  }

  /**
   * The replay caches put what they hold in its compact form (keptOutcome.ts): for a quiet hub (the memory
   * settle asks before it collects). Returns how many answers changed.
   */
  compactReplays(): number {
    let changed = 0;
    for (const deps of this.byCodec.values()) changed += deps.idempotency.compact();
    return changed;
  }

  /** New utterances are refused (BUSY) from now on, and those waiting in the shared queue are handed back. */
  beginStop(): void {
    if (this.stopping || !this.shared) return;
    this.stopping = true;
    this.shared.queue.beginStop();
  }

  async stop(): Promise<void> {
    if (!this.shared) return;
    this.beginStop();
    this.options.ctx.bus.removeListeners(this);
    this.listening = false;
    this.speech.clear();
    this.shared.metrics.detach();
    for (const deps of this.byCodec.values()) deps.idempotency.clear();
    this.byCodec.clear();
    this.shared = null;
  }

  private sessionDeps<F>(codec: VoiceCodec<F>): SessionDeps<F> {
    const known = this.byCodec.get(codec as VoiceCodec<unknown>);
    if (known) return known as SessionDeps<F>;
    const v = this.options.ctx.config.voice;
    const deps: SessionDeps<F> = {
      ...this.started(),
      codec,
      idempotency: new IdempotencyCache({ ttlMs: v.idempotencyTtlSeconds * 1000, maxEntries: v.idempotencyMaxEntries }, this.options.ctx.clock, keepOutcomesAs<F>()),
    };
    this.byCodec.set(codec as VoiceCodec<unknown>, deps as SessionDeps<unknown>);
    return deps;
  }

  private started(): SharedDeps {
    if (!this.shared) throw new Error('the voice core is not running');
    return this.shared;
  }
}
