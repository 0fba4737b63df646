import { spawn } from 'node:child_process';

/**
 * Speech made for tests and benchmarks by the real engines the hub uses: espeak-ng speaks, sox converts.
 * Nothing is recorded or shipped; every run makes its own.
 */
function run(command: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${command} exited ${code}: ${err}`))));
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

/** `text` spoken by espeak-ng as a WAV (22050 Hz, 16-bit mono). */
export function speakWav(text: string, options: { voice?: string; speed?: number } = {}): Promise<Buffer> {
  return run('espeak-ng', ['-v', options.voice ?? 'en-us', '-s', String(options.speed ?? 160), '--stdout'], Buffer.from(text));
}

/** A WAV converted to raw s16le mono at `rate` (16000: what recognisers take). */
export function wavToRaw(wav: Buffer, rate = 16000): Promise<Buffer> {
  return run('sox', ['-q', '-t', 'wav', '-', '-t', 'raw', '-r', String(rate), '-e', 'signed-integer', '-b', '16', '-c', '1', '-L', '-'], wav);
}

/** `text` as 16 kHz s16le, ready to stream to /voice. */
export async function speakRaw(text: string, options: { voice?: string; speed?: number; rate?: number } = {}): Promise<Buffer> {
  return wavToRaw(await speakWav(text, options), options.rate ?? 16000);
}

/** `ms` of silence at 16 kHz s16le. */
export function silence(ms: number, rate = 16000): Buffer {
  return Buffer.alloc(Math.round((ms / 1000) * rate) * 2);
}
