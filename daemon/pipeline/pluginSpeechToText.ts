import type { AudioInput, SpeechToText, Transcript, UtteranceContext } from '../voice/handlerStage.js';
import type { AudioInput as PluginAudio, Transcript as PluginTranscript } from '../../plugins/sdk/stt.js';
import { asVoiceError } from './intentPipeline.js';

/** What this needs of the plugin host. */
export interface SpeechToTextHost {
  transcribe(input: PluginAudio): Promise<PluginTranscript>;
}

/**
 * The voice server's speech-to-text stage, answered by the plugin with capability `stt`. Without one the
 * host throws NO_STT, which is what PROTOCOL §3 promises for audio.
 */
export class PluginSpeechToText implements SpeechToText {
  constructor(private readonly host: SpeechToTextHost) {}

  async transcribe(input: AudioInput, ctx: UtteranceContext): Promise<Transcript> {
    try {
      const out = await this.host.transcribe({ audio: input.audio, rate: input.rate, format: input.format });
      ctx.log.debug({ chars: out.text.length }, 'transcribed');
      return out.lang ? { text: out.text, lang: out.lang } : { text: out.text };
    } catch (err) {
      throw asVoiceError(err);
    }
  }
}
