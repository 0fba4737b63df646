import { HubError } from '../core/errors.js';
import { runChild } from './childProcess.js';

/**
 * Audio as clients send it → what recognisers take: 16 kHz signed 16-bit little-endian mono. `s16le` at
 * 16 kHz passes through (an odd trailing byte, half a sample, is dropped); `f32le` is converted here; other
 * rates, and `wav`, go through sox (a real resampler, Debian's `sox`) when it is installed, else BAD_REQUEST
 * naming what to install.
 */
export const STT_RATE = 16000;

export interface PcmOptions {
  /** The sox binary, or null when it is not installed. */
  sox: string | null;
  timeoutMs: number;
  maxBytes: number;
}

export async function toPcm16k(audio: Buffer, rate: number, format: string, options: PcmOptions): Promise<Buffer> {
  if (format === 's16le' && rate === STT_RATE) return evenBytes(audio);
  let input = audio;
  let inFormat = format;
  if (format === 'f32le') {
    input = f32ToS16(audio);
    inFormat = 's16le';
    if (rate === STT_RATE) return input;
  }
  if (!options.sox) {
    throw new HubError('BAD_REQUEST', `audio at ${rate} Hz ${format} needs resampling: install sox (apt install sox), or send 16000 Hz s16le`);
  }
  const typeArgs = inFormat === 'wav' ? ['-t', 'wav'] : inFormat === 's16le' ? ['-t', 'raw', '-r', String(rate), '-e', 'signed-integer', '-b', '16', '-c', '1', '-L'] : null;
  if (!typeArgs) throw new HubError('BAD_REQUEST', `audio format ${format} is not supported for speech to text; send s16le, f32le or wav`);
  const result = await runChild(options.sox, [
    '-q', ...typeArgs, '-', '-t', 'raw', '-r', String(STT_RATE), '-e', 'signed-integer', '-b', '16', '-c', '1', '-L', '-',
  ], { timeoutMs: options.timeoutMs, maxStdoutBytes: options.maxBytes, input: inFormat === 's16le' ? evenBytes(input) : input })
    .catch((err: Error) => { throw new HubError('BAD_REQUEST', `the audio could not be converted: ${err.message}`); });
  if (result.code !== 0) throw new HubError('BAD_REQUEST', `the audio could not be converted (sox: ${result.stderr.trim().slice(0, 200) || result.code})`);
  return evenBytes(result.stdout);
}

/** Drops a trailing half sample. */
export function evenBytes(pcm: Buffer): Buffer {
  return pcm.length % 2 === 0 ? pcm : pcm.subarray(0, pcm.length - 1);
}

/** 32-bit float samples in [-1, 1] → 16-bit; out-of-range and NaN samples are clamped (hostile input). */
export function f32ToS16(audio: Buffer): Buffer {
  const n = Math.floor(audio.length / 4);
  const out = Buffer.allocUnsafe(n * 2);
  for (let i = 0; i < n; i++) {
    const v = audio.readFloatLE(i * 4);
    const s = Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
    out.writeInt16LE(Math.round(s * 32767), i * 2);
  }
  return out;
}

/**
 * Splits a stream of bytes into whole 16-bit samples: a chunk that ends in the middle of a sample keeps its
 * odd byte for the next one, so a client may cut its frames anywhere.
 */
export class SampleAligner {
  private carry: number | null = null;

  push(chunk: Buffer): Buffer {
    let data = chunk;
    if (this.carry !== null) {
      data = Buffer.concat([Buffer.of(this.carry), chunk]);
      this.carry = null;
    }
    if (data.length % 2 === 1) {
      this.carry = data[data.length - 1];
      data = data.subarray(0, data.length - 1);
    }
    return data;
  }
}
