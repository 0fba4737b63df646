import type { Duplex } from 'node:stream';

/**
 * Coalesces the frames written to many sockets during one event-loop turn into one write per socket.
 *
 * An utterance is answered with up to four frames (state, state, reply, state), usually within one turn.
 * Each frame written on its own costs a write syscall, and on loopback or a Pi's network stack that syscall
 * is most of a frame's cost. So the first frame for a socket corks it, and it is uncorked as soon as the
 * answer is complete (`release`, called by the session after its last frame) or, for answers that take
 * longer (a handler waiting on I/O), by one setImmediate per turn (the check phase right after the poll
 * phase that delivered the message), so a `processing` frame never waits past its own turn. Node's
 * writable hands everything queued while corked to a single writev.
 */
export class WriteBatcher {
  private readonly corked = new Set<Duplex>();
  private scheduled = false;

  /** Call before writing to `socket`; cheap when it is already corked this turn. */
  hold(socket: Duplex): void {
    if (this.corked.has(socket)) return;
    socket.cork();
    this.corked.add(socket);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Sends what `socket` holds now (an answer is complete); the turn's flush then skips it. */
  release(socket: Duplex): void {
    if (this.corked.delete(socket)) socket.uncork();
  }

  readonly flush = (): void => {
    this.scheduled = false;
    for (const socket of this.corked) socket.uncork();
    this.corked.clear();
  };
}
