import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { HubContext, Subsystem } from '../core/context.js';
import { HubError } from '../core/errors.js';
import { checkRequest, extractToken } from '../auth/httpGuard.js';
import { rateLimitedMessage } from '../http/addressRateLimit.js';
import { clientTraceId } from '../http/traceId.js';
import { isHttpOwnListener } from '../http/httpServer.js';
import { CLOCK_SKEW_SECONDS } from '../auth/tokens.js';
import type { BudgetedStream } from './audioBudget.js';
import type { TokenClaims, TokenVerifier } from '../auth/tokens.js';
import { FrameParser } from './frames.js';
import { jsonCodec, JsonSessionDoor } from './jsonCodec.js';
import type { SessionIdentity, VoiceSession } from './voiceSession.js';
import type { VoiceCore } from './voiceCore.js';
import { FrameBatcher } from './frameBatcher.js';
import { waitAtMost } from '../core/timeout.js';
import { SpreadSweep } from '../core/spreadSweep.js';
import { HeldInput } from '../core/heldInput.js';
import type { DeviceFeed } from './deviceFeed.js';
import { hasScope } from '../auth/tokens.js';

export interface VoiceServerOptions {
  ctx: Pick<HubContext, 'config' | 'log' | 'clock'>;
  /** Verifies the bearer token at upgrade (the AuthService). */
  auth: TokenVerifier;
  /** The hub's HTTP server, or a getter for it (it exists only once the HTTP subsystem has started). */
  http: Server | (() => Server);
  /** The HTTP port's per-address limit (http.rateLimit): seconds to wait, 0 to go ahead. None: no limit. */
  addressLimit?: (address: string | undefined) => number;
  /**
   * The voice core this door opens its sessions on (the hub's, shared with every other door): started before
   * this server and stopped after it by whoever built it. Its stages (handler, speech to text) are given to it
   * at construction, so the first utterance after `listening` already reaches the real handler.
   */
  core: VoiceCore;
  /** Live device state for clients that connect with `?feed=devices` and a devices:read token (the page). */
  deviceFeed?: DeviceFeed;
  /** How long stop() waits for utterances in flight before closing sockets. */
  drainMs?: number;
}

interface Connection {
  ws: WebSocket;
  session: VoiceSession<string>;
  subject: string;
  /** The bearer token it connected with: checked again when the signing key changes. */
  token: string;
  /** Seconds since the epoch: past it (and the clock skew), the session is closed like any withdrawn token. */
  exp: number;
  /** Cleared at each heartbeat, set by a pong or any frame; still clear at the next heartbeat: the peer is gone. */
  alive: boolean;
}

export const VOICE_PATH = '/voice';
/** A client that stops reading while we keep sending (speak broadcasts, replies) is dropped past this. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const CLOSE_GRACE_MS = 1000;
/**
 * Taken off a connection's unparsed bytes with each parsed frame besides its payload: its headers (14 bytes
 * at most per fragment) and the start of the next frame; under this much left, nothing is worth tracking.
 */
const UNPARSED_SLACK_BYTES = 1024;
/**
 * The close code for a session whose token no longer verifies (key rotated, token expired): 1008 "policy
 * violation" (RFC 6455 §7.4.1), after an `error` frame with code UNAUTHORIZED saying why.
 */
export const CLOSE_TOKEN_WITHDRAWN = 1008;

/**
 * The voice WebSocket at `/voice` on the hub's HTTP port (PROTOCOL §3); the only file that imports `ws`.
 *
 * The token is checked in the HTTP `upgrade` handler, so a client without a valid one gets a plain
 * `401` response and no WebSocket ever exists (RFC 6455 §4.2.2 lets the server answer the handshake with
 * any HTTP status). Other upgrade paths are left to whoever else listens for them.
 */
export class VoiceServer implements Subsystem {
  readonly name = 'voice';
  private readonly connections = new Map<string, Connection>();
  private readonly perSubject = new Map<string, number>();
  private pendingUpgrades = 0;
  private readonly frames = new FrameBatcher();
  private drained: Promise<unknown> | null = null;
  private wss: WebSocketServer | null = null;
  private server: Server | null = null;
  /** Pings a tenth of the clients every tenth of `voice.heartbeatMs` (core/spreadSweep.ts), not all at once. */
  private heartbeat: SpreadSweep<Connection> | null = null;
  private audioSweep: NodeJS.Timeout | null = null;
  private stopKeyWatch: (() => void) | null = null;
  /** The trace id of each upgrade under way, for the 101 response's x-trace-id header. */
  private readonly upgradeTraceIds = new WeakMap<IncomingMessage, string>();
  private parser: FrameParser | null = null;
  /** The queue, limits, idempotency, audio budget, metrics and sessions behind this door (not its to start or stop). */
  private readonly core: VoiceCore;

  constructor(private readonly options: VoiceServerOptions) {
    this.core = options.core;
  }

  get clientCount(): number {
    return this.connections.size;
  }

  async start(): Promise<void> {
    const { config } = this.options.ctx;
    const v = config.voice;
    const core = this.core;
    if (!core.running) throw new HubError('INTERNAL', 'the voice core must start before the voice server');
    this.parser = new FrameParser({ maxTextLength: v.maxTextLength, maxFrameBytes: v.maxFrameBytes });
    const budget = core.audioBudget;
    this.audioSweep = setInterval(() => {
      budget.sweep(performance.now());
      this.frames.flush();
    }, Math.min(1000, Math.ceil(v.audioIdleMs / 2)));
    this.audioSweep.unref();
    this.stopKeyWatch = this.options.auth.onKeyChange?.(() => void this.revalidate()) ?? null;
    this.options.deviceFeed?.start();
    // maxPayload bounds one frame; the stream total (maxAudioBytes) and text size (maxFrameBytes) are checked per session.
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: Math.max(v.maxAudioBytes, v.maxFrameBytes), clientTracking: false });
    this.wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const traceId = this.upgradeTraceIds.get(req);
      if (traceId) headers.push(`x-trace-id: ${traceId}`);
    });
    this.server = typeof this.options.http === 'function' ? this.options.http() : this.options.http;
    this.server.on('upgrade', this.onUpgrade);
    this.heartbeat = new SpreadSweep({ intervalMs: v.heartbeatMs, entries: () => this.connections.values(), count: () => this.connections.size, visit: this.beat });
    this.heartbeat.start();
    core.metrics.attach({
      clients: () => this.connections.size,
      queueDepth: () => {
        let depth = core.queueWaiting;
        for (const c of this.connections.values()) depth += c.session.queued;
        return depth;
      },
    });
    this.drained = null;
  }

  /** Takes no new utterances (BUSY) and hands back those still waiting; the running ones go on. Idempotent. */
  beginStop(): void {
    if (this.core.isStopping || !this.core.running) return;
    this.core.beginStop();
    this.drained = Promise.all([...this.connections.values()].map((c) => c.session.drain()));
  }

  /**
   * The lifecycle's drain phase (before anything stops, so plugins are still there): take no new utterances
   * (BUSY), hand back the ones still waiting, and wait for the running ones to finish, at most `drainMs`.
   */
  async drain(): Promise<void> {
    if (!this.core.running) return;
    this.beginStop();
    await waitAtMost(this.drained ?? Promise.resolve(), this.options.drainMs ?? 3000, this.options.ctx.clock);
  }

  /**
   * SIGTERM with clients connected: drain (if the lifecycle has not already), then close every socket with
   * 1001 "going away" (RFC 6455 §7.4.1).
   */
  async stop(): Promise<void> {
    if (!this.core.running || !this.wss) return;
    const { clock } = this.options.ctx;
    this.beginStop();
    this.options.deviceFeed?.stop();
    await this.drain();
    this.frames.flush(); // the last answers go out before the close frames, which nothing may follow
    const closed = [...this.connections.values()].map((c) => new Promise<void>((resolve) => {
      c.ws.once('close', () => resolve());
      c.ws.close(1001, 'hub stopping');
    }));
    await waitAtMost(Promise.all(closed), CLOSE_GRACE_MS, clock);
    for (const c of this.connections.values()) c.ws.terminate();
    this.heartbeat?.stop();
    if (this.audioSweep) clearInterval(this.audioSweep);
    this.stopKeyWatch?.();
    this.stopKeyWatch = null;
    this.audioSweep = null;
    this.server?.off('upgrade', this.onUpgrade);
    this.wss.close();
    this.heartbeat = null;
    this.wss = null;
    this.server = null;
    this.parser = null;
    this.drained = null;
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    // Other paths are left to other doors' upgrade listeners; with none, they are ours to answer (404).
    // The HTTP server's own listeners answer nothing, so they do not count as doors.
    if (path !== VOICE_PATH && !(this.server && this.otherDoors() === 0)) return;
    // The session's trace id: the client's x-trace-id when it is a sane one, else the session's own id;
    // echoed on every answer, carried by every log line of the session.
    const sessionId = randomUUID();
    const traceId = clientTraceId(req.headers['x-trace-id']) ?? sessionId;
    const traced = { 'x-trace-id': traceId };
    // Before the token is checked: a flood of forged tokens costs the hub a bucket lookup each.
    const wait = this.options.addressLimit?.(req.socket.remoteAddress) ?? 0;
    if (wait > 0) return refuse(socket, 429, 'RATE_LIMITED', rateLimitedMessage(wait), { 'Retry-After': String(wait), ...traced });
    if (path !== VOICE_PATH) return refuse(socket, 404, 'NOT_FOUND', `no WebSocket at ${path}`, traced);
    socket.on('error', () => {}); // a client that resets mid-handshake is not worth a crash
    void this.accept(req, socket, head, sessionId, traceId);
  };

  /** Upgrade listeners of other front doors on the same server. */
  private otherDoors(): number {
    return this.server!.listeners('upgrade').filter((l) => l !== this.onUpgrade && !isHttpOwnListener(l)).length;
  }

  private async accept(req: IncomingMessage, socket: Duplex, head: Buffer, sessionId: string, traceId: string): Promise<void> {
    const v = this.options.ctx.config.voice;
    const traced = { 'x-trace-id': traceId };
    if (this.core.isStopping || !this.wss) return refuse(socket, 503, 'BUSY', 'the hub is stopping', traced);
    if (this.connections.size + this.pendingUpgrades >= v.maxClients) return refuse(socket, 503, 'BUSY', 'too many voice clients', traced);
    this.pendingUpgrades++;
    let result;
    try {
      result = await checkRequest(req, this.options.auth);
    } finally {
      this.pendingUpgrades--;
    }
    if (!result.ok) return refuse(socket, result.status, result.body.error.code, result.body.error.message, { ...result.headers, ...traced });
    const claims = result.claims;
    if (socket.destroyed) return;
    if (this.core.isStopping || !this.wss) return refuse(socket, 503, 'BUSY', 'the hub is stopping', traced);
    // One subject (one token, or many made with the same --sub) may not take the slots of everyone else.
    if ((this.perSubject.get(claims.sub) ?? 0) >= v.maxClientsPerSubject) {
      this.options.ctx.log.debug({ traceId, subject: claims.sub }, 'voice upgrade refused: too many connections for this subject');
      return refuse(socket, 429, 'RATE_LIMITED', `too many connections for this client (${v.maxClientsPerSubject})`, traced);
    }
    const token = extractToken(req)!; // checkRequest found it
    this.upgradeTraceIds.set(req, traceId);
    const query = new URLSearchParams(req.url?.split('?')[1] ?? '');
    const wantsFeed = query.get('feed') === 'devices';
    // `?tts=true`: an audio client from the start, so `speak` pushes come as audio too (PROTOCOL §3).
    const tts = query.get('tts') === 'true' || query.get('tts') === '1';
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, socket, claims, token, sessionId, traceId, wantsFeed, tts));
  }

  /**
   * The signing key changed: every open session's token is checked again and those that no longer verify
   * are closed. A rotation withdraws every token, so usually that is all of them.
   */
  private async revalidate(): Promise<void> {
    const log = this.options.ctx.log;
    const checks = [...this.connections.values()].map(async (c) => {
      try {
        await this.options.auth.verify(c.token);
      } catch {
        this.withdraw(c, 'the token was withdrawn (the hub\'s signing key changed)');
      }
    });
    await Promise.all(checks);
    log.info({ open: this.connections.size }, 'voice sessions checked against the new signing key');
  }

  /** Tells the client why and closes its session: its token is no longer good here. */
  private withdraw(c: Connection, message: string): void {
    if (c.ws.readyState !== 1) return;
    const { id, traceId } = c.session.identity;
    this.options.ctx.log.info({ sessionId: id, traceId, subject: c.subject }, 'voice session closed: its token no longer verifies');
    c.session.reject(null, 'UNAUTHORIZED', message);
    this.frames.flush();
    c.session.close();
    c.ws.close(CLOSE_TOKEN_WITHDRAWN, 'token no longer valid');
  }

  /**
   * A session on this server's queue, limits and handler, behind the same JSON front door, but with no
   * WebSocket: frames go to `send`. It is not counted as a client and gets no `speak` frames. The pipeline
   * benchmark drives these to time the hub's own work per utterance without the sockets' cost and noise.
   */
  detachedSession(identity: SessionIdentity, send: (frame: string) => void): JsonSessionDoor {
    if (!this.core.running || !this.parser) throw new HubError('INTERNAL', 'the voice server is not running');
    return new JsonSessionDoor(this.core.openSession(jsonCodec, identity, { send }, { hearsSpeech: false }), this.parser);
  }

  private onConnection(ws: WebSocket, socket: Duplex, claims: TokenClaims, token: string, id: string, traceId: string, wantsFeed = false, tts = false): void {
    const log = this.options.ctx.log.child({ sessionId: id, traceId });
    const outbox = this.frames.outbox(socket, ws);
    const send = (frame: string): void => {
      if (ws.readyState !== 1) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        log.warn({ subject: claims.sub }, 'voice client is not reading; dropping it');
        ws.terminate();
        return;
      }
      this.frames.send(outbox, frame);
    };
    const sendAudio = (pcm: Buffer): void => {
      if (ws.readyState !== 1 || ws.bufferedAmount > MAX_BUFFERED_BYTES) return;
      this.frames.send(outbox, pcm);
    };
    const session = this.core.openSession(jsonCodec, { id, subject: claims.sub, scopes: claims.scopes, area: claims.area, traceId, tts }, { send, sendAudio });
    const door = new JsonSessionDoor(session, this.parser!);
    const conn: Connection = { ws, session, subject: claims.sub, token, exp: claims.exp, alive: true };
    // Bytes read from the socket and not yet parsed into a frame (ws buffers up to maxPayload per frame) are
    // charged to the shared audio budget: counted as they arrive (before ws's listener), each parsed frame
    // takes its size (and some slack for headers) off, and what is left once ws has read the chunk (after
    // its listener) is charged. So a frame that arrives whole is never charged twice (here and as audio).
    // Evicted (its room is needed, or it stalled mid-frame): the socket goes.
    let pending = 0;
    const unparsed: BudgetedStream = {
      bytes: 0,
      lastActivity: 0,
      evict: (reason) => {
        log.warn({ subject: claims.sub, reason }, 'voice client stalled in the middle of a frame; closing it');
        ws.terminate();
      },
    };
    const budget = this.core.audioBudget;
    socket.prependListener('data', (chunk: Buffer) => { pending += chunk.length; });
    socket.on('data', () => {
      if (pending === 0) budget.release(unparsed);
      else if (pending > unparsed.bytes) budget.charge(unparsed, pending - unparsed.bytes, performance.now());
      else budget.consume(unparsed, unparsed.bytes - pending);
    });
    const parsed = (data: Buffer): void => { pending = Math.max(0, pending - data.length - UNPARSED_SLACK_BYTES); };
    this.connections.set(id, conn);
    this.perSubject.set(claims.sub, (this.perSubject.get(claims.sub) ?? 0) + 1);
    let detachFeed: (() => void) | null = null;
    if (wantsFeed && this.options.deviceFeed) {
      if (hasScope(claims, 'devices:read')) detachFeed = this.options.deviceFeed.attach(send);
      else send(jsonCodec.error(null, 'FORBIDDEN', 'the device feed needs a token with devices:read'));
    }
    const handle = (data: Buffer, isBinary: boolean): void => {
      try {
        if (isBinary) door.handleBinary(data);
        else door.handleText(data);
      } catch (err) {
        log.error({ err }, 'voice frame handling failed');
        send(jsonCodec.error(null, 'INTERNAL', 'internal error'));
      }
    };
    // Frames wait their turn with the devices' input (core/turnBudget.ts, core/heldInput.ts): past the loop
    // phase's budget they are held in order and the socket paused (what it has not read stays in the kernel)
    // until the line reaches them; the frames of one read at most are held, and every one is handled. Paused
    // again with each frame held: ws resumes its socket when its own receiver drains.
    const input = new HeldInput({
      handle,
      pause: () => socket.pause(),
      live: () => ws.readyState === 1,
      released: () => socket.resume(),
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      conn.alive = true;
      parsed(data);
      input.take(data, isBinary);
    });
    ws.on('pong', (data: Buffer) => {
      conn.alive = true;
      parsed(data);
    });
    ws.on('ping', parsed);
    ws.on('error', (err) => log.debug({ err }, 'voice socket error'));
    ws.on('close', () => {
      budget.release(unparsed);
      detachFeed?.();
      session.close();
      this.connections.delete(id);
      const left = (this.perSubject.get(claims.sub) ?? 1) - 1;
      if (left > 0) this.perSubject.set(claims.sub, left);
      else this.perSubject.delete(claims.sub);
      log.debug({ subject: claims.sub }, 'voice client left');
    });
    log.debug({ subject: claims.sub }, 'voice client connected');
  }

  /** Heartbeat (RFC 6455 §5.5.2): a peer that answered nothing since the last ping is half-open; drop it. */
  /** One client's heartbeat: an expired token is withdrawn, a client silent since its last ping is cut, else pinged. */
  private readonly beat = (c: Connection): void => {
    if (c.exp < this.options.ctx.clock.now() / 1000 - CLOCK_SKEW_SECONDS) {
      this.withdraw(c, 'the token has expired');
      return;
    }
    if (!c.alive) {
      this.options.ctx.log.debug({ sessionId: c.session.identity.id }, 'voice client missed a heartbeat; terminating');
      c.ws.terminate();
      return;
    }
    c.alive = false;
    if (c.ws.readyState === 1) c.ws.ping();
  };
}

/** Answers an upgrade with a plain HTTP error (no WebSocket is made) and closes the socket. */
function refuse(socket: Duplex, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  const extra = Object.entries(headers).map(([k, val]) => `${k}: ${val}\r\n`).join('');
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n${extra}\r\n${body}`);
}

