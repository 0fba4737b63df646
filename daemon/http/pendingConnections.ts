import type { Socket } from 'node:net';
import { unmapIPv4 } from '../core/addressPolicy.js';

interface Pending {
  /** The address it counts against; null for exempt addresses (timed, not counted). */
  address: string | null;
  timer: NodeJS.Timeout;
}

/**
 * The connections that have not yet sent a complete first request head (or WebSocket upgrade): the
 * slowloris shape, where each connection dribbles headers (or says nothing at all) to hold a socket for as
 * long as the server lets it. The per-address rate limit only sees a request once its head is complete, so
 * these never counted; here they do.
 *
 * - Per remote address, at most `max` may be pending; a new one past that is refused (the caller closes it).
 *   Addresses the rate limit exempts are not counted.
 * - Each must complete its head within `timeoutMs`, or it is closed. Node's own headersTimeout does this
 *   for a connection that has sent something, but not for one that has sent nothing yet: that one it
 *   would hold for ever. Either way the answer is the same 408: under load this timer may fire before
 *   Node's once-a-second check does.
 *
 * A connection stops being pending at its first complete request (`settled`) or when it closes; from
 * then on Node's keep-alive and headers timeouts apply to it like to any client.
 */
export class PendingConnections {
  private readonly counts = new Map<string, number>();
  private readonly sockets = new Map<Socket, Pending>();

  constructor(
    private readonly max: number,
    private readonly timeoutMs: number,
    private readonly isExempt: (address: string | undefined) => boolean,
  ) {}

  /** A new connection: false when its address already has `max` pending (the caller closes it). */
  admit(socket: Socket): boolean {
    let address: string | null = null;
    if (!this.isExempt(socket.remoteAddress)) {
      address = unmapIPv4(socket.remoteAddress ?? '');
      const count = this.counts.get(address) ?? 0;
      if (count >= this.max) return false;
      this.counts.set(address, count + 1);
    }
    const timer = setTimeout(() => {
      this.settled(socket);
      answerRequestTimeout(socket);
    }, this.timeoutMs);
    timer.unref();
    this.sockets.set(socket, { address, timer });
    socket.once('close', () => this.settled(socket));
    return true;
  }

  /** The connection's first request head is complete (or it closed): it no longer counts. */
  settled(socket: Socket): void {
    const pending = this.sockets.get(socket);
    if (!pending) return;
    this.sockets.delete(socket);
    clearTimeout(pending.timer);
    if (pending.address === null) return;
    const left = (this.counts.get(pending.address) ?? 1) - 1;
    if (left > 0) this.counts.set(pending.address, left);
    else this.counts.delete(pending.address);
  }

  /** Connections pending now. */
  get size(): number {
    return this.sockets.size;
  }

  /** Closes every pending connection (the server is stopping). */
  clear(): void {
    for (const [socket, pending] of this.sockets) {
      clearTimeout(pending.timer);
      socket.destroy();
    }
    this.sockets.clear();
    this.counts.clear();
  }
}

/** 408 and close: a request head that took longer than http.headersTimeoutMs (ours or Node's check). */
export function answerRequestTimeout(socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.on('error', () => {});
  socket.once('finish', () => socket.destroy());
  socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  // A peer that reads nothing could keep the end pending: it is closed regardless.
  setTimeout(() => socket.destroy(), 1000).unref();
}
