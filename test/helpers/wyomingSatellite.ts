import { createServer, type Server, type Socket } from 'node:net';
import { encodeEvent, WyomingDecoder, type WyomingEvent } from '../../daemon/speech/wyoming/framing.js';
import { until } from './until.js';

/**
 * A Wyoming satellite for tests, written from the protocol's documentation (rhasspy/wyoming "Voice
 * Satellite", "Audio Output"; the flow wyoming-satellite follows): it listens on 127.0.0.1 port 0 and the hub
 * dials it; `describe` → `info` {satellite}; after `run-satellite` a test makes it send `run-pipeline` and
 * stream audio as a satellite does after its wake word; what the hub sends back (`transcript`, `synthesize`,
 * `audio-start`/`audio-chunk`/`audio-stop`, `error`) is recorded, and it answers `played` after each
 * audio-stop, as a satellite does once its speaker is done. `raw()` lets a test be a hostile satellite.
 */
export interface Received {
  type: string;
  data: Record<string, unknown>;
  payloadBytes: number;
  /** Index of the connection it came on (1 for the first). */
  connection: number;
}

export class WyomingSatelliteStandIn {
  readonly events: Received[] = [];
  /** Reply audio received, one buffer per audio-start … audio-stop. */
  readonly played: Array<{ rate: number; channels: number; pcm: Buffer }> = [];
  connections = 0;
  /** Called with each event as it arrives (benchmarks time them; tests use waitFor). */
  readonly listeners = new Set<(e: Received) => void>();
  /** Answer `describe` (a satellite that does not is still run after the hub's wait). */
  answersDescribe = true;
  /** Send `played` after each audio-stop. */
  sendsPlayed = true;
  private server: Server | null = null;
  private socket: Socket | null = null;
  private audio: { rate: number; channels: number; chunks: Buffer[] } | null = null;

  constructor(private readonly area = 'kitchen') {}

  async start(port = 0): Promise<number> {
    this.server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  /** Closes the listening socket and the hub's connection. */
  async stop(): Promise<void> {
    this.socket?.destroy();
    this.socket = null;
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  get connected(): boolean {
    return this.socket !== null && !this.socket.destroyed;
  }

  /** Resolves once the hub has dialled (connection `n`) and sent run-satellite on it. */
  async running(n = this.connections || 1, timeoutMs = 15_000): Promise<void> {
    await this.waitFor((e) => e.type === 'run-satellite' && e.connection >= n, timeoutMs);
  }

  waitFor(test: (e: Received) => boolean, timeoutMs = 15_000, from = 0): Promise<Received> {
    return until(() => this.events.slice(from).find(test), 'a Wyoming event from the hub', timeoutMs);
  }

  send(type: string, data: Record<string, unknown> = {}, payload: Buffer | null = null): void {
    this.socket?.write(encodeEvent(type, data, payload));
  }

  /** Bytes as they are, for hostile satellites. */
  raw(bytes: string | Buffer): void {
    this.socket?.write(bytes);
  }

  /** Stops reading what the hub sends on this connection (a satellite that hangs with its socket open). */
  stopReading(): void {
    this.socket?.pause();
  }

  /** Drops the hub's connection (the satellite restarts or loses Wi-Fi). */
  hangUp(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  /** What a wake-word satellite does: run-pipeline, audio-start, chunks of `chunkBytes`, then audio-stop (unless `stop` is false). */
  say(pcm: Buffer, options: { end?: string; rate?: number; start?: boolean; stop?: boolean; chunkBytes?: number; snd?: { rate: number; channels: number } } = {}): void {
    const format = { rate: options.rate ?? 16000, width: 2, channels: 1 };
    this.send('run-pipeline', {
      start_stage: 'asr', end_stage: options.end ?? 'tts', wake_word_name: 'ok_nabu', restart_on_end: false,
      ...(options.snd ? { snd_format: { ...options.snd, width: 2 } } : {}),
    });
    if (options.start !== false) this.send('audio-start', format);
    const step = options.chunkBytes ?? 2048;
    for (let at = 0; at < pcm.length; at += step) this.send('audio-chunk', format, pcm.subarray(at, at + step));
    if (options.stop !== false) this.send('audio-stop');
  }

  private serve(socket: Socket): void {
    // One hub at a time, as wyoming-satellite serves one server: a newer connection replaces the older.
    this.socket?.destroy();
    this.socket = socket;
    const connection = ++this.connections;
    socket.on('error', () => {});
    socket.on('close', () => { if (this.socket === socket) this.socket = null; });
    const decoder = new WyomingDecoder();
    socket.on('data', (chunk: Buffer) => {
      let events: WyomingEvent[];
      try {
        events = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const e of events) this.onEvent(socket, e, connection);
    });
  }

  private onEvent(socket: Socket, e: WyomingEvent, connection: number): void {
    const received = { type: e.type, data: e.data, payloadBytes: e.payload?.length ?? 0, connection };
    this.events.push(received);
    for (const listener of this.listeners) listener(received);
    if (e.type === 'describe' && this.answersDescribe) {
      socket.write(encodeEvent('info', { satellite: { name: 'stand-in', area: this.area, has_vad: false, installed: true, attribution: { name: 'test', url: '' } } }));
    } else if (e.type === 'audio-start') {
      this.audio = { rate: Number(e.data.rate), channels: Number(e.data.channels), chunks: [] };
    } else if (e.type === 'audio-chunk') {
      this.audio?.chunks.push(e.payload ?? Buffer.alloc(0));
    } else if (e.type === 'audio-stop' && this.audio) {
      this.played.push({ rate: this.audio.rate, channels: this.audio.channels, pcm: Buffer.concat(this.audio.chunks) });
      this.audio = null;
      if (this.sendsPlayed) socket.write(encodeEvent('played'));
    }
  }
}
