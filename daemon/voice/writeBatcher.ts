import type { Duplex } from 'node:stream';

/**
 * Coalesces the frames written to many sockets during one event-loop turn into one write per socket, made
 * after the turn has read everything it was given.
 *
 * An utterance is answered with four frames (state, state, reply, state). The first frame for a socket corks
 * it; one setImmediate per turn (the check phase, right after the poll phase that delivered the messages)
 * uncorks every socket written to, and Node's writable hands what each holds to a single writev.
 *
 * Writing each answer the moment it is ready costs twice as much under load, measured: every write on
 * loopback or a Pi's network stack does the receiving side's work in the same syscall and wakes whoever
 * waits for it, so writes interleaved with reads ping-pong between the hub and its clients. Written
 * together at the end of the turn, the hub reads a batch, answers it, and the other side wakes once for all
 * of it. An answer waits at most for the rest of its turn's reads: a few hundred microseconds at full load.
 * Answers that take longer (a handler waiting on I/O) go out at the end of the turn they are ready in.
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

  readonly flush = (): void => {
    this.scheduled = false;
    for (const socket of this.corked) socket.uncork();
    this.corked.clear();
  };
}
