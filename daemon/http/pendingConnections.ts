import type { Socket } from 'node:net';
import { unmapIPv4 } from '../addressPolicy.js';

/**
 * Counts, per remote address, the connections that have not yet sent a complete request head (or
 * WebSocket upgrade): the slowloris shape, where each connection dribbles headers to hold a socket and
 * its parser for as long as the server lets it. The per-address rate limit only sees a request once its
 * head is complete, so these never counted; here they do. Past `max` pending connections, a new one from
 * that address is closed at once; the ones it has are closed by the server's headers timeout.
 *
 * A connection stops being pending at its first complete request (`settled`) or when it closes.
 */
export class PendingConnections {
  private readonly pending = new Map<string, number>();
  private readonly sockets = new WeakMap<Socket, string>();

  constructor(private readonly max: number, private readonly isExempt: (address: string | undefined) => boolean) {}

  /** A new connection: false when its address already has `max` pending (the caller closes it). */
  admit(socket: Socket): boolean {
    if (this.isExempt(socket.remoteAddress)) return true;
    const address = unmapIPv4(socket.remoteAddress ?? '');
    const count = this.pending.get(address) ?? 0;
    if (count >= this.max) return false;
    this.pending.set(address, count + 1);
    this.sockets.set(socket, address);
    socket.once('close', () => this.settled(socket));
    return true;
  }

  /** The connection's first request head is complete (or it closed): it no longer counts. */
  settled(socket: Socket): void {
    const address = this.sockets.get(socket);
    if (address === undefined) return;
    this.sockets.delete(socket);
    const left = (this.pending.get(address) ?? 1) - 1;
    if (left > 0) this.pending.set(address, left);
    else this.pending.delete(address);
  }

  /** Addresses with a pending connection now (for tests and metrics). */
  get addresses(): number {
    return this.pending.size;
  }
}
