import type { Pool } from 'undici';
import type { HubConfig } from '../config/schema.js';
import { HubError } from '../core/errors.js';
import type { CloudRequest, CloudResponse } from '../../plugins/sdk/api.js';

/** A response body larger than this is refused rather than buffered (a Pi has little memory). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Origins kept at once; the least recently added pool is closed beyond this. */
const MAX_ORIGINS = 32;

/** What the plugin host needs from an HTTP client; the cloud work may hand in its own. */
export interface CloudRequester {
  readonly configured: boolean;
  request(url: string, init?: CloudRequest): Promise<CloudResponse>;
  close(): Promise<void>;
}

/**
 * `api.cloud.request` on undici: one keep-alive Pool per origin, shared by every plugin. A path goes to the
 * hub's cloud (`cloud.url`, ws→http, wss→https, with `cloud.token` as bearer); an absolute http(s) URL goes
 * to its own origin without the hub's token.
 */
export class UndiciCloudClient implements CloudRequester {
  private readonly pools = new Map<string, Pool>();
  private readonly base: URL | null;

  constructor(private readonly cloud: HubConfig['cloud'], private readonly timeoutMs: number) {
    this.base = cloud.url ? new URL(cloud.url.replace(/^ws/, 'http')) : null;
  }

  get configured(): boolean {
    return this.base !== null;
  }

  async request(url: string, init: CloudRequest = {}): Promise<CloudResponse> {
    const target = this.target(url);
    const headers: Record<string, string> = { ...init.headers };
    let body: string | undefined;
    if (typeof init.body === 'string') body = init.body;
    else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    if (target.hub && this.cloud.token) headers.authorization = `Bearer ${this.cloud.token}`;
    try {
      const res = await (await this.pool(target.url.origin)).request({
        path: `${target.url.pathname}${target.url.search}`,
        method: init.method ?? 'GET',
        headers,
        body,
        signal: init.signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      // Read the body at once: an unread undici body would hold its pooled connection.
      const text = await readCapped(res.body);
      return {
        status: res.statusCode,
        headers: res.headers,
        text: async () => text,
        json: async <T>() => JSON.parse(text) as T,
      };
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new HubError('CLOUD_UNAVAILABLE', `request to ${target.url.origin} failed: ${(err as Error).message}`, { cause: err, retryable: true });
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((p) => p.close()));
  }

  private target(url: string): { url: URL; hub: boolean } {
    if (/^https?:\/\//i.test(url)) return { url: new URL(url), hub: false };
    if (!url.startsWith('/')) throw new HubError('BAD_REQUEST', `a cloud request needs a /path or an http(s):// URL, got ${JSON.stringify(url)}`);
    if (!this.base) throw new HubError('CLOUD_UNAVAILABLE', 'no cloud is configured (cloud.url is not set)');
    const basePath = this.base.pathname.replace(/\/$/, '');
    return { url: new URL(`${basePath}${url}`, this.base.origin), hub: true };
  }

  /** undici is loaded on the first cloud request: a hub that never calls out never pays for it. */
  private async pool(origin: string): Promise<Pool> {
    const Pool = poolClass(await import('undici'));
    let pool = this.pools.get(origin);
    if (!pool) {
      if (this.pools.size >= MAX_ORIGINS) {
        const [oldest, old] = this.pools.entries().next().value as [string, Pool];
        this.pools.delete(oldest);
        void old.close().catch(() => undefined);
      }
      pool = new Pool(origin, { connections: 4, keepAliveTimeout: 30_000, connectTimeout: this.timeoutMs });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}

/**
 * undici's Pool from its module namespace. Unbundled, Node names a CommonJS module's exports; in the shipped
 * bundle undici is a chunk whose only export is `default` (esbuild's CommonJS wrapper), so `Pool` is there.
 */
export function poolClass(ns: unknown): typeof Pool {
  const named = (ns as { Pool?: typeof Pool }).Pool;
  const fromDefault = (ns as { default?: { Pool?: typeof Pool } }).default?.Pool;
  const found = typeof named === 'function' ? named : fromDefault;
  if (typeof found !== 'function') throw new Error('undici has no Pool export');
  return found;
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
