import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { WebSocketServer, WebSocket } from 'ws';

/** An event as the hub sends it (PROTOCOL §6). */
export interface ReceivedEvent { seq: number; ts: number; kind: string; [field: string]: unknown }

export interface FakeCloudOptions {
  port?: number;
  /** The bearer token the cloud accepts (null: any, or none). */
  token?: string | null;
  /** Log every frame to stdout (the runnable script does). */
  verbose?: boolean;
  /** Serve wss:// and https:// with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
}

/**
 * A stand-in for the cloud: a real WebSocket + HTTP server on 127.0.0.1 (port 0 unless told). It records
 * what the hub sends and can ack, withhold acks, delay them, drop the link, refuse the upgrade (401, 503 with
 * Retry-After), accept TCP and never answer, stop answering pings, restart on the same port, and send
 * commands and utterances. HTTP requests under /v1/ are answered for the request pool.
 *
 * Run alone to try the link locally: `node dist/test/helpers/fakeCloud.js --port 9000 [--token T]`.
 */
export class FakeCloud {
  /** Every event received, resends included, in arrival order. */
  readonly received: ReceivedEvent[] = [];
  readonly hellos: Array<Record<string, unknown>> = [];
  readonly frames: Array<Record<string, unknown>> = [];
  /** Authorization headers of every upgrade attempt (accepted or not). */
  readonly upgrades: Array<{ authorization: string | undefined; at: number }> = [];
  /** Every HTTP request under /v1/. */
  readonly requests: Array<{ method: string; url: string; authorization: string | undefined }> = [];
  /** How acks are given: `auto` acks every batch, `withhold` acks none, `delay` after `ackDelayMs`. */
  ackMode: 'auto' | 'withhold' | 'delay' = 'auto';
  ackDelayMs = 0;
  /** Answer upgrades with this status (and Retry-After seconds) instead of accepting. */
  refuse: { status: number; retryAfter?: string } | null = null;
  /** Take the TCP connection and never answer the upgrade. */
  blackhole = false;
  /** Answer HTTP requests after this many ms. */
  httpDelayMs = 0;
  httpConnections = 0;
  private server: Server;
  private wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private readonly held = new Set<Socket>();
  /** Every TCP connection, upgraded ones too (the HTTP server stops tracking those), so close() ends them all. */
  private readonly raw = new Set<Socket>();
  private closing = false;
  private readonly results = new Map<string, Array<(frame: Record<string, unknown>) => void>>();
  private waiters: Array<{ test: () => boolean; resolve: () => void }> = [];
  private seqCounter = 0;
  port = 0;

  private constructor(private readonly options: FakeCloudOptions, autoPong: boolean) {
    this.wss = new WebSocketServer({ noServer: true, autoPong, maxPayload: 16 * 1024 * 1024 });
    this.server = this.makeServer();
  }

  static async start(options: FakeCloudOptions = {}, extra: { autoPong?: boolean } = {}): Promise<FakeCloud> {
    const cloud = new FakeCloud(options, extra.autoPong ?? true);
    await cloud.listen(options.port ?? 0);
    return cloud;
  }

  get url(): string {
    return `${this.options.tls ? 'wss' : 'ws'}://127.0.0.1:${this.port}/hub`;
  }

  get httpUrl(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** Distinct seqs received, in order of first arrival. */
  uniqueSeqs(): number[] {
    const seen = new Set<number>();
    const out: number[] = [];
    for (const e of this.received) if (!seen.has(e.seq)) { seen.add(e.seq); out.push(e.seq); }
    return out;
  }

  /** Resolves once `test` holds (checked on every frame and every 20 ms). */
  waitFor(test: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const poll = setInterval(() => check(), 20);
      const timer = setTimeout(() => { clearInterval(poll); reject(new Error(`fake cloud: no ${what} within ${timeoutMs} ms`)); }, timeoutMs);
      const check = () => { if (test()) { clearInterval(poll); clearTimeout(timer); resolve(); } };
      this.waiters.push({ test, resolve: () => { clearInterval(poll); clearTimeout(timer); resolve(); } });
    });
  }

  /** Sends a raw text frame to every connected hub. */
  send(text: string): void {
    for (const ws of this.sockets) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  }

  /**
   * Sends a command and resolves with its `command.result`. Like a real cloud it sends the frame again every
   * `resendMs` until answered (a link that dropped meanwhile loses it): the hub answers an id once.
   */
  command(frame: { id?: string; device: string; command: string; params?: Record<string, unknown>; traceId?: string }): Promise<Record<string, unknown>> {
    const id = frame.id ?? `c${++this.seqCounter}`;
    return this.request(id, JSON.stringify({ type: 'command', ...frame, id }));
  }

  utterance(frame: { id?: string; text: string; lang?: string; area?: string }): Promise<Record<string, unknown>> {
    const id = frame.id ?? `u${++this.seqCounter}`;
    return this.request(id, JSON.stringify({ type: 'utterance', ...frame, id }));
  }

  resendMs = 3000;

  private request(id: string, text: string): Promise<Record<string, unknown>> {
    const result = this.result(id);
    this.send(text);
    const resend = setInterval(() => this.send(text), this.resendMs);
    return result.finally(() => clearInterval(resend));
  }

  /** The next `command.result` / `utterance.result` for `id`; rejects after `timeoutMs` rather than hang a test. */
  result(id: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake cloud: no result for ${id} within ${timeoutMs} ms`)), timeoutMs);
      const list = this.results.get(id) ?? [];
      list.push((frame) => { clearTimeout(timer); resolve(frame); });
      this.results.set(id, list);
    });
  }

  /** Acks up to `seq` on every link (for the withhold mode). */
  ack(seq: number): void {
    this.send(JSON.stringify({ type: 'ack', seq }));
  }

  /** Drops every link at once, without a close handshake (a cut cable, a crashed cloud). */
  disconnect(): void {
    for (const ws of this.sockets) ws.terminate();
    for (const s of this.held) s.destroy();
  }

  /** Stops listening and drops everything (an outage), until `restart()`. */
  async down(): Promise<void> {
    this.closing = true;
    this.disconnect();
    for (const socket of this.raw) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async restart(): Promise<void> {
    this.closing = false;
    this.server = this.makeServer();
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.disconnect();
    for (const socket of this.raw) socket.destroy();
    this.wss.close();
    if (this.server.listening) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
  }

  private async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  private makeServer(): Server {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.http(req, res);
    const server: Server = this.options.tls ? createTlsServer({ key: this.options.tls.key, cert: this.options.tls.cert }, handler) as unknown as Server : createServer(handler);
    server.on(this.options.tls ? 'secureConnection' : 'connection', () => { this.httpConnections++; });
    server.on('connection', (socket: Socket) => {
      // A hub dialling again while the cloud goes down must not keep close() waiting on its socket.
      if (this.closing) { socket.destroy(); return; }
      this.raw.add(socket);
      socket.on('close', () => this.raw.delete(socket));
    });
    server.on('upgrade', (req, socket, head) => {
      this.upgrades.push({ authorization: req.headers.authorization, at: Date.now() });
      if (this.blackhole) {
        this.held.add(socket as Socket);
        socket.on('close', () => this.held.delete(socket as Socket));
        socket.on('error', () => {});
        return;
      }
      const token = this.options.token ?? null;
      const refuse = this.refuse ?? (token !== null && req.headers.authorization !== `Bearer ${token}` ? { status: 401 } : null);
      if (refuse) {
        const headers = refuse.retryAfter !== undefined ? `Retry-After: ${refuse.retryAfter}\r\n` : '';
        socket.end(`HTTP/1.1 ${refuse.status} Refused\r\n${headers}Content-Length: 0\r\nConnection: close\r\n\r\n`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
    });
    return server;
  }

  private connected(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('error', () => {});
    ws.on('message', (data) => {
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(data.toString()) as Record<string, unknown>;
      } catch {
        return;
      }
      if (this.options.verbose) console.log(JSON.stringify(frame));
      this.frames.push(frame);
      if (frame.type === 'hello') this.hellos.push(frame);
      if (frame.type === 'events') this.events(ws, frame);
      if (frame.type === 'command.result' || frame.type === 'utterance.result') {
        const waiting = this.results.get(String(frame.id))?.shift();
        waiting?.(frame);
      }
      this.waiters = this.waiters.filter((w) => { if (!w.test()) return true; w.resolve(); return false; });
    });
  }

  private events(ws: WebSocket, frame: Record<string, unknown>): void {
    for (const event of frame.events as ReceivedEvent[]) this.received.push(event);
    const ack = JSON.stringify({ type: 'ack', seq: frame.seq });
    if (this.ackMode === 'auto') ws.send(ack);
    else if (this.ackMode === 'delay') setTimeout(() => { if (ws.readyState === WebSocket.OPEN) ws.send(ack); }, this.ackDelayMs);
  }

  private http(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const answer = () => {
        if (req.url?.startsWith('/v1/status/')) {
          const status = Number(req.url.slice('/v1/status/'.length)) || 500;
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, method: req.method, url: req.url, body: Buffer.concat(body).toString() }));
      };
      if (this.httpDelayMs > 0) setTimeout(answer, this.httpDelayMs);
      else answer();
    });
  }
}

// Run as a script: a fake cloud that acks everything and prints each frame, for "try the cloud link locally".
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
  const cloud = await FakeCloud.start({ port: Number(arg('--port') ?? 9000), token: arg('--token') ?? null, verbose: true });
  console.log(`fake cloud on ${cloud.url} (HTTP ${cloud.httpUrl}); point the hub at it with cloud.url: ${cloud.url}`);
  console.log('type a JSON frame (e.g. {"type":"command","id":"1","device":"hall_lamp","command":"turn_on"}) and Enter to send it');
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (text: string) => { for (const line of text.split('\n')) if (line.trim()) cloud.send(line.trim()); });
  process.on('SIGINT', () => { void cloud.close().then(() => process.exit(0)); });
}
