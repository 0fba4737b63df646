/** One exchange as the model is shown it again: what was said and what the assistant answered. */
export interface Turn {
  user: string;
  assistant: string;
}

/**
 * The last few exchanges of each voice session, so a follow-up ("and in the bedroom?") means something. A
 * session's turns expire `ttlMs` after its last one (5 minutes: a new question later starts afresh), at
 * most `maxTurns` are kept per session, and at most `maxSessions` sessions, the stalest dropped first.
 */
export class History {
  private readonly sessions = new Map<string, { turns: Turn[]; at: number }>();

  constructor(private readonly options: { ttlMs: number; maxTurns: number; maxSessions: number }, private readonly now: () => number = Date.now) {}

  turns(session: string): readonly Turn[] {
    const entry = this.sessions.get(session);
    if (!entry) return [];
    if (this.now() - entry.at > this.options.ttlMs) {
      this.sessions.delete(session);
      return [];
    }
    return entry.turns;
  }

  add(session: string, turn: Turn): void {
    const turns = [...this.turns(session), turn].slice(-this.options.maxTurns);
    this.sessions.delete(session);
    this.sessions.set(session, { turns, at: this.now() });
    while (this.sessions.size > this.options.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
  }
}
