import { errorFrame, PONG_FRAME, speakFrame, STATE_FRAMES, type FrameParser } from './frames.js';
import type { VoiceCodec } from './voiceCodec.js';
import type { VoiceSession } from './voiceSession.js';

/** PROTOCOL §3's hub → client JSON frames; the constant ones are serialized once (frames.ts). */
export const jsonCodec: VoiceCodec<string> = {
  state: (state) => STATE_FRAMES[state],
  pong: () => PONG_FRAME,
  reply: (id, reply, ms) => JSON.stringify({
    type: 'reply', id, text: reply.text, intent: reply.intent, handledBy: reply.handledBy, actions: reply.actions, ms,
  }),
  error: errorFrame,
  speak: speakFrame,
  delta: (id, text) => JSON.stringify({ type: 'reply.delta', id, text }),
  transcript: (id, text) => JSON.stringify({ type: 'transcript', id, text }),
  speechStart: (id, rate, format) => JSON.stringify({ type: 'audio.start', id, rate, format }),
  speechEnd: (id) => JSON.stringify({ type: 'audio.end', id }),
};

/**
 * The `/voice` JSON front door of one session: text frames are parsed (size, JSON, schema, text length) into
 * typed requests, binary frames are audio. A frame that does not parse is answered BAD_REQUEST here; the
 * session never sees it. The WebSocket server and the socketless benchmark both drive sessions through this.
 */
export class JsonSessionDoor {
  constructor(readonly session: VoiceSession<string>, private readonly parser: FrameParser) {}

  handleText(data: Buffer): void {
    const parsed = this.parser.parse(data);
    if (parsed.ok) this.session.request(parsed.frame);
    else this.session.reject(parsed.id, 'BAD_REQUEST', parsed.message);
  }

  handleBinary(data: Buffer): void {
    this.session.audioChunk(data);
  }
}
