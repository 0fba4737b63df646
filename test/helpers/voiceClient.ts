import WebSocket from 'ws';

export interface Frame { type: string; id?: string | null; code?: string; text?: string; state?: string; [key: string]: unknown }

/** A real `ws` voice client that keeps every frame it receives and can wait for one. */
export class VoiceClient {
  readonly frames: Frame[] = [];
  /** Binary frames from the hub (spoken replies), in order, with the text frame count before each. */
  readonly audio: Array<{ data: Buffer; after: number }> = [];
  private waiters: Array<{ test: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  closed: Promise<{ code: number; reason: string }>;
  /** The headers of the hub's 101 answer. */
  upgradeHeaders: Record<string, string | string[] | undefined> = {};

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.audio.push({ data: data as Buffer, after: this.frames.length });
        return;
      }
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => (w.test(frame) ? (w.resolve(frame), false) : true));
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static connect(url: string, token?: string): Promise<VoiceClient> {
    return VoiceClient.connectWith(url, token ? { authorization: `Bearer ${token}` } : {});
  }

  /** Connects with these upgrade headers; a refusal rejects with its `status` and JSON `body`. */
  static connectWith(url: string, headers: Record<string, string>): Promise<VoiceClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new VoiceClient(ws);
      ws.once('upgrade', (res) => { client.upgradeHeaders = res.headers; });
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => { text += chunk.toString(); });
        res.on('end', () => {
          let body: unknown;
          try { body = JSON.parse(text); } catch { body = text; }
          reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body }));
        });
      });
      ws.once('error', reject);
    });
  }

  send(frame: Record<string, unknown> | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame (already received or still to come) that passes the test. */
  waitFor(test: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`)), timeoutMs);
      this.waiters.push({ test, resolve: (f) => { clearTimeout(timer); resolve(f); } });
    });
  }

  /** Sends an utterance and resolves with its reply or error frame. */
  async say(id: string, text: string, lang?: string): Promise<Frame> {
    this.send({ type: 'utterance', id, text, ...(lang && { lang }) });
    return this.waitFor((f) => (f.type === 'reply' || f.type === 'error') && f.id === id);
  }

  close(): void {
    this.ws.close();
  }
}
