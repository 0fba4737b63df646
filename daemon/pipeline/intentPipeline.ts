import { HubError, isHubError, toVoiceErrorCode, VOICE_ERROR_CODES } from '../errors.js';
import type { Logger } from '../log.js';
import type { HandlerStage, Utterance, UtteranceContext, VoiceReply } from '../voice/handlerStage.js';
import type { IntentReply, IntentRequest } from '../../plugins/sdk/intents.js';
import type { CallInfo, Handled } from '../../plugins/host/pluginHost.js';
import { FallbackChain, type FallbackStep } from './fallbackChain.js';

/** What the pipeline needs of the local intent engine (engineAdapter.ts over daemon/intents). */
export interface IntentMatcher {
  /** The request a plugin will get, or null when no sentence matched. `area`: the asking client's area. */
  match(text: string, options: { lang: string; area?: string }): IntentRequest | null;
}

/** What the pipeline needs of the plugin host. */
export interface PluginDispatch {
  intentOwner(intent: string): string | null;
  handleIntent(request: IntentRequest, call: CallInfo): Promise<Handled>;
  fallbacks(): ReadonlyArray<{ pluginId: string; run(utterance: { text: string; lang: string; area?: string }, call: CallInfo): Promise<IntentReply | null> }>;
}

/**
 * The voice handler stage: local intent match → the plugin that owns the intent → reply; no match (or an
 * intent no plugin declares) → the fallback chain → NO_MATCH. Errors leave as voice codes
 * (toVoiceErrorCode: PLUGIN_PAUSED → PLUGIN_FAILED, VALUE_OUT_OF_RANGE → BAD_REQUEST…) with the plugin's
 * message kept, so "250 percent" reaches the user as a clear sentence. The trace id goes with every call
 * into a plugin and onto its log lines.
 */
export class IntentPipeline implements HandlerStage {
  readonly fallback: FallbackChain;

  /**
   * `debugLog`: the hub's logger, asked whether debug lines are written before one is built: the
   * utterance's own logger (`ctx.log`, with its trace id) is made only when something is logged.
   */
  constructor(private readonly engine: IntentMatcher, private readonly plugins: PluginDispatch, private readonly debugLog?: Pick<Logger, 'isLevelEnabled'>) {
    this.fallback = new FallbackChain(() => this.pluginFallbacks());
  }

  async handle(utterance: Utterance, ctx: UtteranceContext): Promise<VoiceReply> {
    try {
      const text = utterance.text.trim();
      const lang = utterance.lang ?? detectLang(text);
      const call: CallInfo = { traceId: ctx.traceId, session: { sessionId: ctx.sessionId, clientId: ctx.subject } };
      const request = this.engine.match(text, ctx.area ? { lang, area: ctx.area } : { lang });
      const debug = this.debugLog?.isLevelEnabled('debug') ?? true;
      if (request && this.plugins.intentOwner(request.intent) !== null) {
        const { reply, pluginId } = await this.plugins.handleIntent(request, call);
        if (debug) ctx.log.debug({ intent: request.intent, plugin: pluginId }, 'intent handled');
        return toVoiceReply(reply, request.intent, pluginId);
      }
      if (request && debug) ctx.log.debug({ intent: request.intent }, 'matched an intent no plugin declares; trying the fallbacks');
      const answer = await this.fallback.run({ text, lang, ...(ctx.area ? { area: ctx.area } : {}) }, { traceId: ctx.traceId, sessionId: ctx.sessionId, subject: ctx.subject, signal: ctx.signal, log: ctx.log });
      if (answer) return toVoiceReply(answer.reply, undefined, answer.handledBy);
      throw new HubError('NO_MATCH', lang.startsWith('zh') ? '抱歉，我没听懂。' : "Sorry, I didn't understand that.");
    } catch (err) {
      throw asVoiceError(err);
    }
  }

  private pluginFallbacks(): FallbackStep[] {
    return this.plugins.fallbacks().map((f) => ({
      name: f.pluginId,
      run: (utterance, call) => f.run(utterance, { traceId: call.traceId, session: { sessionId: call.sessionId, clientId: call.subject } }),
    }));
  }
}

function toVoiceReply(reply: IntentReply, intent: string | undefined, handledBy: string): VoiceReply {
  return {
    text: reply.text,
    ...(intent ? { intent } : {}),
    handledBy,
    ...(reply.actions ? { actions: reply.actions.map((a) => ({ device: a.device, command: a.command })) } : {}),
  };
}

/** Han characters mean Chinese; anything else is taken as English (the two languages the engine knows). */
export function detectLang(text: string): string {
  return /\p{Script=Han}/u.test(text) ? 'zh' : 'en';
}

/** Keeps voice codes as they are and maps the rest (message and retryability kept). */
export function asVoiceError(err: unknown): unknown {
  if (!isHubError(err) || (VOICE_ERROR_CODES as readonly string[]).includes(err.code)) return err;
  return new HubError(toVoiceErrorCode(err), err.message, { cause: err, retryable: err.retryable, details: err.details });
}
