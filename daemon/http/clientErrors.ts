import type { Socket } from 'node:net';
import { answerRequestTimeout } from './pendingConnections.js';

/**
 * The answer to a request the HTTP parser refused before any route saw it. Dropping the connection without a
 * word (what the hub did) left a client with a 20 KB token or a malformed head guessing; Node's own default
 * answers 431/400 without a body. Here: the same statuses with the hub's JSON error body and stable code,
 * then the connection is closed. A connection in the middle of a response, or no longer writable, is closed.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    answerRequestTimeout(socket);
    return;
  }
  const busy = (socket as Socket & { _httpMessage?: unknown })._httpMessage;
  if (!socket.writable || busy || !err.code?.startsWith('HPE_')) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const body = JSON.stringify({ error: { code: 'BAD_REQUEST', message: tooLarge ? 'the request head is over 16 KiB' : 'the request is not valid HTTP' } });
  socket.on('error', () => {});
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  // A peer that reads nothing could keep the end pending: it is closed regardless.
  setTimeout(() => socket.destroy(), 1000).unref();
}
