import { createServer, type Server, type Socket } from 'node:net';
import { encodeEvent, WyomingDecoder } from '../../daemon/speech/wyoming/framing.js';

/**
 * What both stand-ins share: a TCP server on 127.0.0.1 (port 0 unless given) that keeps its sockets, so
 * `stop()` can cut the hub's connections too.
 */
abstract class StandInServer {
  readonly sockets = new Set<Socket>();
  private server: Server | null = null;

  async start(port = 0): Promise<number> {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {});
      this.serve(socket);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  protected abstract serve(socket: Socket): void;
}

/**
 * A Wyoming ASR service for tests, on 127.0.0.1 port 0, written from the protocol's documentation:
 * `describe` → `info`; `transcribe`, `audio-start`, `audio-chunk`…, `audio-stop` → `transcript`. Its
 * `mode` makes it a hostile peer: malformed headers, an oversize payload_length, hanging up mid-stream, or
 * never answering.
 */
export type StandInMode = 'ok' | 'garbage' | 'oversize' | 'hangup' | 'silent';

export class WyomingAsrStandIn extends StandInServer {
  mode: StandInMode = 'ok';
  /** What the `ok` mode answers; `{bytes}` is replaced by the audio bytes received. */
  text = 'turn on the kitchen light';

  protected serve(socket: Socket): void {
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

/**
 * A Wyoming TTS service for tests (Piper's shape), on 127.0.0.1 port 0: `synthesize` {text} → `audio-start`
 * {rate 22050, width 2, channels 1}, `audio-chunk`s of a tone 10 ms per character of the text, `audio-stop`.
 * `mode` makes it hostile: garbage headers, an oversize payload_length, hanging up mid-stream, never
 * answering, audio that never ends, a format the hub does not take (8-bit), or stereo (which the hub folds).
 */
export type TtsStandInMode = 'ok' | 'garbage' | 'oversize' | 'hangup' | 'silent' | 'endless' | 'badFormat' | 'stereo';

export const TTS_STAND_IN_RATE = 22050;

/** The stand-in's audio for a text: 10 ms of a 440 Hz tone per character, 16-bit mono. */
export function standInSpeech(text: string, rate = TTS_STAND_IN_RATE): Buffer {
  const n = Math.round((text.length * 10 * rate) / 1000);
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  return out;
}

export class WyomingTtsStandIn extends StandInServer {
  mode: TtsStandInMode = 'ok';
  readonly texts: string[] = [];
  readonly voices: unknown[] = [];

  protected serve(socket: Socket): void {
    const decoder = new WyomingDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const e of decoder.push(chunk)) {
        if (e.type === 'describe') socket.write(encodeEvent('info', { tts: [{ name: 'stand-in', installed: true, models: [{ name: 'test', languages: ['en'] }] }] }));
        if (e.type !== 'synthesize') continue;
        const text = String(e.data.text);
        this.texts.push(text);
        this.voices.push(e.data.voice);
        this.answer(socket, text);
      }
    });
  }

  private answer(socket: Socket, text: string): void {
    const format = { rate: TTS_STAND_IN_RATE, width: 2, channels: 1 };
    const pcm = standInSpeech(text);
    switch (this.mode) {
      case 'silent': return;
      case 'garbage': socket.write('{"type": nope\n'); return;
      case 'oversize': socket.write(encodeEvent('audio-start', format)); socket.write('{"type":"audio-chunk","payload_length":999999999999}\n'); return;
      case 'badFormat': socket.write(encodeEvent('audio-start', { rate: 22050, width: 1, channels: 1 })); return;
      case 'hangup': socket.write(encodeEvent('audio-start', format)); socket.write(encodeEvent('audio-chunk', format, pcm.subarray(0, 1000))); socket.destroy(); return;
      case 'endless': {
        socket.write(encodeEvent('audio-start', format));
        const block = encodeEvent('audio-chunk', format, Buffer.alloc(64 * 1024));
        const pump = (): void => { while (!socket.destroyed && socket.write(block)); };
        socket.on('drain', pump);
        pump();
        return;
      }
      case 'stereo': {
        const st = { ...format, channels: 2 };
        const both = Buffer.alloc(pcm.length * 2);
        for (let i = 0; i < pcm.length; i += 2) { pcm.copy(both, i * 2, i, i + 2); pcm.copy(both, i * 2 + 2, i, i + 2); }
        socket.write(encodeEvent('audio-start', st));
        socket.write(encodeEvent('audio-chunk', st, both.subarray(0, 1001))); // cut mid-frame on purpose
        socket.write(encodeEvent('audio-chunk', st, both.subarray(1001)));
        socket.write(encodeEvent('audio-stop', {}));
        return;
      }
      default:
        socket.write(encodeEvent('audio-start', format));
        for (let at = 0; at < pcm.length; at += 4096) socket.write(encodeEvent('audio-chunk', format, pcm.subarray(at, at + 4096)));
        socket.write(encodeEvent('audio-stop', {}));
    }
  }
}
