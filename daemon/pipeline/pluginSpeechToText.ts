import { noSpeechToText, type AudioInput, type SpeechToText, type Transcript, type UtteranceContext } from '../voice/handlerStage.js';
import type { AudioInput as PluginAudio, Transcript as PluginTranscript } from '../../plugins/sdk/stt.js';
import { asVoiceError } from './intentPipeline.js';

/** What this needs of the plugin host (it throws NO_STT when its plugin is no longer running). */
export interface SpeechToTextHost {
  transcribe(input: PluginAudio): Promise<PluginTranscript>;
}

/**
 * The voice server's speech-to-text stage, answered by the plugin with capability `stt`. Without one
 * (none was running when plugins started) audio answers NO_STT, which is what PROTOCOL §3 promises.
 */
export class PluginSpeechToText implements SpeechToText {
  /** Set by the plugins subsystem once the host has started: whether a speech-to-text plugin runs. */
  installed = false;

  constructor(private readonly host: SpeechToTextHost) {}

  async transcribe(input: AudioInput, ctx: UtteranceContext): Promise<Transcript> {
    if (!this.installed) return noSpeechToText.transcribe(input, ctx);
    try {
      const out = await this.host.transcribe({ audio: input.audio, rate: input.rate, format: input.format });
      ctx.log.debug({ chars: out.text.length }, 'transcribed');
      return out.lang ? { text: out.text, lang: out.lang } : { text: out.text };
    } catch (err) {
      throw asVoiceError(err);
    }
  }
}
