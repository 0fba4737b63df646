import { WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import { Backoff, jitteredBackoff } from '../core/backoff.js';
import type { Clock } from '../core/context.js';
import type { ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { MAX_CLOUD_FRAME_BYTES } from './cloudFrames.js';
import { retryAfterMs } from './retryAfter.js';

export type LinkState = 'off' | 'connecting' | 'connected' | 'backoff' | 'unauthorized';

export interface LinkError {
  code: ErrorCode;
  message: string;
  /** Wall-clock time it happened (ms). */
  at: number;
}

/** What rides on the link: the sync session (outbox sender, command door) sees it through this. */
export interface LinkHandler {
  /** The link is up and `hello` went out; `send` writes one text frame (false once the link is gone). */
  opened(send: (text: string) => boolean): void;
  frame(text: string): void;
  closed(): void;
}

export interface CloudLinkOptions {
  url: string;
  token: string | null;
  heartbeatMs: number;
  backoffMaxMs: number;
  /** Extra trusted CAs (cloud.ca) added to Node's own. */
  ca: string[] | null;
  /** The `hello` frame, made at each connect (it carries the last acked seq of that moment). */
  hello(): Record<string, unknown>;
  handler: LinkHandler;
  log: Logger;
  clock: Clock;
  random?: () => number;
  /** A connection up this long resets the backoff (a minute: a link that flaps is not "stable"). */
  stableMs?: number;
  onReconnect?(): void;
}

const STABLE_MS = 60_000;
const INITIAL_BACKOFF_MS = 500;

/**
 * The outbound sync WebSocket (PROTOCOL §6): dials `cloud.url` with the hub's bearer token, says `hello`,
 * pings every `cloud.heartbeatMs` and closes a link that has not answered for two intervals (pong or any
 * frame), then dials again after a capped exponential backoff with jitter that resets only after a stable
 * minute. A 401/403 waits the maximum at once (a wrong token is not fixed by retrying hot); a 429/503 waits at
 * least its Retry-After. Timers are the event loop's, which a wall-clock jump does not move.
 */
export class CloudLink {
  private ws: WebSocket | null = null;
  private state: LinkState = 'off';
  private lastError: LinkError | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private alive = false;
  private openedAt = 0;
  private running = false;
  private readonly backoff: Backoff;
  private lastLoggedCode: string | null = null;
  private connects = 0;

  constructor(private readonly options: CloudLinkOptions) {
    const initialMs = Math.min(INITIAL_BACKOFF_MS, options.backoffMaxMs);
    this.backoff = new Backoff({ initialMs, maxMs: options.backoffMaxMs }, options.random);
  }

  get status(): { state: LinkState; lastError: LinkError | null } {
    return { state: this.state, lastError: this.lastError };
  }

  start(): void {
    this.running = true;
    this.connect();
  }

  /** Closes the link (1001, going away) and dials no more. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.retryTimer) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    if (!ws) {
      this.state = 'off';
      return;
    }
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    if (ws.readyState === WebSocket.OPEN) ws.close(1001, 'hub stopping');
    else ws.terminate();
    const timer = setTimeout(() => ws.terminate(), 1000);
    await closed;
    clearTimeout(timer);
    this.state = 'off';
  }

  /** Ends this connection as dead (the sync session's ack timeout); it is dialled again after backoff. */
  kill(code: ErrorCode, message: string): void {
    if (!this.ws) return;
    this.fail(code, message);
    this.ws.terminate();
  }

  private connect(): void {
    if (!this.running) return;
    this.state = 'connecting';
    const { url, token, heartbeatMs, ca } = this.options;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        handshakeTimeout: 2 * heartbeatMs,
        maxPayload: MAX_CLOUD_FRAME_BYTES,
        perMessageDeflate: false,
        followRedirects: false,
        ...(ca ? { ca } : {}),
      });
    } catch (err) {
      // A URL the schema let through but ws cannot dial ("ws://" with no host): said, and tried again slowly.
      this.fail('CLOUD_UNAVAILABLE', `cloud.url cannot be dialled: ${(err as Error).message}`);
      this.scheduleReconnect(false, this.options.backoffMaxMs);
      return;
    }
    this.ws = ws;
    let retryAfter: number | null = null;
    let unauthorized = false;
    let opened = false;
    /** The upgrade was answered with an error status: the abort that follows is not a second failure. */
    let refused = false;
    ws.on('unexpected-response', (req, res: IncomingMessage) => {
      refused = true;
      const status = res.statusCode ?? 0;
      res.resume();
      if (status === 401 || status === 403) {
        unauthorized = true;
        this.fail('CLOUD_UNAUTHORIZED', `the cloud refused the hub's token (${status}); check cloud.token`);
      } else {
        retryAfter = status === 429 || status === 503 ? retryAfterMs(res.headers['retry-after'], res.headers.date, this.options.clock.now()) : null;
        this.fail('CLOUD_UNAVAILABLE', `the cloud answered ${status} to the link's upgrade${retryAfter !== null ? `; retry after ${retryAfter} ms` : ''}`);
      }
      req.destroy();
      ws.terminate();
    });
    ws.on('error', (err: NodeJS.ErrnoException) => {
      if (refused) return;
      const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(`${err.code ?? ''} ${err.message}`);
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        // Not waiting for a close handshake with a peer that is busy sending megabytes: cut it now.
        this.fail('CLOUD_FRAME_INVALID', `the cloud sent a frame over ${MAX_CLOUD_FRAME_BYTES} bytes; link closed`);
        ws.terminate();
      }
      // ws says "Opening handshake has timed out" (a black-holed path: TCP accepted, no answer): not /timeout/.
      else if (/timeout|timed out/i.test(err.message) && !opened) this.fail('CLOUD_HEARTBEAT_TIMEOUT', `the cloud did not finish the handshake within ${2 * heartbeatMs} ms`);
      else this.fail(tls ? 'CLOUD_TLS' : 'CLOUD_UNAVAILABLE', `${tls ? 'TLS: ' : ''}${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`);
    });
    ws.on('open', () => {
      opened = true;
      this.connects++;
      if (this.connects > 1) this.options.onReconnect?.();
      this.state = 'connected';
      this.openedAt = this.monotonic();
      this.alive = true;
      this.lastLoggedCode = null;
      this.options.log.info({ url: redact(url) }, 'cloud link connected');
      ws.send(JSON.stringify(this.options.hello()));
      this.heartbeat = setInterval(() => this.beat(ws), heartbeatMs);
      this.options.handler.opened((text) => {
        if (ws.readyState !== WebSocket.OPEN) return false;
        ws.send(text);
        return true;
      });
    });
    ws.on('pong', () => { this.alive = true; });
    ws.on('message', (data, isBinary) => {
      this.alive = true;
      if (isBinary) {
        this.options.log.debug({ code: 'CLOUD_FRAME_INVALID' }, 'binary frame from the cloud ignored');
        return;
      }
      try {
        this.options.handler.frame(data.toString());
      } catch (err) {
        // One frame the hub fails to handle must not reach the socket's emitter (an uncaught exception stops the hub).
        this.options.log.error({ err, code: 'CLOUD_FRAME_INVALID' }, 'a frame from the cloud could not be handled; ignored');
      }
    });
    ws.on('close', (code) => {
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      if (this.ws === ws) this.ws = null;
      if (opened) {
        this.options.handler.closed();
        if (!this.lastErrorSince(this.openedAt)) this.fail('CLOUD_UNAVAILABLE', `the cloud closed the link (${code})`);
        if (this.monotonic() - this.openedAt >= (this.options.stableMs ?? STABLE_MS)) this.backoff.reset();
      }
      this.scheduleReconnect(unauthorized, retryAfter);
    });
  }

  private beat(ws: WebSocket): void {
    if (!this.alive) {
      this.fail('CLOUD_HEARTBEAT_TIMEOUT', `no answer from the cloud for two heartbeats (${this.options.heartbeatMs} ms each)`);
      ws.terminate();
      return;
    }
    this.alive = false;
    try {
      ws.ping();
    } catch {
      // closing already: the close handler dials again
    }
  }

  private scheduleReconnect(unauthorized: boolean, retryAfter: number | null): void {
    if (!this.running) {
      this.state = 'off';
      return;
    }
    const { backoffMaxMs } = this.options;
    let delay = unauthorized
      ? jitteredBackoff(30, backoffMaxMs, backoffMaxMs, this.options.random)
      : this.backoff.next();
    if (retryAfter !== null) delay = Math.max(delay, retryAfter);
    this.state = unauthorized ? 'unauthorized' : 'backoff';
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
    this.options.log.debug({ delayMs: delay, state: this.state }, 'cloud link: dialling again later');
  }

  private lastErrorAt = 0;

  private fail(code: ErrorCode, message: string): void {
    this.lastError = { code, message, at: this.options.clock.now() };
    this.lastErrorAt = this.monotonic();
    // The same failure again and again (a cloud down for an hour) is logged once, until the link is up again.
    const key = `${code}:${message}`;
    if (this.lastLoggedCode === key) return;
    this.lastLoggedCode = key;
    this.options.log.warn({ code, url: redact(this.options.url) }, `cloud link: ${message}`);
  }

  private lastErrorSince(at: number): boolean {
    return this.lastError !== null && this.lastErrorAt >= at;
  }

  private monotonic(): number {
    return this.options.clock.monotonic?.() ?? this.options.clock.now();
  }
}

/** The URL without user info or query (which may hold a secret), for logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparseable url)';
  }
}
