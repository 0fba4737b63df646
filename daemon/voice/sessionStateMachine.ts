import { HubError } from '../core/errors.js';

/**
 * One voice session's state (PROTOCOL §3 `state` frames). Where the seed article flipped a string inside a
 * try/catch (and retried by recursion, unbounded by anything but a counter that never reset), every move
 * here must be in the table below; anything else is a bug and throws STATE_TRANSITION_INVALID instead of
 * leaving the session in a state nobody planned.
 *
 *   idle ─audio.start─▶ listening ─audio.end─▶ processing ─reply─▶ replying ─sent─▶ idle
 *   idle ─utterance──────────────────────────▶ processing ─error─▶ failed ───sent─▶ idle
 *                                  processing ─retryable failure─▶ retrying ─next attempt─▶ processing
 *                                                                  retrying ─gave up──────▶ failed
 *
 * `listening → processing` also covers an utterance that arrives while audio is still streaming in;
 * `listening → failed` is an audio stream refused (over the size limit) before it was handled.
 */
export type SessionState = 'idle' | 'listening' | 'processing' | 'replying' | 'retrying' | 'failed';

export const TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = Object.freeze({
  idle: ['listening', 'processing'],
  listening: ['processing', 'failed'],
  processing: ['replying', 'retrying', 'failed'],
  retrying: ['processing', 'failed'],
  replying: ['idle'],
  failed: ['idle'],
});

export type StateListener = (state: SessionState, previous: SessionState) => void;

export class SessionStateMachine {
  private current: SessionState = 'idle';

  constructor(private readonly onChange: StateListener = () => {}) {}

  get state(): SessionState {
    return this.current;
  }

  can(next: SessionState): boolean {
    return TRANSITIONS[this.current].includes(next);
  }

  /** Moves to `next` and reports the change; throws HubError STATE_TRANSITION_INVALID when the table forbids it. */
  to(next: SessionState): void {
    const previous = this.current;
    if (!TRANSITIONS[previous].includes(next)) {
      throw new HubError('STATE_TRANSITION_INVALID', `voice session cannot go from ${previous} to ${next}`, { details: { from: previous, to: next } });
    }
    this.current = next;
    this.onChange(next, previous);
  }

  /**
   * Back to idle from wherever the session is, bypassing the table. Only for recovery after a
   * STATE_TRANSITION_INVALID has been raised and logged, so one bug does not wedge the connection.
   */
  reset(): void {
    const previous = this.current;
    if (previous === 'idle') return;
    this.current = 'idle';
    this.onChange('idle', previous);
  }
}
