import { createServer, type Server, type Socket } from 'node:net';
import { encodeEvent, WyomingDecoder } from '../../daemon/speech/wyoming/framing.js';

/**
 * A Wyoming ASR service for tests, on 127.0.0.1 port 0, written from the protocol's documentation:
 * `describe` → `info`; `transcribe`, `audio-start`, `audio-chunk`…, `audio-stop` → `transcript`. Its
 * `mode` makes it a hostile peer: malformed headers, an oversize payload_length, hanging up mid-stream, or
 * never answering.
 */
export type StandInMode = 'ok' | 'garbage' | 'oversize' | 'hangup' | 'silent';

export class WyomingAsrStandIn {
  mode: StandInMode = 'ok';
  /** What the `ok` mode answers; `{bytes}` is replaced by the audio bytes received. */
  text = 'turn on the kitchen light';
  readonly sockets = new Set<Socket>();
  private server: Server | null = null;

  async start(): Promise<number> {
    this.server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const decoder = new WyomingDecoder();
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => {
      for (const e of decoder.push(chunk)) {
        if (e.type === 'describe') socket.write(encodeEvent('info', { asr: [{ name: 'stand-in', installed: true, models: [{ name: 'test', languages: ['en'] }] }] }));
        if (e.type === 'audio-chunk') {
          bytes += e.payload?.length ?? 0;
          if (this.mode === 'hangup' && bytes > 0) socket.destroy();
        }
        if (e.type !== 'audio-stop') continue;
        if (this.mode === 'ok') socket.write(encodeEvent('transcript', { text: this.text.replace('{bytes}', String(bytes)) }));
        if (this.mode === 'garbage') socket.write('{"type": oops}\n');
        if (this.mode === 'oversize') socket.write('{"type":"transcript","payload_length":999999999999}\n');
      }
    });
  }
}
