import type { AssistantHost, DeviceView, FallbackUtterance, HandlerContext, HubQuestion, IntentReply, PluginApi } from '../../sdk/index.js';
import { AssistantFailure, type Block, type MessagesClient, type TurnRequest } from './client.js';
import { MAX_PROMPT_DEVICES, relevantDevices, systemPrompt } from './context.js';
import type { History } from './history.js';
import { Confirmations, answerOf } from './safety.js';
import { ACTION_WORDS, langOf, say, type Lang, type TextKey } from './texts.js';
import { TIMER_INTENT, toolsFor, type ToolSpec } from './tools.js';
import { ToolRunner } from './toolRunner.js';
import type { Budget } from './budget.js';

/** Token scopes whose holder may control devices by voice: what a spoken command may do, the assistant may. */
const CONTROL_SCOPES = new Set(['voice', 'devices:control', 'admin']);

const FAILURE_TEXT: Record<AssistantFailure['kind'], TextKey> = {
  unreachable: 'unreachable', refused: 'unreachable', busy: 'busy', timeout: 'timeout', malformed: 'malformed',
};

export interface Parts {
  api: PluginApi;
  host: AssistantHost;
  client: () => MessagesClient;
  budget: Budget;
  history: History;
  confirmations: Confirmations;
}

/**
 * One utterance through the assistant, as named steps: a pending confirmation is answered first; then the
 * budget; then the conversation (system prompt, recent turns, tools; up to `maxToolCalls` tool calls, all
 * within `timeoutMs`), its text streamed to the client as it comes. Every way it can end is a spoken reply:
 * the model's words, a confirmation question, or a sentence saying why not (unreachable, busy, over budget,
 * too slow, unreadable). The final reply's text is exactly what was streamed, so a speaker that spoke the
 * deltas has said it all.
 */
export async function answer(parts: Parts, utterance: FallbackUtterance, ctx: HandlerContext): Promise<IntentReply> {
  const { host } = parts;
  const lang = langOf(utterance.lang);
  const session = ctx.session.sessionId ?? ctx.traceId;
  const subject = ctx.session.clientId ?? session;
  const started = performance.now();
  const out = new Spoken(ctx);
  const done = (outcome: string, reply: IntentReply): IntentReply => {
    host.metrics.request(outcome, (performance.now() - started) / 1000);
    ctx.log.info({ outcome, ms: Math.round(performance.now() - started), actions: reply.actions?.length ?? 0 }, 'assistant answered');
    return reply;
  };

  const confirmed = await settleConfirmation(parts, session, utterance.text, ctx, out);
  if (confirmed) {
    parts.history.add(session, { user: utterance.text, assistant: out.text });
    return done(confirmed.outcome, confirmed.reply);
  }

  const allowed = parts.budget.take(subject);
  if (!allowed.ok) {
    out.sentence(say(lang, allowed.reason, { n: allowed.limit }));
    return done(allowed.reason, { text: out.text, actions: [] });
  }

  const mayControl = ctx.scopes.some((s) => CONTROL_SCOPES.has(s));
  const all = parts.api.devices.list();
  const tools = toolsFor(mayControl ? all : [], {
    kinds: [...new Set(all.map((d) => d.type))], areas: Object.keys(host.areas), timers: mayControl && host.hasIntent(TIMER_INTENT),
    plugins: host.pluginTools(ctx.scopes),
  });
  const runner = new ToolRunner(parts.api, host, new Set(tools.map((t) => t.name)), mayControl, ctx, { text: utterance.text, lang, ...(utterance.area ? { area: utterance.area } : {}) });
  const question = openQuestion(utterance.question);
  // The turns the model reads: this session's recent ones, then the hub's own question and what led to it
  // ("turn on the lamp" → "Which lamp do you mean…?"), then the text that answers it.
  const turns = [...parts.history.turns(session), ...(question ? [{ user: question.asked, assistant: question.text }] : [])];
  const request: TurnRequest = {
    system: systemPrompt({
      areas: host.areas, devices: promptDevices(parts.api, all, utterance, question, host.areas),
      here: utterance.area, now: new Date(host.now()), timezone: host.timezone, lang,
      ...(question ? { question: { text: question.text, candidates: question.candidates.map((c) => c.id) } } : {}),
    }),
    messages: [
      ...turns.flatMap((t) => [{ role: 'user' as const, content: t.user }, { role: 'assistant' as const, content: t.assistant }]),
      { role: 'user', content: utterance.text },
    ],
    tools: cacheMarked(tools),
  };

  // The whole answer, tool calls included, has timeoutMs; the host's own limit (a second more) is the backstop.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), host.settings.timeoutMs);
  const onAbort = (): void => deadline.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let outcome = 'ok';
  try {
    outcome = await converse(parts, request, runner, deadline.signal, out, session, lang);
    host.reachability({ ok: true });
  } catch (err) {
    const failure = err instanceof AssistantFailure ? err : new AssistantFailure('malformed', 'the assistant\'s answer could not be handled');
    outcome = failure.kind;
    if (failure.kind !== 'busy' && failure.kind !== 'malformed') host.reachability({ ok: false, error: failure.message });
    else host.reachability({ ok: true });
    ctx.log.warn({ code: `ASSISTANT_${failure.kind.toUpperCase()}`, status: failure.status, reason: failure.message }, 'the assistant could not answer');
    out.sentence(say(lang, FAILURE_TEXT[failure.kind]));
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
  if (out.text.length === 0) out.sentence(say(lang, 'no_answer'));
  // What the model said (or the hub's confirmation question it led to) is what a follow-up refers to.
  if (outcome === 'ok' || outcome === 'confirm') {
    if (question) parts.history.add(session, { user: question.asked, assistant: question.text });
    parts.history.add(session, { user: utterance.text, assistant: out.text });
  }
  return done(outcome, { text: out.text, actions: runner.actions });
}

/** The hub's open question, bounded (its words come from the hub, the utterance that led to it from the user). */
function openQuestion(q: HubQuestion | undefined): HubQuestion | null {
  if (!q || typeof q.text !== 'string' || typeof q.asked !== 'string' || q.text.trim() === '' || q.asked.trim() === '') return null;
  const candidates = Array.isArray(q.candidates) ? q.candidates.filter((c) => typeof c?.id === 'string' && typeof c.name === 'string') : [];
  return {
    text: q.text.slice(0, 300), asked: q.asked.slice(0, 500),
    candidates: candidates.slice(0, 10).map((c) => ({ id: c.id.slice(0, 200), name: c.name.slice(0, 100) })),
  };
}

/** The devices the prompt shows: those the hub's open question named first, then those the utterance is about. */
function promptDevices(api: PluginApi, all: readonly DeviceView[], utterance: FallbackUtterance, question: HubQuestion | null,
  areas: AssistantHost['areas']): DeviceView[] {
  const asked = (question?.candidates ?? []).flatMap((c) => api.devices.get(c.id) ?? []);
  const also = relevantDevices(all, question ? `${question.asked} ${utterance.text}` : utterance.text, utterance.area, areas);
  const seen = new Set(asked.map((d) => d.id));
  return [...asked, ...also.filter((d) => !seen.has(d.id))].slice(0, MAX_PROMPT_DEVICES);
}

/**
 * The tools with a prompt-caching breakpoint on the last one: tools come first in the prompt the API caches,
 * and they stay the same from one request of a client to the next (the system prompt's stable part has its own).
 */
function cacheMarked(tools: readonly ToolSpec[]): TurnRequest['tools'] {
  if (tools.length === 0) return [];
  return [...tools.slice(0, -1), { ...tools.at(-1)!, cache_control: { type: 'ephemeral' } }];
}

/** The model and the tools, turn by turn, until it stops asking for tools, a command needs a yes, or the cap. */
async function converse(parts: Parts, request: TurnRequest, runner: ToolRunner, signal: AbortSignal, out: Spoken, session: string, lang: Lang): Promise<string> {
  const { host } = parts;
  const max = host.settings.maxToolCalls;
  let calls = 0;
  for (;;) {
    out.breakTurn();
    const turn = await parts.client().turn(request, signal, (text) => out.piece(text));
    host.metrics.tokens(turn.usage.input, turn.usage.output);
    const uses = turn.blocks.filter((b): b is Extract<Block, { type: 'tool_use' }> => b.type === 'tool_use');
    if (uses.length === 0) return 'ok';
    const results: unknown[] = [];
    let capped = false;
    for (const use of uses) {
      if (calls >= max) {
        capped = true;
        results.push({ type: 'tool_result', tool_use_id: use.id, content: `ASSISTANT_TOO_MANY_TOOL_CALLS: at most ${max} per request`, is_error: true });
        continue;
      }
      calls++;
      if (signal.aborted) throw new AssistantFailure('timeout', 'the assistant did not answer in time');
      const result = await runner.run(use);
      if (result.kind === 'confirm') {
        // The model's command waits for the user's own yes, asked by the hub in fixed words.
        const { pending } = result;
        parts.confirmations.ask(session, { ...pending, lang });
        const words = ACTION_WORDS[lang][pending.command.command] ?? [pending.command.command, pending.command.command];
        out.sentence(say(lang, 'confirm', { action: words[0], name: pending.name }));
        return 'confirm';
      }
      results.push({ type: 'tool_result', tool_use_id: use.id, content: result.content, ...(result.isError ? { is_error: true } : {}) });
    }
    if (capped) {
      out.sentence(say(lang, 'too_many_steps', { n: max }));
      return 'ok';
    }
    request.messages.push({ role: 'assistant', content: turn.blocks.map(apiBlock) });
    request.messages.push({ role: 'user', content: results });
  }
}

/** A pending confirmation answered with yes or no; anything else drops it and the utterance goes on as new. */
async function settleConfirmation(parts: Parts, session: string, text: string, ctx: HandlerContext, out: Spoken): Promise<{ outcome: string; reply: IntentReply } | null> {
  const pending = parts.confirmations.take(session);
  if (!pending) return null;
  const answered = answerOf(text);
  if (answered === 'other') return null;
  const lang = pending.lang;
  if (answered === 'no') {
    out.sentence(say(lang, 'cancelled'));
    return { outcome: 'cancelled', reply: { text: out.text, actions: [] } };
  }
  try {
    await parts.api.devices.command(pending.deviceId, pending.command, { traceId: ctx.traceId });
  } catch (err) {
    // The device layer's refusal or the broker's absence, in its own words: nothing was sent.
    parts.host.metrics.toolCall(pending.command.command, 'error');
    out.sentence(String((err as Error)?.message ?? 'the command failed').slice(0, 300));
    return { outcome: 'error', reply: { text: out.text, actions: [] } };
  }
  parts.host.metrics.toolCall(pending.command.command, 'ok');
  const words = ACTION_WORDS[lang][pending.command.command] ?? [pending.command.command, pending.command.command];
  out.sentence(say(lang, 'confirmed', { done: lang === 'zh' ? `${pending.name}${words[1]}` : `${words[1]} ${pending.name}` }));
  return { outcome: 'confirmed', reply: { text: out.text, actions: [{ device: pending.deviceId, command: pending.command.command }] } };
}

function apiBlock(block: Block): Record<string, unknown> {
  return block.type === 'text' ? { type: 'text', text: block.text } : { type: 'tool_use', id: block.id, name: block.name, input: block.input ?? {} };
}

/**
 * The reply as it is spoken: every piece goes to the client as a `reply.delta` and into the final text, so the
 * two always agree. Turns and the hub's own sentences are joined with one space.
 */
class Spoken {
  text = '';
  private pendingSpace = false;

  constructor(private readonly ctx: HandlerContext) {}

  piece(text: string): void {
    if (this.pendingSpace && this.text.length > 0 && !/\s$/.test(this.text) && !/^\s/.test(text)) this.emit(' ');
    this.pendingSpace = false;
    this.emit(text);
  }

  /** The next piece starts a new turn: separated from the last by a space. */
  breakTurn(): void {
    this.pendingSpace = true;
  }

  sentence(text: string): void {
    this.breakTurn();
    this.piece(text);
  }

  private emit(text: string): void {
    this.text += text;
    this.ctx.stream(text);
  }
}
