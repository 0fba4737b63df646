import type { HubContext, Subsystem } from '../core/context.js';
import { IntentEngine, intentLists } from '../intents/index.js';
import type { CatalogOptions } from '../plugins/catalog.js';
import type { CloudRequester } from '../cloud/requestPool.js';
import { PluginHost } from '../plugins/pluginHost.js';
import type { AssistantHost } from '../../plugins/sdk/assistant.js';
import type { DeviceAccess, SystemSampleProvider } from '../plugins/ports.js';
import { EngineAdapter } from './engineAdapter.js';
import { IntentPipeline } from './intentPipeline.js';
import { PluginSpeechToText } from './pluginSpeechToText.js';

export interface PipelinePorts {
  /** The device layer (daemon/devices/deviceService.ts fits). */
  devices: DeviceAccess;
  /** The health sampler (daemon/health/systemSampler.ts fits). */
  system: SystemSampleProvider;
  /** The HTTP client behind `api.cloud` (the hub's one cloud request pool). */
  cloud?: CloudRequester;
  /** What the built-in assistant gets as `api.assistant` (daemon/plugins/assistantHost.ts). */
  assistant?: AssistantHost;
}

/**
 * The plugins subsystem as the hub wires it: the local intent engine (kept in step with the device list),
 * the plugin host, and the voice handler stage that joins them (intent → owning plugin → reply, else the
 * fallback chain, else NO_MATCH). `stage` and `speechToText` exist from construction, so the hub hands them
 * to the voice server when it builds it; the lifecycle starts this subsystem before the voice server opens.
 * `fallback` is where the cloud assistant adds its step.
 */
export class PipelineSubsystem implements Subsystem {
  readonly name = 'plugins';
  readonly engine = new IntentEngine();
  readonly adapter: EngineAdapter;
  readonly host: PluginHost;
  readonly stage: IntentPipeline;
  readonly speechToText: PluginSpeechToText;

  constructor(private readonly ctx: HubContext, ports: PipelinePorts, options: CatalogOptions = {}) {
    const { devices } = ports;
    this.adapter = new EngineAdapter(
      this.engine, (id) => devices.get(id)?.state, () => intentLists(devices.list(), ctx.config.areas, ctx.config.floors), () => ctx.clock.now(),
    );
    this.host = new PluginHost(ctx, {
      devices, intents: this.adapter, system: ports.system, ...(ports.cloud ? { cloud: ports.cloud } : {}), ...(ports.assistant ? { assistant: ports.assistant } : {}),
    }, options);
    this.engine.onLateRefusal = (owner, err) => this.host.lateRefusal(owner, err);
    this.stage = new IntentPipeline(this.adapter, this.host, ctx.log);
    this.speechToText = new PluginSpeechToText(this.host);
  }

  /**
   * Builds the engine's lists and runs one sentence per language through the matcher, so the first
   * person to speak does not pay for the index, the lists and the JIT (tens of ms on a Pi).
   */
  warm(): void {
    this.adapter.match('turn on the light', { lang: 'en' });
    this.adapter.match('打开灯', { lang: 'zh' });
  }

  get fallback(): IntentPipeline['fallback'] {
    return this.stage.fallback;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.adapter.invalidate();
    const changed = (): void => this.adapter.invalidate();
    for (const event of ['device.added', 'device.removed', 'device.changed'] as const) this.ctx.bus.on(event, this, changed);
    await this.host.start(signal);
    // Whether audio can be heard is settled once, when plugins have started (as PROTOCOL §3's NO_STT says).
    this.speechToText.installed = this.host.hasSpeechToText();
  }

  async stop(): Promise<void> {
    this.ctx.bus.removeListeners(this);
    await this.host.stop();
  }
}
