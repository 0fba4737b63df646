import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A request body must arrive whole within `ms` of its head (`http.headersTimeoutMs`, the same bound the
 * head itself has). Without it a client that sends a complete head and then its body a byte at a time held
 * the connection (and the handler waiting on the body) up to Node's 30 s `requestTimeout`: the API's bodies
 * are small JSON objects (16 KiB at most), which an honest client on any link sends in well under a second.
 *
 * Past the deadline `answer` gives the client its error (the server's 408 `HTTP_BODY_TIMEOUT`, unless the
 * handler has answered already, say a route that never reads its body) and the connection is closed; a
 * handler still reading the body sees it end as cut short. A request without a body (no Content-Length
 * above 0, no Transfer-Encoding) arms nothing.
 */
export function armBodyDeadline(req: IncomingMessage, res: ServerResponse, ms: number, answer: () => void): void {
  const length = req.headers['content-length'];
  if (req.complete || ((length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined)) return;
  const timer = setTimeout(() => {
    if (req.complete) return;
    if (!res.headersSent) {
      res.setHeader('connection', 'close');
      answer();
      res.once('finish', () => req.socket.destroySoon());
    } else {
      req.socket.destroy();
    }
  }, ms);
  // Not the response's 'close': that comes as soon as it is sent, and a route may answer before the body is in.
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
}
