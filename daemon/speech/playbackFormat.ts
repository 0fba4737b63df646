import { runChild } from './childProcess.js';

/**
 * Spoken audio (16-bit mono at the synthesiser's rate) → the format a player asked for, e.g. a Wyoming
 * satellite's `snd_format` in `run-pipeline`: wyoming-satellite pipes what it gets to `aplay -r 22050 -c 1`
 * as it is, so a Piper voice at 16 kHz would play too fast unless the hub converts it, as Home Assistant
 * does. Resampled with sox (a real resampler) when it is installed, else by linear interpolation (worse
 * highs, right speed); channels beyond one are copies of it.
 */
export interface PlaybackFormat {
  rate: number;
  channels: number;
}

export async function toPlayback(pcm: Buffer, fromRate: number, to: PlaybackFormat, options: { sox: string | null; timeoutMs: number }): Promise<Buffer> {
  let mono = pcm.subarray(0, pcm.length - (pcm.length % 2));
  if (to.rate !== fromRate) mono = (options.sox ? await soxResample(mono, fromRate, to.rate, options.sox, options.timeoutMs).catch(() => null) : null) ?? linearResample(mono, fromRate, to.rate);
  return to.channels === 1 ? mono : spread(mono, to.channels);
}

async function soxResample(pcm: Buffer, from: number, to: number, sox: string, timeoutMs: number): Promise<Buffer | null> {
  const raw = (rate: number): string[] => ['-t', 'raw', '-r', String(rate), '-e', 'signed-integer', '-b', '16', '-c', '1', '-L'];
  const result = await runChild(sox, ['-q', ...raw(from), '-', ...raw(to), '-'], {
    timeoutMs, maxStdoutBytes: Math.ceil((pcm.length * to) / from) + 4096, input: pcm,
  });
  if (result.code !== 0) return null;
  return result.stdout.subarray(0, result.stdout.length - (result.stdout.length % 2));
}

/** Linear interpolation between neighbouring samples: the fallback without sox. */
export function linearResample(pcm: Buffer, from: number, to: number): Buffer {
  const n = pcm.length / 2;
  const m = Math.floor((n * to) / from);
  const out = Buffer.alloc(m * 2);
  for (let i = 0; i < m; i++) {
    const x = (i * from) / to;
    const j = Math.floor(x);
    const a = pcm.readInt16LE(Math.min(j, n - 1) * 2);
    const b = pcm.readInt16LE(Math.min(j + 1, n - 1) * 2);
    out.writeInt16LE(Math.round(a + (b - a) * (x - j)), i * 2);
  }
  return out;
}

function spread(mono: Buffer, channels: number): Buffer {
  const out = Buffer.alloc(mono.length * channels);
  for (let i = 0, o = 0; i < mono.length; i += 2) for (let c = 0; c < channels; c++, o += 2) mono.copy(out, o, i, i + 2);
  return out;
}
