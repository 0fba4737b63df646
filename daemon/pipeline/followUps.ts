/**
 * Follow-ups within one voice session, for 30 seconds: the answer to the hub's own question ("Which lamp do
 * you mean: the floor lamp or the desk lamp?" → "the desk one", "落地灯") completes the command that asked it,
 * and "and the bedroom too" / "also the desk lamp" / "卧室也是" repeats the last command for another room or
 * device. Never mind (HassNevermind) forgets both. Only text that no sentence matches is read as a follow-up,
 * and only when it names a room or device the lists know: anything else stays a no-match.
 *
 * What is kept per session is one match (the engine's, frozen) and the ids asked about, in a bounded map.
 */
import { joinTokens, nameTokens } from '../intents/normalize.js';
import type { DeviceLists, IntentMatch, MatchSlots } from '../intents/index.js';

/** How long a follow-up may come after the command or question it follows (the 30 s). */
export const FOLLOW_UP_MS = 30_000;
/** Sessions remembered at most; the oldest is forgotten first. */
const MAX_SESSIONS = 1000;

interface Memory {
  /** The last command carried out. */
  last?: { match: IntentMatch; types: readonly string[]; at: number };
  /** The last question the hub asked back: which of these devices, in the words it was asked. */
  pending?: { match: IntentMatch; candidates: readonly string[]; question: string; at: number };
}

/** The hub's open question in a session, as a fallback (the assistant) is shown it. */
export interface OpenQuestion {
  /** What the hub asked ("Which lamp do you mean: the floor lamp or the desk lamp?"). */
  text: string;
  /** The utterance that made it ask ("turn on the lamp"). */
  asked: string;
  /** The ids of the devices it asked about. */
  candidates: readonly string[];
}

// "and the bedroom too", "what about the desk lamp", "also the hallway", "the desk one".
const LEAD = new Set(['and', 'also', 'plus', 'what', 'how', 'about', 'same', 'for', 'with', 'then', 'now', 'in', 'one', 'ones']);
const TAIL = new Set(['too', 'also', 'as', 'well', 'one', 'ones', 'please', 'again']);
// Chinese: 还有/那/再/也 before, 也是/也一样/也要/也/呢/那个/那一个 after (one Han character a token).
const ZH_LEAD = ['还有', '那么', '那', '再', '也', '和'];
const ZH_TAIL = ['也一样', '也是', '也要', '也开', '也关', '那一个', '那个', '也', '呢', '吧', '的'];

function strip(tokens: string[]): string[] {
  let t = [...tokens];
  const joined = () => t.join('');
  for (let changed = true; changed && t.length > 0;) {
    changed = false;
    if (LEAD.has(t[0])) { t = t.slice(1); changed = true; continue; }
    if (t.length > 0 && TAIL.has(t[t.length - 1])) { t = t.slice(0, -1); changed = true; continue; }
    for (const w of ZH_LEAD) if (joined().startsWith(w) && t.length > [...w].length) { t = t.slice([...w].length); changed = true; break; }
    if (changed) continue;
    for (const w of ZH_TAIL) if (joined().endsWith(w) && t.length > [...w].length) { t = t.slice(0, -[...w].length); changed = true; break; }
  }
  return t;
}

export class FollowUps {
  private readonly sessions = new Map<string, Memory>();

  constructor(private readonly now: () => number) {}

  /** A command was carried out (or will be: its targets resolved): "…too" repeats it. */
  done(session: string, match: IntentMatch, types: readonly string[]): void {
    // The session's own record of its last command is rewritten in place (a command per utterance is the
    // hot path); a record that also holds an open question is replaced, which closes the question as before.
    const m = this.sessions.get(session);
    if (m?.last && !m.pending) {
      m.last.match = match;
      m.last.types = types;
      m.last.at = this.now();
      this.touch(session, m);
      return;
    }
    this.remember(session, { last: { match, types, at: this.now() } });
  }

  /** The hub asked which device (`question`, its words): the answer completes `match`. */
  asked(session: string, match: IntentMatch, candidates: readonly string[], question = ''): void {
    const m = this.sessions.get(session);
    this.remember(session, { ...(m?.last ? { last: m.last } : {}), pending: { match, candidates, question, at: this.now() } });
  }

  /**
   * The question the hub asked in this session and nobody has answered yet (within FOLLOW_UP_MS), for text
   * that answered it in words no list knows ("the one by the window"): the assistant is shown it.
   */
  openQuestion(session: string): OpenQuestion | null {
    const pending = this.sessions.get(session)?.pending;
    if (!pending || this.now() - pending.at > FOLLOW_UP_MS) return null;
    return { text: pending.question, asked: pending.match.text, candidates: pending.candidates };
  }

  /** Someone else (the assistant) took the answer to the open question: it is no longer pending here. */
  questionTaken(session: string): void {
    const m = this.sessions.get(session);
    if (!m?.pending) return;
    if (m.last) this.remember(session, { last: m.last });
    else this.sessions.delete(session);
  }

  /** Never mind: nothing pending, nothing to repeat. */
  forget(session: string): void {
    this.sessions.delete(session);
  }

  /** The match a follow-up means, or null when the text is none (or came too late). */
  read(session: string, text: string, lists: DeviceLists): IntentMatch | null {
    const m = this.sessions.get(session);
    if (!m) return null;
    const fresh = (at: number) => this.now() - at <= FOLLOW_UP_MS;
    const words = strip(nameTokens(text));
    if (words.length === 0 || words.length > 6) return null;
    const spoken = joinTokens(words);
    if (m.pending && fresh(m.pending.at)) {
      const chosen = m.pending.candidates.filter((id) => this.fits(id, words, lists));
      if (chosen.length === 1) {
        this.sessions.delete(session);
        const { type: _type, all: _all, ...rest } = m.pending.match.slots;
        return this.build(m.pending.match, { ...rest, name: { text: spoken, ids: [...chosen], weakIds: [] } }, text);
      }
    }
    if (m.last && fresh(m.last.at)) {
      const { area2: _a2, name2: _n2, here: _here, name: _name, area: _area, type, all: _all, ...rest } = m.last.match.slots;
      const area = lists.areas.get(words);
      if (area) {
        const domain = type ? undefined : m.last.types.length === 1 ? m.last.types[0] : undefined;
        return this.build(m.last.match, { ...rest, area, ...(type ? { type } : {}), ...(domain ? { domain: domain as MatchSlots['domain'] } : {}) }, text);
      }
      const name = lists.hasName(words);
      if (name && (name.ids.length > 0 || name.weakIds.length > 0)) {
        return this.build(m.last.match, { ...rest, name: { text: name.text, ids: [...name.ids], weakIds: [...name.weakIds] } }, text);
      }
    }
    return null;
  }

  /** Whether a device answers to the words: every word is in its name, an alias, or its room. */
  private fits(id: string, words: readonly string[], lists: DeviceLists): boolean {
    const d = lists.device(id);
    if (!d) return false;
    const areaId = lists.areaIdOf(id);
    const forms = [d.name, ...d.aliases].map((n) => nameTokens(n));
    if (areaId && lists.areas.get(words)?.id === areaId) return true;
    return forms.some((f) => words.every((w) => f.includes(w) || f.join('').includes(w)));
  }

  private build(base: IntentMatch, slots: MatchSlots, text: string): IntentMatch {
    return { intent: base.intent, lang: base.lang, slots, text, normalized: joinTokens(nameTokens(text)), owner: base.owner, ...(base.sessionArea ? { sessionArea: base.sessionArea } : {}) };
  }

  private remember(session: string, memory: Memory): void {
    this.sessions.delete(session);
    this.sessions.set(session, memory);
    if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
  }

  /** The session was just heard from: it becomes the newest (the oldest is forgotten first). */
  private touch(session: string, memory: Memory): void {
    this.sessions.delete(session);
    this.sessions.set(session, memory);
  }
}
