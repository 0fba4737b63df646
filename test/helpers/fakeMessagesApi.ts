import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A tool call the stand-in's model makes: `input` is sent as JSON, `rawJson` as it is (for broken input). */
export interface FakeToolCall {
  name: string;
  input?: Record<string, unknown>;
  rawJson?: string;
  id?: string;
}

/**
 * What the stand-in answers to one request (they are used in order; with none left it answers "OK."):
 * - `text` (pieces streamed one `text_delta` each) and/or `tools` (tool_use blocks, `stop_reason: tool_use`);
 *   `delayMs` before the first event (the model "thinking") and `pieceDelayMs` between pieces;
 * - `status` with an Anthropic error body (`retryAfter` → `retry-after` header): 429, 500, 529…;
 * - `hang`: headers never come (or, with `hangAfterStart`, the stream stops after message_start);
 * - `malformed`: `json` (a 200 whose SSE data is not JSON), `truncated` (the stream ends before
 *   message_stop), `html` (a 200 text/html page), `errorEvent` (an SSE `error` event: overloaded);
 * - `usage`: tokens to report; `raw`: the SSE body to send as it is.
 */
export interface FakeAnswer {
  text?: string | string[];
  tools?: FakeToolCall[];
  delayMs?: number;
  pieceDelayMs?: number;
  status?: number;
  retryAfter?: number;
  /** The error body's message (default "stand-in <status>"): a hostile endpoint may echo what it was sent. */
  errorMessage?: string;
  hang?: boolean;
  hangAfterStart?: boolean;
  malformed?: 'json' | 'truncated' | 'html' | 'errorEvent';
  usage?: { input: number; output: number };
  /** Written as the whole SSE body, as it is (hostile streams). */
  raw?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  /** The client's port: requests with the same one came on the same connection. */
  remotePort: number;
}

/**
 * A stand-in for the Anthropic Messages API: a real HTTP server on 127.0.0.1, port 0, speaking
 * `POST /v1/messages` with the request and response shapes of the API and its streaming events
 * (message_start, content_block_start/delta/stop with text_delta and input_json_delta, message_delta,
 * message_stop, ping), scriptable per request. It records every request and counts TCP connections, so
 * tests can read what the hub sent and benchmarks can see keep-alive at work.
 */
export class FakeMessagesApi {
  readonly requests: RecordedRequest[] = [];
  private readonly script: Array<FakeAnswer | ((body: any) => FakeAnswer)> = [];
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  connections = 0;
  private server: Server | null = null;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (socket) => {
      // Each SSE event is its own small write: without this, Nagle and delayed ACKs hold them tens of ms.
      socket.setNoDelay(true);
      this.connections++;
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /**
   * Queues answers for the next requests, in order. A function is a model that reads the request: it is
   * called with the request's body and answers with what it returns.
   */
  answer(...answers: Array<FakeAnswer | ((body: any) => FakeAnswer)>): void {
    this.script.push(...answers);
  }

  /** Drops answers queued and not yet used (a test that gave up early leaves none for the next). */
  reset(): void {
    this.script.length = 0;
  }

  /** Resolves when `n` requests in all have arrived. */
  async waitForRequests(n: number, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.requests.length < n) {
      if (Date.now() > until) throw new Error(`the stand-in got ${this.requests.length} requests, not ${n}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: any = null;
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { body = Buffer.concat(chunks).toString('utf8'); }
    this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, remotePort: req.socket.remotePort ?? 0 });
    if (req.method !== 'POST' || !(req.url ?? '').startsWith('/v1/messages')) {
      return this.error(res, 404, 'not_found_error', 'no such endpoint');
    }
    const next = this.script.shift() ?? { text: 'OK.' };
    const answer = typeof next === 'function' ? next(body) : next;
    if (answer.delayMs) await sleep(answer.delayMs);
    if (answer.hang) {
      this.hanging.add(res);
      return;
    }
    if (answer.status && answer.status !== 200) {
      const type = answer.status === 429 ? 'rate_limit_error' : answer.status === 529 ? 'overloaded_error' : 'api_error';
      return this.error(res, answer.status, type, answer.errorMessage ?? `stand-in ${answer.status}`, answer.retryAfter);
    }
    if (answer.malformed === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>captive portal</body></html>');
      return;
    }
    if (body?.stream !== true) return this.whole(res, answer);
    await this.stream(res, answer);
  }

  private error(res: ServerResponse, status: number, type: string, message: string, retryAfter?: number): void {
    res.writeHead(status, { 'content-type': 'application/json', ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}) });
    res.end(JSON.stringify({ type: 'error', error: { type, message } }));
  }

  /** The non-streaming shape: one message object. */
  private whole(res: ServerResponse, answer: FakeAnswer): void {
    const content: unknown[] = [];
    const text = pieces(answer.text).join('');
    if (text) content.push({ type: 'text', text });
    for (const [i, t] of (answer.tools ?? []).entries()) content.push({ type: 'tool_use', id: t.id ?? `toolu_${i}`, name: t.name, input: t.input ?? {} });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      id: 'msg_fake', type: 'message', role: 'assistant', model: 'fake', content,
      stop_reason: answer.tools?.length ? 'tool_use' : 'end_turn', stop_sequence: null,
      usage: { input_tokens: answer.usage?.input ?? 10, output_tokens: answer.usage?.output ?? 5 },
    }));
  }

  private async stream(res: ServerResponse, answer: FakeAnswer): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (event: string, data: unknown): void => {
      if (!res.destroyed) res.write(`event: ${event}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    };
    if (answer.raw !== undefined) {
      res.end(answer.raw);
      return;
    }
    const usage = answer.usage ?? { input: 10, output: 5 };
    send('message_start', {
      type: 'message_start',
      message: { id: 'msg_fake', type: 'message', role: 'assistant', model: 'fake', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input, output_tokens: 1 } },
    });
    if (answer.hangAfterStart) {
      this.hanging.add(res);
      return;
    }
    if (answer.malformed === 'json') {
      send('content_block_start', '{"type":"content_block_start", this is not json');
      res.end();
      return;
    }
    if (answer.malformed === 'errorEvent') {
      send('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
      res.end();
      return;
    }
    send('ping', { type: 'ping' });
    let index = 0;
    const texts = pieces(answer.text);
    if (texts.length > 0) {
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const [i, piece] of texts.entries()) {
        if (i > 0 && answer.pieceDelayMs) await sleep(answer.pieceDelayMs);
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
      }
      send('content_block_stop', { type: 'content_block_stop', index });
      index++;
    }
    if (answer.malformed === 'truncated') {
      res.end();
      return;
    }
    for (const [i, tool] of (answer.tools ?? []).entries()) {
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: tool.id ?? `toolu_${this.requests.length}_${i}`, name: tool.name, input: {} } });
      const json = tool.rawJson ?? JSON.stringify(tool.input ?? {});
      // The input arrives in pieces, as the API sends it.
      for (let at = 0; at < json.length; at += 12) {
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: json.slice(at, at + 12) } });
      }
      send('content_block_stop', { type: 'content_block_stop', index });
      index++;
    }
    send('message_delta', { type: 'message_delta', delta: { stop_reason: answer.tools?.length ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output } });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }
}

function pieces(text: string | string[] | undefined): string[] {
  if (text === undefined) return [];
  return Array.isArray(text) ? text : [text];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
