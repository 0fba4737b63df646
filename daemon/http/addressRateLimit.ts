import { Counter, type Registry } from 'prom-client';
import { AddressPolicy, unmapIPv4 } from '../core/addressPolicy.js';
import type { Clock } from '../core/context.js';
import { getOrCreate } from '../core/metrics.js';
import { RateLimiter } from '../core/rateLimiter.js';

export interface AddressRateLimitOptions {
  perSecond: number;
  burst: number;
  /** Addresses and CIDR ranges that are never limited (`http.rateLimit.exempt`). */
  exempt: readonly string[];
}

/** What a refused request or upgrade is told, with its Retry-After seconds. */
export function rateLimitedMessage(waitSeconds: number): string {
  return `too many requests from this address; retry in ${waitSeconds} s`;
}

/** Addresses remembered at once; a forgotten one starts again with a full bucket. */
const MAX_TRACKED_ADDRESSES = 4096;

/**
 * The seed article's per-address rate limit ("GetLimiter(r.RemoteAddr) … 429"), for the HTTP port: every
 * request and every WebSocket upgrade from one remote address takes a token from that address's bucket
 * (`http.rateLimit`), before anything costly runs (token checks, /metrics, device lists). A device on the
 * LAN that floods the port gets 429 with Retry-After and the rest of the house is served as before. The
 * voice utterances of a connected client have their own limit per token subject (`voice.rateLimit`).
 */
export class AddressRateLimit {
  private readonly limiter: RateLimiter;
  private readonly exempt: AddressPolicy;
  private readonly refused: Counter<'kind'>;

  constructor(options: AddressRateLimitOptions, clock: Clock, registry: Registry) {
    this.limiter = new RateLimiter({ perSecond: options.perSecond, burst: options.burst, maxKeys: MAX_TRACKED_ADDRESSES }, clock);
    this.exempt = AddressPolicy.fromConfig(options.exempt, 'http.rateLimit.exempt');
    this.refused = getOrCreate(registry, 'voicehub_http_rate_limited_total', () => new Counter({
      name: 'voicehub_http_rate_limited_total',
      help: 'HTTP requests and WebSocket upgrades refused with 429 (over http.rateLimit for their address), and connections closed at once (kind="connection": over http.maxPendingPerAddress)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }));
  }

  /**
   * Admits one request or upgrade from `address`: 0 when it may go ahead (a token is taken), otherwise the
   * whole seconds to wait, for Retry-After.
   */
  isExempt(address: string | undefined): boolean {
    return this.exempt.allows(address);
  }

  /** A connection closed at once: its address already had http.maxPendingPerAddress unfinished request heads. */
  countRefusedConnection(): void {
    this.refused.inc({ kind: 'connection' });
  }

  retryAfter(address: string | undefined, kind: 'request' | 'upgrade'): number {
    if (this.exempt.allows(address)) return 0;
    const key = unmapIPv4(address ?? '');
    if (this.limiter.take(key)) return 0;
    this.refused.inc({ kind });
    return Math.max(1, Math.ceil(this.limiter.waitMs(key) / 1000));
  }
}
