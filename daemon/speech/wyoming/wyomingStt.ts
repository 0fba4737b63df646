import { connect, type Socket } from 'node:net';
import { HubError } from '../../core/errors.js';
import type { SttResult, SttStream } from '../provider.js';
import { encodeEvent, WyomingDecoder, type WyomingEvent } from './framing.js';

/**
 * Speech to text from any Wyoming ASR service (`speech.stt.url`, `tcp://host:port`; e.g.
 * wyoming-faster-whisper, wyoming-speech-to-phrase), written from the protocol's documentation: one TCP
 * connection per utterance, `transcribe`, `audio-start`, `audio-chunk`s as the audio arrives, `audio-stop`,
 * then the service's `transcript`. A peer that sends malformed events or oversize lengths, goes away
 * mid-stream or does not answer within `timeoutMs` fails the utterance with STT_FAILED; the socket is
 * always destroyed.
 */
export interface WyomingTarget {
  host: string;
  port: number;
}

/** `tcp://host:port` → target (config checks the shape; this checks the port's range). */
export function parseWyomingUrl(url: string): WyomingTarget {
  const m = /^tcp:\/\/([^/:\s]+):(\d{1,5})$/.exec(url);
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65535) throw new HubError('CONFIG_INVALID', `not a Wyoming address (tcp://host:port): ${url}`);
  return { host: m[1], port };
}

const AUDIO = { rate: 16000, width: 2, channels: 1 };
/** Longest transcript taken from a peer. */
const MAX_TEXT = 2000;

export class WyomingStt {
  readonly name = 'wyoming';

  constructor(private readonly target: WyomingTarget, private readonly timeoutMs: number) {}

  open(lang?: string): SttStream {
    const socket = connect(this.target.port, this.target.host);
    const decoder = new WyomingDecoder();
    let settle: ((r: SttResult) => void) | null = null;
    let fail: ((e: Error) => void) | null = null;
    let outcome: { ok: SttResult } | { err: Error } | null = null;
    const finishWith = (o: { ok: SttResult } | { err: Error }): void => {
      if (outcome) return;
      outcome = o;
      socket.destroy();
      if ('ok' in o) settle?.(o.ok);
      else fail?.(o.err);
    };
    socket.on('data', (chunk: Buffer) => {
      let events: WyomingEvent[];
      try {
        events = decoder.push(chunk);
      } catch (err) {
        finishWith({ err: new HubError('STT_FAILED', (err as Error).message) });
        return;
      }
      for (const e of events) {
        if (e.type !== 'transcript') continue;
        const text = e.data.text;
        if (typeof text !== 'string' || text.length > MAX_TEXT) finishWith({ err: new HubError('STT_FAILED', 'the Wyoming service sent a transcript without usable text') });
        else finishWith({ ok: { text: text.trim(), ...(typeof e.data.language === 'string' ? { lang: e.data.language } : {}) } });
      }
    });
    socket.on('error', (err) => finishWith({ err: new HubError('STT_FAILED', `the Wyoming service at ${this.target.host}:${this.target.port}: ${err.message}`) }));
    socket.on('close', () => finishWith({ err: new HubError('STT_FAILED', 'the Wyoming service closed the connection before its transcript') }));
    socket.write(encodeEvent('transcribe', lang ? { language: lang } : {}));
    socket.write(encodeEvent('audio-start', AUDIO));
    return {
      write: (pcm) => {
        if (!outcome && pcm.length) socket.write(encodeEvent('audio-chunk', AUDIO, pcm));
      },
      abort: () => finishWith({ err: new HubError('STT_FAILED', 'cancelled') }),
      finish: (signal) => new Promise<SttResult>((resolve, reject) => {
        settle = resolve;
        fail = reject;
        if (outcome) {
          if ('ok' in outcome) resolve(outcome.ok);
          else reject(outcome.err);
          return;
        }
        const timer = setTimeout(() => finishWith({ err: new HubError('STT_FAILED', `the Wyoming service did not answer within ${this.timeoutMs} ms`) }), this.timeoutMs);
        signal?.addEventListener('abort', () => finishWith({ err: new HubError('TIMEOUT', 'speech to text was cancelled') }), { once: true });
        socket.once('close', () => clearTimeout(timer));
        socket.write(encodeEvent('audio-stop', {}));
      }),
    };
  }
}

/** For tests and /health: whether anything answers at the address (one `describe`, its `info`). */
export function describeWyoming(target: WyomingTarget, timeoutMs: number): Promise<WyomingEvent> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(target.port, target.host);
    const decoder = new WyomingDecoder();
    const timer = setTimeout(() => { socket.destroy(); reject(new HubError('STT_FAILED', 'no info from the Wyoming service')); }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      try {
        const info = decoder.push(chunk).find((e) => e.type === 'info');
        if (info) { clearTimeout(timer); socket.destroy(); resolve(info); }
      } catch (err) {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      }
    });
    socket.on('error', (err) => { clearTimeout(timer); reject(new HubError('STT_FAILED', err.message)); });
    // A peer that hangs up without info is unreachable now, not after the timeout (a no-op once settled).
    socket.on('close', () => { clearTimeout(timer); reject(new HubError('STT_FAILED', 'the Wyoming service closed the connection without info')); });
    socket.write(encodeEvent('describe'));
  });
}
