import type { VoiceErrorCode } from '../../daemon/core/errors.js';
import type { VoiceReply } from '../../daemon/voice/handlerStage.js';
import type { SessionState } from '../../daemon/voice/sessionStateMachine.js';
import type { VoiceCodec, VoiceRequest } from '../../daemon/voice/voiceCodec.js';
import type { VoiceCore } from '../../daemon/voice/voiceCore.js';
import type { SessionIdentity, VoiceSession } from '../../daemon/voice/voiceSession.js';

/**
 * A second front door on the hub's voice core, for tests: no wire at all, requests are the core's typed
 * requests and events come back as typed objects. It exists to show that a front door is new files only
 * (nothing in voiceSession.ts or voiceCore.ts knows about it) and to drive the core beside `/voice`.
 */
export type HarnessEvent =
  | { readonly type: 'state'; readonly state: SessionState }
  | { readonly type: 'reply'; readonly id: string; readonly reply: VoiceReply; readonly ms: number }
  | { readonly type: 'error'; readonly id: string | null; readonly code: VoiceErrorCode; readonly message: string }
  | { readonly type: 'pong' }
  | { readonly type: 'speak'; readonly text: string; readonly source: string }
  | { readonly type: 'transcript'; readonly id: string; readonly text: string }
  | { readonly type: 'speech.start'; readonly id: string; readonly rate: number; readonly format: string }
  | { readonly type: 'speech.end'; readonly id: string };

/**
 * The harness door's "encoding": the event itself. One codec for the whole door, so every harness session
 * shares one idempotency cache (the core keeps one per codec), as every `/voice` session shares jsonCodec's.
 */
export const harnessCodec: VoiceCodec<HarnessEvent> = {
  state: (state) => ({ type: 'state', state }),
  pong: () => ({ type: 'pong' }),
  reply: (id, reply, ms) => ({ type: 'reply', id, reply, ms }),
  error: (id, code, message) => ({ type: 'error', id, code, message }),
  speak: (text, source) => ({ type: 'speak', text, source }),
  transcript: (id, text) => ({ type: 'transcript', id, text }),
  speechStart: (id, rate, format) => ({ type: 'speech.start', id, rate, format }),
  speechEnd: (id) => ({ type: 'speech.end', id }),
};

/** One client of the harness door: what it was sent, and a way to wait for the answer to an id. */
export class HarnessClient {
  readonly events: HarnessEvent[] = [];
  readonly session: VoiceSession<HarnessEvent>;
  private readonly waiting = new Map<string, Array<(event: HarnessEvent) => void>>();

  constructor(core: VoiceCore, identity: SessionIdentity) {
    this.session = core.openSession(harnessCodec, identity, { send: (event) => this.received(event) });
  }

  request(request: VoiceRequest): void {
    this.session.request(request);
  }

  /** Sends an utterance and resolves with its answer (a `reply` or an `error` event for the same id). */
  say(id: string, text: string): Promise<HarnessEvent> {
    const answer = this.answer(id);
    this.request({ type: 'utterance', id, text });
    return answer;
  }

  /** The next answer (`reply` or `error`) to `id`. */
  answer(id: string): Promise<HarnessEvent> {
    return new Promise((resolve) => {
      const list = this.waiting.get(id) ?? [];
      list.push(resolve);
      this.waiting.set(id, list);
    });
  }

  close(): void {
    this.session.close();
  }

  private received(event: HarnessEvent): void {
    this.events.push(event);
    if (event.type !== 'reply' && event.type !== 'error') return;
    if (event.id === null) return;
    const next = this.waiting.get(event.id)?.shift();
    next?.(event);
  }
}

/** The door: opens harness clients on a voice core (the hub's `voiceCore`). */
export class HarnessDoor {
  private seq = 0;
  private readonly clients: HarnessClient[] = [];

  constructor(private readonly core: VoiceCore) {}

  open(subject: string, scopes: readonly string[] = ['voice']): HarnessClient {
    const client = new HarnessClient(this.core, { id: `harness-${++this.seq}`, subject, scopes });
    this.clients.push(client);
    return client;
  }

  close(): void {
    for (const c of this.clients) c.close();
    this.clients.length = 0;
  }
}
