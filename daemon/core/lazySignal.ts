/**
 * An AbortSignal made only when someone asks for it. Every utterance runs under a timeout that can abort
 * its work, but almost no handler ever reads the signal; an AbortController per call would cost a few
 * microseconds on the hot path for nothing. `abort` before anyone asked still counts: a signal asked for
 * afterwards is already aborted, with the reason.
 */
export class LazySignal {
  private controller: AbortController | null = null;
  private reason: unknown = undefined;
  private done = false;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.done) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.done;
  }

  abort(reason: unknown): void {
    if (this.done) return;
    this.done = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}
