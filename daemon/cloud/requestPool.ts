import type { Agent, Dispatcher } from 'undici';
import type { HubConfig } from '../config/schema.js';
import { systemClock, type Clock } from '../core/context.js';
import { jitteredBackoff } from '../core/backoff.js';
import { HubError, isHubError } from '../core/errors.js';
import { RateLimiter } from '../core/rateLimiter.js';
import type { Registry } from '../core/metrics.js';
import type { CloudRequest, CloudResponse } from '../../plugins/sdk/api.js';
import { cloudRequestSeconds } from './cloudMetrics.js';
import { readCa } from './readCa.js';
import { poolFetch } from './poolFetch.js';

/** A response body larger than this is refused rather than buffered (a Pi has little memory). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;
/**
 * Below Node's own server default (5 s) and most proxies': the pool closes an idle connection before the
 * server does, so a request never lands on a socket the server is closing. A server's `Keep-Alive: timeout=`
 * hint is honoured too (less a second).
 */
const KEEP_ALIVE_MS = 4000;
/** Idempotent methods (RFC 9110 §9.2.2) are retried this often after a connection failure or a 502/503/504. */
const RETRIES = 2;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** What the plugin host needs from an HTTP client: `api.cloud.request` is this. */
export interface CloudRequester {
  readonly configured: boolean;
  request(url: string, init?: CloudRequest): Promise<CloudResponse>;
  close(): Promise<void>;
}

export interface RequestPoolOptions {
  cloud: HubConfig['cloud'];
  /** Connect, headers and body timeouts (plugins.timeoutMs: a plugin's call never outlives its own limit). */
  timeoutMs: number;
  metrics?: Registry;
  clock?: Clock;
}

/**
 * The hub's one HTTP client for the cloud (PROTOCOL §6 "Requests"): one undici Agent, keep-alive, at most
 * `cloud.pool.maxConnections` connections per origin and in flight overall, a token bucket of
 * `cloud.pool.perSecond` in front, and a queue whose wait beyond `cloud.pool.maxWaitMs` fails with CLOUD_BUSY
 * (so a cloud that slows down makes callers fail fast instead of piling up). Idempotent requests are retried
 * after a connection failure or a 502/503/504; others never (a POST may have been applied). `minIdle`
 * connections to the cloud are opened at start (`prewarm`). A path goes to `cloud.url` (ws→http, wss→https)
 * with `cloud.token`; an absolute http(s) URL goes to its own origin without it.
 *
 * `dispatcher()` hands out the Agent itself, for code that speaks undici; `fetcher()` a fetch under the same
 * limits and metrics, for a client that takes a fetch (the assistant's SDK).
 */
export class RequestPool implements CloudRequester {
  private agent: Agent | null = null;
  private loading: Promise<Agent> | null = null;
  private readonly base: URL | null;
  private readonly limiter: RateLimiter;
  private readonly clock: Clock;
  private readonly requestSeconds: ReturnType<typeof cloudRequestSeconds> | null;
  private inFlight = 0;
  private readonly queue: Array<{ grant: () => void }> = [];
  private closed = false;

  constructor(private readonly options: RequestPoolOptions) {
    const { cloud } = options;
    this.base = cloud.url ? new URL(cloud.url.replace(/^ws/, 'http')) : null;
    this.clock = options.clock ?? systemClock;
    // A second's worth of burst: a plugin may fire a handful at once; a loop may not.
    this.limiter = new RateLimiter({ perSecond: cloud.pool.perSecond, burst: Math.max(1, Math.ceil(cloud.pool.perSecond)), maxKeys: 1 }, this.clock);
    this.requestSeconds = options.metrics ? cloudRequestSeconds(options.metrics) : null;
  }

  get configured(): boolean {
    return this.base !== null;
  }

  /** The undici Agent every cloud request rides (loaded on first use: a hub that never calls out never pays). */
  async dispatcher(): Promise<Dispatcher> {
    return this.load();
  }

  /**
   * A fetch over this pool (poolFetch.ts): each request waits for a slot and a rate token like `request`
   * (CLOUD_BUSY past maxWaitMs), keeps its slot until its body ends, and is timed in
   * voicehub_cloud_request_seconds; no retries, no cloud token. `timeoutMs` is its header and body timeout.
   */
  fetcher(options: { timeoutMs?: number } = {}): typeof globalThis.fetch {
    return poolFetch({
      admit: (signal) => this.admit(signal),
      release: () => this.release(),
      agent: () => this.load(),
      undiciFetch: async () => undiciExport<typeof import('undici').fetch>(await import('undici'), 'fetch'),
      observe: (method, outcome, seconds) => this.requestSeconds?.observe({ method, outcome }, seconds),
    }, options);
  }

  /**
   * Opens `cloud.pool.minIdle` connections to the cloud now (OPTIONS of its base path, side by side), so the
   * first real requests skip TCP and TLS. Not HEAD: Node servers close the connection after a HEAD answer.
   * Failures are ignored: the cloud may be down at start.
   */
  async prewarm(): Promise<number> {
    const n = this.options.cloud.pool.minIdle;
    if (!this.base || n === 0) return 0;
    const results = await Promise.allSettled(Array.from({ length: Math.min(n, this.options.cloud.pool.maxConnections) }, () => this.request('/', { method: 'OPTIONS' as CloudRequest['method'] })));
    return results.filter((r) => r.status === 'fulfilled').length;
  }

  async request(url: string, init: CloudRequest = {}): Promise<CloudResponse> {
    const target = this.target(url);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = { ...init.headers };
    let body: string | undefined;
    if (typeof init.body === 'string') body = init.body;
    else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    if (target.hub && this.options.cloud.token) headers.authorization = `Bearer ${this.options.cloud.token}`;
    const started = performance.now();
    let outcome = 'error';
    try {
      await this.admit(init.signal);
      try {
        const response = await this.send(target.url, method, headers, body, init.signal);
        outcome = 'ok';
        return response;
      } finally {
        this.release();
      }
    } catch (err) {
      if (isHubError(err) && err.code === 'CLOUD_BUSY') outcome = 'busy';
      throw err;
    } finally {
      this.requestSeconds?.observe({ method, outcome }, (performance.now() - started) / 1000);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.queue.splice(0)) waiter.grant();
    const agent = this.agent ?? (this.loading ? await this.loading.catch(() => null) : null);
    this.agent = null;
    await agent?.close().catch(() => {});
  }

  private async send(url: URL, method: string, headers: Record<string, string>, body: string | undefined, signal?: AbortSignal): Promise<CloudResponse> {
    const agent = await this.load();
    const retries = IDEMPOTENT.has(method) ? RETRIES : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await agent.request({ origin: url.origin, path: `${url.pathname}${url.search}`, method: method as Dispatcher.HttpMethod, headers, body, signal });
        if (attempt < retries && (res.statusCode === 502 || res.statusCode === 503 || res.statusCode === 504)) {
          await res.body.dump().catch(() => {});
          await this.pause(attempt, signal);
          continue;
        }
        // Read the body at once: an unread undici body would hold its pooled connection.
        const text = await readCapped(res.body);
        // One turn of the event loop before answering: undici marks the connection free only after the body's
        // end is processed, and a caller that sends its next request at once would otherwise find every
        // connection busy and open a new one (measured: 4 warm connections became 8 by the second round).
        await new Promise<void>((resolve) => setImmediate(resolve));
        return { status: res.statusCode, headers: res.headers, text: async () => text, json: async <T>() => JSON.parse(text) as T };
      } catch (err) {
        if ((err as Error).name === 'AbortError' || signal?.aborted) throw err;
        if (isHubError(err)) throw err;
        if (attempt < retries && isConnectionFailure(err)) {
          await this.pause(attempt, signal);
          continue;
        }
        throw new HubError('CLOUD_UNAVAILABLE', `request to ${url.origin} failed: ${(err as Error).message}`, { cause: err, retryable: true });
      }
    }
  }

  private pause(attempt: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, jitteredBackoff(attempt, 100, 1000));
      signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason as Error); }, { once: true });
    });
  }

  /**
   * A slot among maxConnections and a rate token, within maxWaitMs together; else CLOUD_BUSY. The queue is
   * ours, not undici's, so a wait has a limit and a caller's abort leaves it at once.
   */
  private async admit(signal?: AbortSignal): Promise<void> {
    if (this.closed) throw new HubError('CLOUD_UNAVAILABLE', 'the hub is stopping');
    const { maxConnections, maxWaitMs } = this.options.cloud.pool;
    const deadline = performance.now() + maxWaitMs;
    if (this.inFlight >= maxConnections || this.queue.length > 0) {
      await new Promise<void>((resolve, reject) => {
        const waiter = { grant: () => { cleanup(); resolve(); } };
        const timer = setTimeout(() => { cleanup(); reject(busy(`no cloud connection free within ${maxWaitMs} ms (cloud.pool.maxConnections ${maxConnections})`)); }, maxWaitMs);
        const onAbort = () => { cleanup(); reject(signal!.reason as Error); };
        const cleanup = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.queue.push(waiter);
      });
      if (this.closed) throw new HubError('CLOUD_UNAVAILABLE', 'the hub is stopping');
    } else {
      this.inFlight++;
    }
    while (!this.limiter.take('cloud')) {
      const wait = this.limiter.waitMs('cloud');
      if (performance.now() + wait > deadline) {
        this.release();
        throw busy(`over cloud.pool.perSecond (${this.options.cloud.pool.perSecond}/s) for longer than ${maxWaitMs} ms`);
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** A slot passes straight to the longest waiter (so a newcomer cannot take it first), else frees. */
  private release(): void {
    const next = this.queue.shift();
    if (next) next.grant();
    else this.inFlight--;
  }

  private target(url: string): { url: URL; hub: boolean } {
    if (/^https?:\/\//i.test(url)) return { url: new URL(url), hub: false };
    if (!url.startsWith('/')) throw new HubError('BAD_REQUEST', `a cloud request needs a /path or an http(s):// URL, got ${JSON.stringify(url)}`);
    if (!this.base) throw new HubError('CLOUD_UNAVAILABLE', 'no cloud is configured (cloud.url is not set)');
    const basePath = this.base.pathname.replace(/\/$/, '');
    return { url: new URL(`${basePath}${url}`, this.base.origin), hub: true };
  }

  private load(): Promise<Agent> {
    if (this.agent) return Promise.resolve(this.agent);
    this.loading ??= (async () => {
      const AgentClass = undiciExport<typeof Agent>(await import('undici'), 'Agent');
      const ca = await readCa(this.options.cloud.ca).catch(() => null); // the link logs an unreadable CA
      const { maxConnections } = this.options.cloud.pool;
      const timeout = this.options.timeoutMs;
      this.agent = new AgentClass({
        connections: maxConnections,
        keepAliveTimeout: KEEP_ALIVE_MS,
        keepAliveTimeoutThreshold: 1000,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        connect: { timeout, ...(ca ? { ca } : {}) },
      });
      return this.agent;
    })();
    return this.loading;
  }
}

function busy(message: string): HubError {
  return new HubError('CLOUD_BUSY', message, { retryable: true });
}

/** A connection that failed or was reset before an answer: safe to try again for an idempotent method. */
function isConnectionFailure(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT'].includes(code);
}

/**
 * An export of undici from its module namespace. Unbundled, Node names a CommonJS module's exports; in the
 * shipped bundle undici is a chunk whose only export is `default` (esbuild's CommonJS wrapper).
 */
export function undiciExport<T>(ns: unknown, name: string): T {
  const named = (ns as Record<string, unknown>)[name];
  const fromDefault = (ns as { default?: Record<string, unknown> }).default?.[name];
  const found = typeof named === 'function' ? named : fromDefault;
  if (typeof found !== 'function') throw new Error(`undici has no ${name} export`);
  return found as T;
}

async function readCapped(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HubError('CLOUD_UNAVAILABLE', `response larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
