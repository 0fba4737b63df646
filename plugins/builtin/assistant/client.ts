import type Anthropic from '@anthropic-ai/sdk';
import type { AssistantSettings } from '../../sdk/index.js';
import type { ToolSpec } from './tools.js';

/** What went wrong with a request, as the user hears it (texts.ts) and the metrics count it. */
export type Failure = 'unreachable' | 'busy' | 'timeout' | 'malformed' | 'refused';

export class AssistantFailure extends Error {
  constructor(readonly kind: Failure, message: string, readonly status?: number) {
    super(message);
    this.name = 'AssistantFailure';
  }
}

export type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> | null; bad?: string };

export interface TurnResult {
  blocks: Block[];
  stopReason: string | null;
  usage: { input: number; output: number };
}

export interface TurnRequest {
  system: Array<{ type: 'text'; text: string; cache_control?: { type: 'ephemeral' } }>;
  messages: Array<{ role: 'user' | 'assistant'; content: unknown }>;
  /** The last may carry a prompt-caching breakpoint. */
  tools: Array<ToolSpec & { cache_control?: { type: 'ephemeral' } }>;
}

/** Bounds on what one streamed answer may hold: the endpoint is treated as hostile like any input. */
const MAX_TEXT_CHARS = 8000;
const MAX_TOOL_JSON_BYTES = 16 * 1024;
const MAX_BLOCKS = 32;

/**
 * The one place that speaks to the Messages API, through the official SDK (`@anthropic-ai/sdk`) with the
 * hub's keep-alive fetch, `baseURL` = `assistant.url`, no retries of its own (the whole answer has
 * `assistant.timeoutMs`; a 429 is answered at once rather than slept on) and its logging off (nothing it could
 * print, headers included, reaches the hub's log). One call is one streamed turn: text is handed to `onText`
 * as it arrives, tool calls are collected with their JSON input parsed, and every failure is an
 * AssistantFailure with its kind.
 */
export class MessagesClient {
  private sdk: Promise<Anthropic> | null = null;

  constructor(private readonly settings: Readonly<AssistantSettings>, private readonly fetchFn: typeof globalThis.fetch) {}

  /**
   * The SDK is imported at the first question, not when the hub starts: importing it costs about 150 ms on an
   * idle machine (over a second on a busy one), which every start of every hub would pay, assistant or not.
   */
  private client(): Promise<Anthropic> {
    this.sdk ??= loadSdk().then((Sdk) => this.make(Sdk));
    return this.sdk;
  }

  /**
   * Starts importing the SDK now, in the background, so the first question does not spend its deadline on it
   * (the hub calls this once the assistant is on; a failure shows at the first question).
   */
  preload(): void {
    void this.client().catch(() => { this.sdk = null; });
  }

  private make(Sdk: typeof Anthropic): Anthropic {
    const { settings } = this;
    return new Sdk({
      // A compatible endpoint may take no key; the SDK would otherwise look for one in files and the environment.
      apiKey: settings.apiKey ?? 'none',
      baseURL: settings.url,
      fetch: this.fetchFn,
      maxRetries: 0,
      // Ours (the whole answer's deadline, an abort signal) comes first; the SDK's own is a backstop.
      timeout: settings.timeoutMs + 1000,
      logLevel: 'off',
      openTelemetry: false,
    });
  }

  async turn(request: TurnRequest, signal: AbortSignal, onText: (text: string) => void): Promise<TurnResult> {
    let stream: AsyncIterable<unknown>;
    try {
      const sdk = await this.client();
      stream = await sdk.messages.create({
        model: this.settings.model, max_tokens: this.settings.maxTokens, stream: true,
        system: request.system, messages: request.messages as never, tools: request.tools as never,
      }, { signal }) as unknown as AsyncIterable<unknown>;
    } catch (err) {
      throw failureOf(err, signal);
    }
    const blocks: Block[] = [];
    const json = new Map<number, string>();
    const result: TurnResult = { blocks, stopReason: null, usage: { input: 0, output: 0 } };
    let textChars = 0;
    let sawStart = false;
    let sawStop = false;
    try {
      for await (const raw of stream) {
        const event = raw as Record<string, any>;
        switch (event?.type) {
          case 'message_start':
            sawStart = true;
            result.usage.input = count(event.message?.usage?.input_tokens) + count(event.message?.usage?.cache_read_input_tokens) + count(event.message?.usage?.cache_creation_input_tokens);
            result.usage.output = count(event.message?.usage?.output_tokens);
            break;
          case 'content_block_start': {
            const index = event.index;
            const block = event.content_block;
            if (!Number.isInteger(index) || index < 0 || index >= MAX_BLOCKS || blocks[index]) throw malformed('a content block with a bad index');
            if (block?.type === 'text') blocks[index] = { type: 'text', text: '' };
            else if (block?.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') {
              blocks[index] = { type: 'tool_use', id: block.id.slice(0, 200), name: block.name.slice(0, 100), input: null };
              json.set(index, '');
            } else if (block?.type === 'tool_use') throw malformed('a tool_use block without id or name');
            // Other block kinds (thinking…) are not ours to speak: skipped.
            break;
          }
          case 'content_block_delta': {
            const block = blocks[event.index];
            const delta = event.delta;
            if (block?.type === 'text' && delta?.type === 'text_delta' && typeof delta.text === 'string') {
              const text = delta.text.slice(0, Math.max(0, MAX_TEXT_CHARS - textChars));
              textChars += text.length;
              if (text.length > 0) {
                block.text += text;
                onText(text);
              }
            } else if (block?.type === 'tool_use' && delta?.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
              const sofar = json.get(event.index)! + delta.partial_json;
              if (sofar.length > MAX_TOOL_JSON_BYTES) throw malformed('a tool call\'s input is too large');
              json.set(event.index, sofar);
            }
            break;
          }
          case 'content_block_stop': {
            const block = blocks[event.index];
            if (block?.type === 'tool_use') parseInput(block, json.get(event.index) ?? '');
            break;
          }
          case 'message_delta':
            if (typeof event.delta?.stop_reason === 'string') result.stopReason = event.delta.stop_reason;
            if (event.usage) result.usage.output = Math.max(result.usage.output, count(event.usage.output_tokens));
            break;
          case 'message_stop':
            sawStop = true;
            break;
          case 'error':
            throw new AssistantFailure(event.error?.type === 'overloaded_error' || event.error?.type === 'rate_limit_error' ? 'busy' : 'unreachable',
              `the stream ended with an error event (${String(event.error?.type ?? 'unknown').slice(0, 60)})`);
          default:
            break; // ping, and event types added later
        }
      }
    } catch (err) {
      throw failureOf(err, signal);
    }
    // An aborted stream just ends in the SDK: a deadline that passed mid-stream is a timeout, not a short answer.
    if (signal.aborted) throw new AssistantFailure('timeout', 'the assistant did not answer in time');
    if (!sawStart || !sawStop) throw malformed(sawStart ? 'the stream ended before message_stop' : 'no message_start');
    // A tool call whose block never stopped: its input is what arrived.
    blocks.forEach((b, i) => { if (b?.type === 'tool_use' && b.input === null && b.bad === undefined) parseInput(b, json.get(i) ?? ''); });
    result.blocks = blocks.filter((b) => b !== undefined);
    return result;
  }
}

function parseInput(block: Extract<Block, { type: 'tool_use' }>, text: string): void {
  if (text.trim() === '') {
    block.input = {};
    return;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) block.input = value as Record<string, unknown>;
    else block.bad = 'the tool input is not a JSON object';
  } catch {
    block.bad = 'the tool input is not valid JSON';
  }
}

function codeOf(err: unknown): unknown {
  return err !== null && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
}

function count(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

function malformed(message: string): AssistantFailure {
  return new AssistantFailure('malformed', `the assistant's answer was malformed: ${message}`);
}

/** The SDK's class, once imported (its error classes are read from it). */
let loaded: typeof Anthropic | null = null;

async function loadSdk(): Promise<typeof Anthropic> {
  const mod = await import('@anthropic-ai/sdk') as unknown as { default: typeof Anthropic };
  loaded = mod.default;
  return loaded;
}

/** The SDK's errors (and fetch's) as our kinds; the message never carries request headers. */
export function failureOf(err: unknown, signal: AbortSignal): AssistantFailure {
  if (err instanceof AssistantFailure) return err;
  if (signal.aborted) return new AssistantFailure('timeout', 'the assistant did not answer in time');
  const Anthropic = loaded;
  if (!Anthropic) return new AssistantFailure('malformed', 'the assistant\'s client could not be loaded');
  if (err instanceof Anthropic.APIUserAbortError || err instanceof Anthropic.APIConnectionTimeoutError) {
    return new AssistantFailure('timeout', 'the assistant did not answer in time');
  }
  if (err instanceof Anthropic.APIConnectionError) {
    // The hub's request pool had no connection free within cloud.pool.maxWaitMs: busy, like a 429, not down.
    if (codeOf(err.cause) === 'CLOUD_BUSY') return new AssistantFailure('busy', 'no connection of the hub\'s request pool was free in time');
    return new AssistantFailure('unreachable', 'the assistant could not be reached');
  }
  if (err instanceof Anthropic.APIError) {
    const status = err.status;
    if (status === 429 || status === 529 || status === 503) return new AssistantFailure('busy', `the assistant answered ${String(status)} (busy)`, status);
    if (status === 401 || status === 403) return new AssistantFailure('refused', `the assistant refused the hub's key (${String(status)})`, status);
    if (typeof status === 'number' && status >= 500) return new AssistantFailure('unreachable', `the assistant answered ${String(status)}`, status);
    if (typeof status === 'number') return new AssistantFailure('malformed', `the assistant answered ${String(status)}`, status);
    // An `error` event inside the stream (no status): the API's error type says what it was.
    const body = (err as { error?: { type?: unknown; error?: { type?: unknown } } }).error;
    const type = String(body?.error?.type ?? body?.type ?? '');
    if (type === 'overloaded_error' || type === 'rate_limit_error') return new AssistantFailure('busy', `the stream ended with ${type}`);
    if (type.endsWith('_error')) return new AssistantFailure('unreachable', `the stream ended with ${type.slice(0, 60)}`);
    return new AssistantFailure('malformed', 'the assistant\'s stream could not be read');
  }
  if (err instanceof Error && /abort|timed? ?out/i.test(err.name + err.message)) return new AssistantFailure('timeout', 'the assistant did not answer in time');
  // JSON the SDK could not parse in the stream, and anything else: malformed, with no detail from the body.
  return new AssistantFailure('malformed', 'the assistant\'s answer could not be read');
}
