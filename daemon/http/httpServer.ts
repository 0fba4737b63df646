import type { Duplex } from 'node:stream';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { HubContext, Subsystem } from '../core/context.js';
import { EnvironmentError, ErrorCodes, type HttpErrorCode } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { AddressRateLimit, rateLimitedMessage } from './addressRateLimit.js';
import { answerClientError } from './clientErrors.js';
import { armBodyDeadline } from './bodyDeadline.js';
import { PendingConnections } from './pendingConnections.js';
import { traceIdFrom } from './traceId.js';

/**
 * The HTTP server's own `upgrade` listeners (one settles the connection's head timeout). They answer
 * nothing, so a door deciding whether it is the only one to answer an upgrade must not count them: the
 * fault suite found every upgrade to another path left unanswered and its socket held for ever.
 */
const HTTP_OWN_LISTENERS = new WeakSet<(...args: never[]) => unknown>();
export function isHttpOwnListener(listener: unknown): boolean {
  return typeof listener === 'function' && HTTP_OWN_LISTENERS.has(listener as (...args: never[]) => unknown);
}

export interface RequestContext {
  traceId: string;
  log: Logger;
  url: URL;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, rc: RequestContext) => void | Promise<void>;

/**
 * The one HTTP port: /health, /metrics, /api/*, and the voice WebSocket upgrade at /voice (attached by the
 * voice server through `server`). Subsystems add their routes with `route()` in their own start().
 * Unknown paths answer 404 JSON; known paths with another method answer 405 with Allow. Before any of
 * that, every request and upgrade passes the per-address rate limit (`http.rateLimit`): over it, 429.
 *
 * Slow clients are bounded too: a connection must finish its request head (or upgrade) within
 * `http.headersTimeoutMs` (Node answers 408 and closes it), and one address may have at most
 * `http.maxPendingPerAddress` connections still sending theirs (more are closed at once), so a slowloris
 * holds a few sockets for a few seconds instead of hundreds for most of a minute.
 */
export class HttpServer implements Subsystem {
  readonly name = 'http';
  private readonly routes = new Map<string, Map<string, RouteHandler>>();
  private httpServer: Server | null = null;
  private limit: AddressRateLimit | null = null;
  private pending: PendingConnections | null = null;

  constructor(private readonly ctx: HubContext) {}

  get server(): Server {
    if (!this.httpServer) throw new Error('http server not started');
    return this.httpServer;
  }

  get port(): number {
    return (this.httpServer?.address() as AddressInfo | null)?.port ?? 0;
  }

  route(method: string, path: string, handler: RouteHandler): void {
    const byMethod = this.routes.get(path) ?? new Map<string, RouteHandler>();
    byMethod.set(method, handler);
    this.routes.set(path, byMethod);
  }

  /**
   * A route registered as `/api/devices/*` answers `/api/devices/<one segment>` (the handler reads the
   * segment from `url.pathname`); deeper paths and an empty segment are not routed.
   */
  private itemRoute(pathname: string): Map<string, RouteHandler> | undefined {
    const slash = pathname.lastIndexOf('/');
    if (slash <= 0 || slash === pathname.length - 1) return undefined;
    return this.routes.get(`${pathname.slice(0, slash)}/*`);
  }

  /**
   * Admits one request or WebSocket upgrade from `address` (http.rateLimit): 0 to go ahead, otherwise the
   * seconds to wait (Retry-After). The voice server asks this for each upgrade.
   */
  retryAfter(address: string | undefined, kind: 'request' | 'upgrade'): number {
    return this.limit ? this.limit.retryAfter(address, kind) : 0;
  }

  async start(): Promise<void> {
    const { host, port, rateLimit, headersTimeoutMs, maxPendingPerAddress } = this.ctx.config.http;
    const limit = new AddressRateLimit(rateLimit, this.ctx.clock, this.ctx.metrics);
    this.limit = limit;
    const server = createServer({
      keepAliveTimeout: 65_000,
      headersTimeout: headersTimeoutMs,
      requestTimeout: Math.max(30_000, headersTimeoutMs),
      // Node checks the two timeouts above only this often (30 s by default, which let a slowloris hold its
      // sockets for most of a minute); a pass over the open connections once a second costs next to nothing.
      connectionsCheckingInterval: Math.min(1000, headersTimeoutMs),
    }, (req, res) => this.handle(req, res));
    // Node's own check above runs once a second; ours is a timer per connection, so give it the same slack.
    const pending = new PendingConnections(maxPendingPerAddress, headersTimeoutMs + 1000, (address) => limit.isExempt(address));
    this.pending = pending;
    server.on('connection', (socket: Socket) => {
      if (pending.admit(socket)) return;
      limit.countRefusedConnection();
      refuseConnection(socket, Math.ceil(headersTimeoutMs / 1000));
    });
    // The first complete request head settles a connection: from then on it is a client like any other.
    server.on('request', (req: IncomingMessage) => pending.settled(req.socket));
    const settleUpgrade = (req: IncomingMessage, socket: Duplex): void => {
      pending.settled(req.socket);
      // No front door attached yet (the hub is still starting, or stopping): say so, rather than leave the
      // client waiting for an answer that never comes. A satellite or the page retries after Retry-After.
      if (server.listeners('upgrade').every(isHttpOwnListener)) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"status":"starting"}');
      }
    };
    HTTP_OWN_LISTENERS.add(settleUpgrade);
    server.prependListener('upgrade', settleUpgrade);
    // A head that took longer than http.headersTimeoutMs: 408; one over 16 KiB: 431; not HTTP: 400; then closed.
    server.on('clientError', (err: NodeJS.ErrnoException, socket) => answerClientError(err, socket as Socket));
    this.httpServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new EnvironmentError('PORT_IN_USE', `http port ${port} on ${host} is ${err.code === 'EACCES' ? 'not allowed for this user' : 'in use'} (set http.port or VOICEHUB_HTTP_PORT)`, { cause: err })
          : err);
      });
      server.listen(port, host, () => resolve());
    });
  }

  async stop(): Promise<void> {
    const server = this.httpServer;
    if (!server) return;
    this.pending?.clear(); // nothing will be asked of a connection that has not even sent its request head
    this.pending = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2000).unref();
    });
    this.httpServer = null;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const traceId = traceIdFrom(req.headers['x-trace-id']);
    res.setHeader('x-trace-id', traceId);
    if (this.ctx.log.isLevelEnabled('debug')) this.logWhenDone(req, res, traceId);
    const wait = this.retryAfter(req.socket.remoteAddress, 'request');
    if (wait > 0) {
      res.setHeader('retry-after', String(wait));
      sendError(res, 429, 'RATE_LIMITED', rateLimitedMessage(wait));
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://hub');
    } catch {
      sendError(res, 400, 'BAD_REQUEST', 'malformed request URL');
      return;
    }
    const byMethod = this.routes.get(url.pathname) ?? this.itemRoute(url.pathname);
    if (!byMethod) {
      sendError(res, 404, 'NOT_FOUND', `no route for ${url.pathname}`);
      return;
    }
    const handler = byMethod.get(req.method ?? 'GET') ?? (req.method === 'HEAD' ? byMethod.get('GET') : undefined);
    if (!handler) {
      res.setHeader('allow', [...byMethod.keys()].join(', '));
      sendError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname}`);
      return;
    }
    const bodyMs = this.ctx.config.http.headersTimeoutMs;
    armBodyDeadline(req, res, bodyMs, () => sendError(res, 408, 'HTTP_BODY_TIMEOUT', `${ErrorCodes.HTTP_BODY_TIMEOUT} (${bodyMs} ms)`));
    const log = this.ctx.log.child({ traceId });
    Promise.resolve()
      .then(() => handler(req, res, { traceId, log, url }))
      .catch((err: unknown) => {
        log.error({ err, path: url.pathname }, 'http handler failed');
        if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'internal error', traceId);
        else res.destroy();
      });
  }

  /**
   * One debug line per request once it is answered (or the client went away): method, path (never the
   * query, which may carry a token), status, milliseconds and the trace id. Only attached at `debug`.
   */
  private logWhenDone(req: IncomingMessage, res: ServerResponse, traceId: string): void {
    const started = performance.now();
    res.once('close', () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      this.ctx.log.debug({
        traceId, method: req.method, path: (q < 0 ? url : url.slice(0, q)).slice(0, 256),
        status: res.statusCode, ms: Math.round((performance.now() - started) * 100) / 100, finished: res.writableFinished,
      }, 'http request');
    });
  }
}

/**
 * A connection over http.maxPendingPerAddress: answered 429 before its request is read (a real client that
 * opened too many at once learns why and when to retry; a slowloris learns nothing it can use), then closed.
 */
function refuseConnection(socket: Socket, retryAfterSeconds: number): void {
  const body = JSON.stringify(errorBody('RATE_LIMITED', rateLimitedMessage(retryAfterSeconds)));
  socket.on('error', () => {});
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: ${retryAfterSeconds}\r\n`
    + `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n\r\n${body}`);
}

/** The body of every HTTP error answer; its code is one of the error table's (daemon/errors.ts). */
function errorBody(code: HttpErrorCode, message: string, traceId?: string): { error: { code: HttpErrorCode; message: string; traceId?: string } } {
  return traceId === undefined ? { error: { code, message } } : { error: { code, message, traceId } };
}

function sendError(res: ServerResponse, status: number, code: HttpErrorCode, message: string, traceId?: string): void {
  sendJson(res, status, errorBody(code, message, traceId));
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  // The body deadline (bodyDeadline.ts) may have answered 408 while the handler still waited on the body.
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
