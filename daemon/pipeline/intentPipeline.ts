import { HubError, isHubError, toVoiceErrorCode, VOICE_ERROR_CODES } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { HandlerStage, Utterance, UtteranceContext, VoiceReply } from '../voice/handlerStage.js';
import type { HubQuestion, IntentReply, IntentRequest } from '../../plugins/sdk/intents.js';
import type { CallInfo, Handled } from '../plugins/pluginHost.js';
import { FallbackChain, type FallbackCall, type FallbackStep } from './fallbackChain.js';
import { inScript, scriptOf, type ChineseScript } from '../intents/chineseScript.js';
import { langOfTag } from '../intents/normalize.js';

/** What the pipeline needs of the local intent engine (engineAdapter.ts over daemon/intents). */
export interface IntentMatcher {
  /** The request a plugin will get, or null when no sentence matched. `area`: the asking client's area. */
  match(text: string, options: { lang: string; area?: string; session?: string }): IntentRequest | null;
  /** The hub's question this session has not answered yet ("Which lamp do you mean…?"), or null. */
  openQuestion?(session: string): HubQuestion | null;
  /** A fallback acted on the answer to that question: it is no longer open. */
  questionTaken?(session: string): void;
}

/** What the pipeline needs of the plugin host. */
export interface PluginDispatch {
  intentOwner(intent: string): string | null;
  handleIntent(request: IntentRequest, call: CallInfo): Promise<Handled>;
  fallbacks(): ReadonlyArray<{ pluginId: string; beforeIntents?: boolean; run(utterance: { text: string; lang: string; area?: string }, call: CallInfo): Promise<IntentReply | null> }>;
  /** Whether a fallback asks for every utterance before the local intents (the assistant's `mode: always`). */
  hasLeadingFallback?(): boolean;
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
  /** The fallbacks asked before the local intents (FallbackOptions.beforeIntents); empty on most hubs. */
  private readonly leading: FallbackChain;

  /**
   * `debugLog`: the hub's logger, asked whether debug lines are written before one is built: the
   * utterance's own logger (`ctx.log`, with its trace id) is made only when something is logged.
   */
  constructor(private readonly engine: IntentMatcher, private readonly plugins: PluginDispatch, private readonly debugLog?: Pick<Logger, 'isLevelEnabled'>) {
    this.fallback = new FallbackChain(() => this.pluginFallbacks(false));
    this.leading = new FallbackChain(() => this.pluginFallbacks(true));
  }

  /**
   * Not an async function on purpose: most utterances match an intent, and then the plugin host's promise
   * is the answer with one then() on it (an async frame here cost a few hundred bytes per utterance).
   */
  handle(utterance: Utterance, ctx: UtteranceContext): Promise<VoiceReply> {
    if (this.plugins.hasLeadingFallback?.()) return this.leadingFirst(utterance, ctx);
    return this.local(utterance, ctx);
  }

  /**
   * `assistant.mode: always`: the leading fallbacks have the utterance first; one that passes (null) leaves it
   * to the local intents as usual. Hubs without one never come here.
   */
  private async leadingFirst(utterance: Utterance, ctx: UtteranceContext): Promise<VoiceReply> {
    const text = utterance.text.trim();
    const lang = utterance.lang ?? detectLang(text);
    let answer;
    try {
      answer = await this.leading.run({ text, lang, ...(ctx.area ? { area: ctx.area } : {}) }, fallbackCall(ctx));
    } catch (err) {
      throw asVoiceError(err);
    }
    if (answer) return toVoiceReply(answer.reply, undefined, answer.handledBy);
    return this.local(utterance, ctx);
  }

  private local(utterance: Utterance, ctx: UtteranceContext): Promise<VoiceReply> {
    let text: string;
    let lang: string;
    let request: IntentRequest | null;
    try {
      text = utterance.text.trim();
      lang = utterance.lang ?? detectLang(text);
      // The session id lets an answer to the hub's question ("the desk one") or "…too" follow up (followUps.ts).
      request = this.engine.match(text, ctx.area ? { lang, area: ctx.area, session: ctx.sessionId } : { lang, session: ctx.sessionId });
      if (request && this.plugins.intentOwner(request.intent) !== null) {
        const intent = request.intent;
        const call: CallInfo = { traceId: ctx.traceId, session: { sessionId: ctx.sessionId, clientId: ctx.subject } };
        const script = chineseScript(text, lang);
        return this.plugins.handleIntent(request, call).then(({ reply, pluginId }) => {
          if (this.debugEnabled()) ctx.log.debug({ intent, plugin: pluginId }, 'intent handled');
          return toVoiceReply(reply, intent, pluginId, script);
        }, (err: unknown) => rejectAsVoiceError(inScriptError(err, script)));
      }
    } catch (err) {
      return rejectAsVoiceError(err);
    }
    return this.unmatched(text, lang, request, ctx).catch(rejectAsVoiceError);
  }

  /** No intent, or one no plugin declares: the fallback chain, then NO_MATCH. */
  private async unmatched(text: string, lang: string, request: IntentRequest | null, ctx: UtteranceContext): Promise<VoiceReply> {
    if (request && this.debugEnabled()) ctx.log.debug({ intent: request.intent }, 'matched an intent no plugin declares; trying the fallbacks');
    // Text no sentence matched may answer the hub's open question in words no list knows ("the one by the
    // window"): the fallback (the assistant) is shown the question. Once it acted on it, the question is closed;
    // an answer with no action (a failure, a question back) leaves it open for "the desk one" to settle locally.
    const question = request ? null : this.engine.openQuestion?.(ctx.sessionId) ?? null;
    const answer = await this.fallback.run({ text, lang, ...(ctx.area ? { area: ctx.area } : {}), ...(question ? { question } : {}) }, fallbackCall(ctx));
    const script = chineseScript(text, lang);
    if (question && (answer?.reply.actions?.length ?? 0) > 0) this.engine.questionTaken?.(ctx.sessionId);
    if (answer) return toVoiceReply(answer.reply, undefined, answer.handledBy, script);
    throw new HubError('NO_MATCH', langOfTag(lang) === 'zh' ? inScript('抱歉，我没听懂。', script ?? 'hans') : "Sorry, I didn't understand that.");
  }

  private debugEnabled(): boolean {
    return this.debugLog?.isLevelEnabled('debug') ?? true;
  }

  private pluginFallbacks(beforeIntents: boolean): FallbackStep[] {
    return this.plugins.fallbacks().filter((f) => (f.beforeIntents === true) === beforeIntents).map((f) => ({
      name: f.pluginId,
      run: (utterance, call) => f.run(utterance, {
        traceId: call.traceId, session: { sessionId: call.sessionId, clientId: call.subject },
        ...(call.scopes ? { scopes: call.scopes } : {}), ...(call.delta ? { delta: call.delta } : {}),
      }),
    }));
  }
}

/** What a fallback step is told of the utterance's client: who, with which scopes, and how to stream to it. */
function fallbackCall(ctx: UtteranceContext): FallbackCall {
  return {
    traceId: ctx.traceId, sessionId: ctx.sessionId, subject: ctx.subject, signal: ctx.signal, log: ctx.log, scopes: ctx.scopes,
    ...(ctx.delta ? { delta: ctx.delta } : {}),
  };
}

/**
 * The script a Chinese reply is spoken in (Traditional when the user wrote it or the tag says zh-TW, zh-HK,
 * yue); undefined for other languages, whose replies are left alone.
 */
function chineseScript(text: string, lang: string): ChineseScript | undefined {
  if (langOfTag(lang) !== 'zh' && !/\p{Script=Han}/u.test(text)) return undefined;
  const script = scriptOf(text, lang);
  return script === 'hans' ? undefined : script;
}

/** An error's message in the user's script (a plugin's refusal is spoken too). */
function inScriptError(err: unknown, script: ChineseScript | undefined): unknown {
  if (!script || !isHubError(err)) return err;
  const message = inScript(err.message, script);
  return message === err.message ? err : new HubError(err.code, message, { cause: err, retryable: err.retryable, details: err.details });
}

function toVoiceReply(reply: IntentReply, intent: string | undefined, handledBy: string, script?: ChineseScript): VoiceReply {
  // Built field by field (no spreads of temporary objects); only what the protocol sends of each action.
  const out: VoiceReply = { text: script ? inScript(reply.text, script) : reply.text, handledBy };
  if (intent) out.intent = intent;
  if (reply.actions) out.actions = reply.actions.map((a) => ({ device: a.device, command: a.command }));
  return out;
}

/** Han characters mean Chinese; anything else is taken as English (the two languages the engine knows). */
export function detectLang(text: string): string {
  return /\p{Script=Han}/u.test(text) ? 'zh' : 'en';
}

function rejectAsVoiceError(err: unknown): Promise<never> {
  return Promise.reject(asVoiceError(err));
}

/** Keeps voice codes as they are and maps the rest (message and retryability kept). */
export function asVoiceError(err: unknown): unknown {
  if (!isHubError(err) || (VOICE_ERROR_CODES as readonly string[]).includes(err.code)) return err;
  return new HubError(toVoiceErrorCode(err), err.message, { cause: err, retryable: err.retryable, details: err.details });
}
