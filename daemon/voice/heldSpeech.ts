/**
 * What the hub said to a client (a token subject) that was not connected at that moment: a timer that ends
 * while its satellite reconnects after a hub restart or a Wi-Fi drop. It is kept briefly and said when the
 * subject connects again, so "it speaks once it reconnects" does not depend on who was quicker. Bounded in
 * every direction: frames per subject, subjects held, and age.
 */
export class HeldSpeech<F> {
  private readonly held = new Map<string, Array<{ frame: F; at: number }>>();

  constructor(
    private readonly now: () => number,
    private readonly maxAgeMs = 60_000,
    private readonly maxPerSubject = 8,
    private readonly maxSubjects = 256,
  ) {}

  hold(subject: string, frame: F): void {
    let frames = this.held.get(subject);
    if (!frames) {
      // The subject held longest goes first (a Map iterates in insertion order).
      if (this.held.size >= this.maxSubjects) this.held.delete(this.held.keys().next().value!);
      frames = [];
      this.held.set(subject, frames);
    }
    frames.push({ frame, at: this.now() });
    if (frames.length > this.maxPerSubject) frames.shift();
  }

  /** The frames held for this subject that are still fresh, oldest first; they are no longer held. */
  take(subject: string): F[] {
    const frames = this.held.get(subject);
    if (!frames) return [];
    this.held.delete(subject);
    const oldest = this.now() - this.maxAgeMs;
    return frames.filter((h) => h.at >= oldest).map((h) => h.frame);
  }

  clear(): void {
    this.held.clear();
  }
}
