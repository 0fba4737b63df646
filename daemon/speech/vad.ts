/**
 * An energy voice-activity detector with hysteresis, on 16-bit mono PCM in 10 ms frames. Speech starts
 * after `startFrames` loud frames in a row and ends after `silenceMs` of quiet ones; the threshold adapts
 * to the noise floor (the quietest recent frames), so a fan or a hum is not speech. Used to end an
 * utterance a client streams without `audio.end`, and to answer silence and steady noise with NO_MATCH
 * before any recogniser runs.
 */
export interface VadOptions {
  rate: number;
  /** Quiet after speech that ends it. */
  silenceMs: number;
  /** Frames above the threshold in a row that start speech (hysteresis against clicks). */
  startFrames?: number;
  /** Speech is this many times the noise floor's energy (in RMS). */
  ratio?: number;
  /** Below this RMS nothing is speech, whatever the floor (digital silence). */
  minRms?: number;
}

/** 100 ms. */
const CALIBRATION = 10;

export type VadEvent = 'speech-start' | 'speech-end' | null;

export class EnergyVad {
  private readonly frameBytes: number;
  private readonly endFrames: number;
  private readonly startFrames: number;
  private readonly ratio: number;
  private readonly minRms: number;
  private pending: Buffer = Buffer.alloc(0);
  private floor: number;
  private loud = 0;
  private quiet = 0;
  private inSpeech = false;
  private heard = false;
  private ended = false;
  private frames = 0;

  constructor(options: VadOptions) {
    this.frameBytes = Math.max(2, Math.round(options.rate / 100) * 2);
    this.endFrames = Math.max(1, Math.round(options.silenceMs / 10));
    this.startFrames = options.startFrames ?? 5;
    this.ratio = options.ratio ?? 3;
    this.minRms = options.minRms ?? 300;
    this.floor = this.minRms;
  }

  /** Whether any speech was found so far. */
  get speechFound(): boolean {
    return this.heard;
  }

  /** Feeds samples; returns the first event they cause (the end is reported once). */
  push(pcm: Buffer): VadEvent {
    let event: VadEvent = null;
    let data = this.pending.length ? Buffer.concat([this.pending, pcm]) : pcm;
    while (data.length >= this.frameBytes && !this.ended) {
      const e = this.frame(data.subarray(0, this.frameBytes));
      event ??= e;
      data = data.subarray(this.frameBytes);
    }
    this.pending = this.ended ? Buffer.alloc(0) : Buffer.from(data);
    return event;
  }

  private frame(frame: Buffer): VadEvent {
    let sum = 0;
    const n = frame.length >> 1;
    for (let i = 0; i < n; i++) {
      const s = frame.readInt16LE(i * 2);
      sum += s * s;
    }
    const rms = Math.sqrt(sum / n);
    // The first CALIBRATION frames only learn the floor (their quietest), so noise that is there from the
    // start (a fan, hiss) is not speech; then the floor follows quiet frames down at once and creeps up
    // slowly, so speech never raises it much.
    if (this.frames++ < CALIBRATION) {
      this.floor = this.frames === 1 ? rms : Math.min(this.floor, rms);
      return null;
    }
    this.floor = rms < this.floor ? rms : this.floor * 0.995 + rms * 0.005;
    const threshold = Math.max(this.minRms, this.floor * this.ratio);
    if (!this.inSpeech) {
      this.loud = rms > threshold ? this.loud + 1 : 0;
      if (this.loud >= this.startFrames) {
        this.inSpeech = true;
        this.heard = true;
        this.quiet = 0;
        return 'speech-start';
      }
      return null;
    }
    this.quiet = rms > threshold / 2 ? 0 : this.quiet + 1; // a lower bar to stay in speech: hysteresis
    if (this.quiet >= this.endFrames) {
      this.inSpeech = false;
      this.ended = true;
      return 'speech-end';
    }
    return null;
  }
}

/** Whether a whole recording holds speech at all (silence and steady noise do not). */
export function hasSpeech(pcm: Buffer, rate: number): boolean {
  const vad = new EnergyVad({ rate, silenceMs: 300 });
  vad.push(pcm);
  return vad.speechFound;
}
