/**
 * Who may ask the assistant how often (every request costs money and leaves the house): at most `perHour`
 * requests per token subject in any hour (a sliding window of their times), and `perMinute` for the whole hub
 * (a token bucket, so a burst of satellites cannot run up a bill). Memory is bounded: at most `maxSubjects`
 * subjects are tracked, the one asked least recently forgotten first, and each keeps at most `perHour` times.
 */
export class Budget {
  private readonly subjects = new Map<string, number[]>();
  private tokens: number;
  private refilledAt: number;

  constructor(private readonly options: { perHour: number; perMinute: number; maxSubjects?: number }, private readonly now: () => number = Date.now) {
    this.tokens = options.perMinute;
    this.refilledAt = now();
  }

  /**
   * Takes one request for `subject`: `ok`, or why not. The hub-wide bucket is only charged when the
   * subject's own budget allows, so one subject over its limit does not use up everyone's minute.
   */
  take(subject: string): { ok: true } | { ok: false; reason: 'over_budget' | 'hub_busy'; limit: number } {
    const now = this.now();
    const hourAgo = now - 3_600_000;
    let times = this.subjects.get(subject);
    if (times) {
      while (times.length > 0 && times[0]! <= hourAgo) times.shift();
      this.subjects.delete(subject); // re-inserted below: the Map's order is the order of last use
    } else {
      times = [];
    }
    this.subjects.set(subject, times);
    this.evict();
    if (times.length >= this.options.perHour) return { ok: false, reason: 'over_budget', limit: this.options.perHour };
    this.refill(now);
    if (this.tokens < 1) return { ok: false, reason: 'hub_busy', limit: this.options.perMinute };
    this.tokens -= 1;
    times.push(now);
    return { ok: true };
  }

  private refill(now: number): void {
    const perMs = this.options.perMinute / 60_000;
    this.tokens = Math.min(this.options.perMinute, this.tokens + (now - this.refilledAt) * perMs);
    this.refilledAt = now;
  }

  private evict(): void {
    const max = this.options.maxSubjects ?? 10_000;
    while (this.subjects.size > max) this.subjects.delete(this.subjects.keys().next().value!);
  }
}
