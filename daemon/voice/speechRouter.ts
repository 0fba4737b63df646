import type { SpeakEvent } from '../core/events.js';
import { HeldSpeech } from './heldSpeech.js';
import type { VoiceCodec } from './voiceCodec.js';

/** What the router needs of a session: who it is, and a way to send it an event its door has encoded. */
export interface Listener<F = unknown> {
  readonly identity: { readonly id: string; readonly subject: string };
  /** `spoken`: what the frame says, for a session that speaks it as audio too. */
  speak(frame: F, spoken?: { readonly text: string }): void;
}

interface Entry {
  listener: Listener;
  codec: VoiceCodec<unknown>;
}

type Spoken = Pick<SpeakEvent, 'text' | 'source'>;

/**
 * Where `voice.speak` goes (PROTOCOL §3's `speak`), whatever front door a session came through: to one
 * session (`sessionId`), to every session of one client (`clientId`, the token subject), or to every session.
 * Speech for a client with no session open is held (heldSpeech.ts) and said to the first session of that
 * subject to open, through whichever door it uses. Each event is encoded once per codec, not per session.
 */
export class SpeechRouter {
  private readonly entries = new Map<Listener, Entry>();
  /** Ids are the doors' to choose: should two sessions share one, the later is the one found by it. */
  private readonly byId = new Map<string, Entry>();
  private readonly bySubject = new Map<string, Set<Entry>>();
  private readonly held: HeldSpeech<Spoken>;

  constructor(now: () => number) {
    this.held = new HeldSpeech<Spoken>(now);
  }

  /** A session opened: it hears speech from now on, starting with what was held for its subject. */
  join<F>(listener: Listener<F>, codec: VoiceCodec<F>): void {
    if (this.entries.has(listener as Listener)) return;
    const entry: Entry = { listener: listener as Listener, codec: codec as VoiceCodec<unknown> };
    const { id, subject } = listener.identity;
    this.entries.set(entry.listener, entry);
    this.byId.set(id, entry);
    let same = this.bySubject.get(subject);
    if (!same) {
      same = new Set();
      this.bySubject.set(subject, same);
    }
    same.add(entry);
    for (const spoken of this.held.take(subject)) listener.speak(codec.speak(spoken.text, spoken.source), spoken);
  }

  /** A session closed: it hears nothing more. A listener that never joined is ignored. */
  leave(listener: Listener<unknown>): void {
    const { id, subject } = listener.identity;
    const entry = this.entries.get(listener);
    if (!entry) return;
    this.entries.delete(listener);
    if (this.byId.get(id) === entry) this.byId.delete(id);
    const same = this.bySubject.get(subject);
    same?.delete(entry);
    if (same?.size === 0) this.bySubject.delete(subject);
  }

  route(event: SpeakEvent): void {
    const frames = new Map<VoiceCodec<unknown>, unknown>();
    const say = (entry: Entry): void => {
      let frame = frames.get(entry.codec);
      if (frame === undefined) {
        frame = entry.codec.speak(event.text, event.source);
        frames.set(entry.codec, frame);
      }
      entry.listener.speak(frame, event);
    };
    const session = event.sessionId === undefined ? undefined : this.byId.get(event.sessionId);
    if (session) return say(session);
    if (event.clientId !== undefined) {
      const same = this.bySubject.get(event.clientId);
      if (same) for (const entry of same) say(entry);
      else this.held.hold(event.clientId, { text: event.text, source: event.source });
      return;
    }
    // A session that is gone, with no client to fall back on, is nobody: only an untargeted event is for all.
    if (event.sessionId === undefined) for (const entry of this.entries.values()) say(entry);
  }

  clear(): void {
    this.held.clear();
    this.entries.clear();
    this.byId.clear();
    this.bySubject.clear();
  }
}
