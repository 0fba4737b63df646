/**
 * Hold-to-talk capture: the microphone through the AudioWorklet in micWorklet.js, which hands back 16 kHz
 * s16le chunks. `stop()` resolves once the last chunk has been handed over.
 */
export interface Capture {
  stop(): Promise<void>;
}

export async function startCapture(onChunk: (pcm: ArrayBuffer) => void): Promise<Capture> {
  // The browser's own voice processing (noise suppression, automatic gain) is made for a listener on a call:
  // it reshapes the spectrum and clips the peaks the hub's recogniser and its voice-activity detection read.
  // Push-to-talk plays no reply while the button is held, so there is no echo to cancel either.
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  const context = new AudioContext();
  try {
    await context.audioWorklet.addModule('/assets/micWorklet.js');
  } catch (err) {
    for (const track of stream.getTracks()) track.stop();
    await context.close();
    throw err;
  }
  const source = context.createMediaStreamSource(stream);
  const node = new AudioWorkletNode(context, 'capture-16k', { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1 });
  let flushed: (() => void) | null = null;
  node.port.onmessage = (event: MessageEvent) => {
    if (event.data === 'flushed') flushed?.();
    else if (event.data instanceof ArrayBuffer) onChunk(event.data);
  };
  source.connect(node);
  return {
    stop: async () => {
      await new Promise<void>((resolve) => {
        flushed = resolve;
        node.port.postMessage('flush');
        setTimeout(resolve, 500); // a worklet that no longer runs must not hold the page
      });
      source.disconnect();
      node.port.onmessage = null;
      for (const track of stream.getTracks()) track.stop();
      await context.close();
    },
  };
}

/** Plays a reply the hub sent as `audio.start` (rate, s16le) + binary chunks + `audio.end`. */
export async function playPcm(chunks: ArrayBuffer[], rate: number): Promise<void> {
  const total = chunks.reduce((n, c) => n + (c.byteLength >> 1), 0);
  if (total === 0) return;
  const context = new AudioContext();
  const buffer = context.createBuffer(1, total, rate);
  const out = buffer.getChannelData(0);
  let at = 0;
  for (const chunk of chunks) {
    const view = new DataView(chunk);
    for (let i = 0; i + 1 < chunk.byteLength; i += 2) out[at++] = view.getInt16(i, true) / 0x8000;
  }
  const source = context.createBufferSource();
  source.buffer = buffer;
  source.connect(context.destination);
  source.onended = () => void context.close();
  source.start();
}
