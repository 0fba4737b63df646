/**
 * AudioWorklet processor: the microphone's first channel, at the context's rate (often 48 kHz), resampled to
 * 16 kHz and written as signed 16-bit little-endian PCM (PROTOCOL §3 `audio.start` rate 16000, s16le), posted
 * to the page in 100 ms chunks (3200 bytes). Resampling is linear interpolation after a one-pole low-pass
 * near 7 kHz, which keeps most aliasing out of the speech band. A 'flush' message posts what is left.
 */
const OUT_RATE = 16000;
const CHUNK_SAMPLES = 1600;

class Capture16k extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / OUT_RATE;
    this.pos = 0;
    this.prev = 0;
    this.lp = 0;
    this.alpha = Math.min(1, 1 - Math.exp((-2 * Math.PI * 7000) / sampleRate));
    this.view = new DataView(new ArrayBuffer(CHUNK_SAMPLES * 2));
    this.n = 0;
    this.port.onmessage = (event) => {
      if (event.data === 'flush') this.flush(true);
    };
  }

  flush(last) {
    if (this.n > 0) {
      const out = this.view.buffer.slice(0, this.n * 2);
      this.port.postMessage(out, [out]);
    }
    this.n = 0;
    if (last) this.port.postMessage('flushed');
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel || channel.length === 0) return true;
    const len = channel.length;
    const filtered = new Float32Array(len);
    let lp = this.lp;
    for (let i = 0; i < len; i++) {
      lp += this.alpha * (channel[i] - lp);
      filtered[i] = lp;
    }
    this.lp = lp;
    // pos is where the next output sample falls, counted from this block's first input sample (−1 = the
    // previous block's last one).
    while (this.pos < len - 1) {
      const i = Math.floor(this.pos);
      const frac = this.pos - i;
      const a = i < 0 ? this.prev : filtered[i];
      const b = filtered[i + 1];
      const v = Math.max(-1, Math.min(1, a + (b - a) * frac));
      this.view.setInt16(this.n * 2, v < 0 ? v * 0x8000 : v * 0x7fff, true);
      if (++this.n === CHUNK_SAMPLES) this.flush(false);
      this.pos += this.step;
    }
    this.pos -= len;
    this.prev = filtered[len - 1];
    return true;
  }
}

registerProcessor('capture-16k', Capture16k);
