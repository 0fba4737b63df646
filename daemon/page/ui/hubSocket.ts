/**
 * The page's one WebSocket: `/voice?feed=devices` (PROTOCOL §3 plus the device feed), with the token in the
 * query (a browser cannot set headers on a WebSocket). It reconnects by itself with capped, jittered backoff
 * when the hub restarts, and tells the page when its token was withdrawn: close code 1008 (keys rotated,
 * token expired), or a reconnect refused while the hub answers (401 at `/api/devices`).
 */
export type SocketStatus = 'connecting' | 'live' | 'reconnecting';

export interface SocketHandlers {
  frame(frame: Record<string, unknown>): void;
  audio(data: ArrayBuffer): void;
  status(status: SocketStatus, wasDown: boolean): void;
  withdrawn(): void;
}

const CLOSE_TOKEN_WITHDRAWN = 1008;
const HANDSHAKE_MS = 5000;

export class HubSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: number | null = null;
  private closed = false;
  private wasDown = false;

  constructor(private readonly token: string, private readonly handlers: SocketHandlers) {}

  open(): void {
    this.closed = false;
    this.connect();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.ws?.close(1000);
    this.ws = null;
  }

  /** Sends a JSON frame or binary audio; false when the socket is not open (the caller says so). */
  send(frame: Record<string, unknown> | ArrayBuffer): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(frame instanceof ArrayBuffer ? frame : JSON.stringify(frame));
    return true;
  }

  private connect(): void {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}/voice?feed=devices&token=${encodeURIComponent(this.token)}`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.handlers.status(this.attempt === 0 && !this.wasDown ? 'connecting' : 'reconnecting', this.wasDown);
    // A handshake that hangs (an upgrade that reached a hub still starting, a half-open NAT) is given up
    // and tried again, as a dropped one is.
    const handshake = window.setTimeout(() => { if (ws.readyState === WebSocket.CONNECTING) ws.close(); }, HANDSHAKE_MS);
    ws.onopen = () => {
      clearTimeout(handshake);
      this.attempt = 0;
      this.handlers.status('live', this.wasDown);
      this.wasDown = false;
    };
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') {
        this.handlers.audio(event.data as ArrayBuffer);
        return;
      }
      let frame: unknown;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame === 'object') this.handlers.frame(frame as Record<string, unknown>);
    };
    ws.onclose = (event) => {
      clearTimeout(handshake);
      if (this.ws !== ws || this.closed) return;
      this.ws = null;
      if (event.code === CLOSE_TOKEN_WITHDRAWN) {
        this.handlers.withdrawn();
        return;
      }
      this.wasDown = true;
      this.handlers.status('reconnecting', true);
      void this.retry();
    };
  }

  private async retry(): Promise<void> {
    this.attempt++;
    // A refused upgrade looks like any dropped socket to a page: ask the API whether the token is still good.
    {
      try {
        const res = await fetch('/api/devices', { method: 'HEAD', headers: { authorization: `Bearer ${this.token}` } });
        if (res.status === 401) {
          this.handlers.withdrawn();
          return;
        }
      } catch {
        // the hub is down: keep trying
      }
    }
    if (this.closed) return;
    const base = Math.min(5000, 250 * 2 ** Math.min(this.attempt, 5));
    this.timer = window.setTimeout(() => this.connect(), base / 2 + Math.random() * base / 2);
  }
}
