import type { Agent, Dispatcher, fetch as UndiciFetch } from 'undici';
import type { HubConfig } from '../config/schema.js';
import type { Subsystem } from '../core/context.js';

/**
 * The keep-alive connections the assistant's requests ride on: one undici Agent, made at start only when the
 * assistant is configured (a hub that never calls out never loads undici), closed at stop. A stand-in until the
 * cloud link's shared request pool (daemon/cloud/requestPool.ts) exists: the hub then hands the assistant that
 * pool's dispatcher instead, in one line of daemon/hub.ts.
 */
export class AssistantDispatcher implements Subsystem {
  readonly name = 'assistant-dispatcher';
  private agent: Agent | null = null;
  private undiciFetch: typeof UndiciFetch | null = null;

  constructor(private readonly config: Pick<HubConfig, 'assistant'>) {}

  async start(): Promise<void> {
    const a = this.config.assistant;
    if (a.mode === 'off' || (a.url === null && a.apiKey === null)) return;
    type Mod = { Agent?: typeof Agent; fetch?: typeof UndiciFetch };
    const ns = await import('undici') as Mod & { default?: Mod };
    // Unbundled Node names a CommonJS module's exports; in the bundle they sit on `default` (cloudClient.ts's poolClass).
    const AgentClass = ns.Agent ?? ns.default?.Agent;
    const fetchFn = ns.fetch ?? ns.default?.fetch;
    if (typeof AgentClass !== 'function' || typeof fetchFn !== 'function') throw new Error('undici has no Agent or fetch export');
    this.undiciFetch = fetchFn;
    // Connections stay open between utterances (a new TLS handshake costs a round trip or three).
    this.agent = new AgentClass({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 8 });
  }

  /** The dispatcher, once started; throws before (the assistant only asks while it runs). */
  get dispatcher(): Dispatcher {
    if (!this.agent) throw new Error('the assistant dispatcher is not started (is the assistant configured?)');
    return this.agent;
  }

  /**
   * fetch over the dispatcher, from the same undici: Node's own fetch is an older undici whose dispatcher
   * interface differs, so the agent is only handed to the fetch it was made with.
   */
  readonly fetch = ((input: Parameters<typeof UndiciFetch>[0], init?: Parameters<typeof UndiciFetch>[1]) => {
    if (!this.undiciFetch) return Promise.reject(new Error('the assistant dispatcher is not started (is the assistant configured?)'));
    return this.undiciFetch(input, { ...init, dispatcher: this.dispatcher });
  }) as unknown as typeof globalThis.fetch;

  async stop(): Promise<void> {
    const agent = this.agent;
    this.agent = null;
    await agent?.close();
  }
}
