import { join } from 'node:path';
import type { HubContext, Subsystem } from '../core/context.js';
import { HubError, isHubError } from '../core/errors.js';
import type { Device } from '../../devices/model.js';
import type { AudioInput, SpeechStream, SpeechToText, SpokenAudio, TextToSpeech, Transcript, UtteranceContext } from '../voice/handlerStage.js';
import { EspeakTts } from './espeakTts.js';
import type { GrammarHome } from './grammar/jsgfBuilder.js';
import { GrammarSpeechToText } from './grammarStt.js';
import { SpeechMetrics } from './metrics.js';
import { findProgram } from './childProcess.js';
import { parseWyomingUrl } from './wyoming/wyomingStt.js';
import { WyomingSpeechToText } from './wyoming/wyomingSpeechToText.js';
import { WyomingTts } from './wyoming/wyomingTts.js';
import { WyomingReachability } from './wyoming/reachability.js';
import type { ProviderHealth } from './provider.js';

/** How often /health's view of a Wyoming service is refreshed (one short `describe` each time). */
const PROBE = { intervalMs: 60_000, failingIntervalMs: 10_000, timeoutMs: 3_000 };

export interface SpeechPorts {
  devices: { list(): readonly Device[] };
  /** The plugins' speech to text (a plugin with capability `stt`), used when the hub's own is off or missing. */
  pluginStt: SpeechToText & { installed: boolean };
}

/**
 * Speech in and out for the voice core (config `speech.*`, PROTOCOL §8). `stt` and `tts` exist from
 * construction, so the hub hands them to the voice core when it builds it; the lifecycle starts this after
 * the devices and plugins and before the voice core. The grammar follows the device list: changes within
 * `speech.stt.grammarDebounceMs` are folded into one rebuild, so a device added by discovery is heard
 * without a restart.
 */
export class SpeechSubsystem implements Subsystem {
  readonly name = 'speech';
  readonly stt: SpeechToText;
  readonly tts: TextToSpeech;
  readonly grammar: GrammarSpeechToText | null;
  readonly espeak: EspeakTts | null;
  readonly wyomingTts: WyomingTts | null;
  /** Reachability of the Wyoming services configured for speech in and out (for /health). */
  private readonly probes: { stt: WyomingReachability | null; tts: WyomingReachability | null };
  private timer: NodeJS.Timeout | null = null;
  private sox: string | null = null;
  private rebuilding: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: HubContext, private readonly ports: SpeechPorts) {
    const { speech, dataDir } = ctx.config;
    const metrics = new SpeechMetrics(ctx.metrics);
    this.grammar = speech.stt.provider === 'grammar' ? new GrammarSpeechToText({
      log: ctx.log, metrics, dir: join(dataDir, 'speech'), home: () => this.home(), store: () => ctx.store ?? null, timeoutMs: speech.stt.timeoutMs,
      silenceMs: speech.vad.silenceMs, maxSpeechMs: speech.vad.maxSpeechMs, warm: speech.stt.warm,
    }) : null;
    this.espeak = speech.tts.provider === 'espeak-ng' ? new EspeakTts({ voice: speech.tts.voice, timeoutMs: speech.tts.timeoutMs, metrics }) : null;
    const wyoming = speech.stt.provider === 'wyoming' && speech.stt.url ? new WyomingSpeechToText(parseWyomingUrl(speech.stt.url), {
      timeoutMs: speech.stt.timeoutMs, silenceMs: speech.vad.silenceMs, maxSpeechMs: speech.vad.maxSpeechMs, metrics, sox: () => this.sox,
    }) : null;
    this.stt = wyoming ?? new SpeechRouter(this.grammar, ports.pluginStt, speech.stt.provider);
    const ttsTarget = speech.tts.provider === 'wyoming' && speech.tts.url ? parseWyomingUrl(speech.tts.url) : null;
    this.wyomingTts = ttsTarget ? new WyomingTts(ttsTarget, { timeoutMs: speech.tts.timeoutMs, voice: speech.tts.voice, metrics }) : null;
    this.probes = {
      stt: wyoming && speech.stt.url ? new WyomingReachability(parseWyomingUrl(speech.stt.url), PROBE) : null,
      tts: ttsTarget ? new WyomingReachability(ttsTarget, PROBE) : null,
    };
    const engine: TextToSpeech | null = this.espeak ?? this.wyomingTts;
    this.tts = {
      synthesize: (text: string, lang: string | undefined, signal?: AbortSignal): Promise<SpokenAudio> => {
        if (!engine) return Promise.reject(new HubError('TTS_FAILED', speech.tts.provider === 'wyoming'
          ? 'speech.tts.provider is wyoming but speech.tts.url is not set (tcp://host:port)'
          : `speech.tts.provider ${speech.tts.provider} gives no speech`));
        return engine.synthesize(text, lang, signal).then((audio) => {
          metrics.ttsOutcome(speech.tts.provider, 'ok');
          return audio;
        }, (err: unknown) => {
          metrics.ttsOutcome(speech.tts.provider, isHubError(err) ? err.code : 'TTS_FAILED');
          throw err;
        });
      },
    };
  }

  async start(): Promise<void> {
    this.sox = await findProgram('sox');
    await this.grammar?.start();
    await this.espeak?.start();
    for (const event of ['device.added', 'device.removed', 'device.changed'] as const) this.ctx.bus.on(event, this, () => this.scheduleRebuild());
    this.probes.stt?.start();
    this.probes.tts?.start();
    this.ctx.health.register('speech', () => {
      const { stt: sttConfig, tts: ttsConfig } = this.ctx.config.speech;
      const stt = this.grammar?.check() ?? this.probes.stt?.check() ?? unset(sttConfig.provider, 'stt');
      const tts = this.espeak?.check() ?? this.probes.tts?.check() ?? unset(ttsConfig.provider, 'tts');
      // A Wyoming service the hub was told to use and cannot reach (or has no url for) degrades the hub (200,
      // "degraded"); a local engine that is missing does not: audio answers NO_STT saying what to install.
      const ok = (sttConfig.provider !== 'wyoming' || stt.ok) && (ttsConfig.provider !== 'wyoming' || tts.ok);
      return { ok, stt, tts };
    });
  }

  /** Probes the Wyoming services now (tests, and /health after a change): resolves once both have answered. */
  async probeWyoming(): Promise<void> {
    await Promise.all([this.probes.stt?.probe(), this.probes.tts?.probe()]);
  }

  async stop(): Promise<void> {
    this.ctx.bus.removeListeners(this);
    this.ctx.health.unregister('speech');
    this.probes.stt?.stop();
    this.probes.tts?.stop();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.rebuilding;
    await this.grammar?.stop();
  }

  /** After `listening`: the grammar is built now, off the start-up path (GrammarSpeechToText.ready). */
  warm(): void {
    this.grammar?.warm();
  }

  /** Resolves once the grammar reflects every device change so far (tests wait on it). */
  async settled(): Promise<void> {
    while (this.timer) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.rebuilding;
  }

  private scheduleRebuild(): void {
    if (!this.grammar) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.rebuilding = this.rebuilding.then(() => this.grammar!.rebuild()).catch((err: unknown) => {
        this.ctx.log.warn({ err }, 'the speech grammar could not be rebuilt; the previous one stays');
      });
    }, this.ctx.config.speech.stt.grammarDebounceMs);
  }

  private home(): GrammarHome {
    return {
      devices: this.ports.devices.list(),
      areas: Object.entries(this.ctx.config.areas ?? {}).map(([name, a]) => ({ name, aliases: a.aliases ?? [] })),
    };
  }
}

/** The health of a provider that is off, or `wyoming` without its url. */
function unset(provider: string, kind: 'stt' | 'tts'): ProviderHealth {
  if (provider === 'wyoming') return { ok: false, detail: `speech.${kind}.provider is wyoming but speech.${kind}.url is not set (tcp://host:port)` };
  return { ok: true, detail: `speech.${kind}.provider ${provider}` };
}

/**
 * The voice core's one speech-to-text: the hub's own recogniser when it is there, else a plugin's, else
 * NO_STT saying what to install or configure.
 */
class SpeechRouter implements SpeechToText {
  constructor(
    private readonly grammar: GrammarSpeechToText | null,
    private readonly plugin: SpeechToText & { installed: boolean },
    private readonly provider: string,
  ) {}

  openStream(rate: number, format: string, onSpeechEnd: () => void): SpeechStream | null {
    // Before the first grammar is built the stream still ends on the VAD; it is recognised at its end.
    return this.grammar?.openStream(rate, format, onSpeechEnd) ?? null;
  }

  async transcribe(input: AudioInput, ctx: UtteranceContext): Promise<Transcript> {
    await this.grammar?.ready;
    if (this.grammar?.available) return this.grammar.transcribe(input, ctx);
    if (this.plugin.installed) return this.plugin.transcribe(input, ctx);
    const why = this.grammar?.check().detail
      ?? (this.provider === 'wyoming' ? 'speech.stt.provider is wyoming but speech.stt.url is not set (tcp://host:port)'
        : 'speech.stt.provider is none and no speech-to-text plugin is installed');
    throw new HubError('NO_STT', why);
  }
}
