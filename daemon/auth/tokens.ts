import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import type { JWTPayload } from 'jose';

/**
 * jose is loaded on first use (the first token made or checked), not while the hub starts: start-up is
 * what a restart under systemd waits for. The daemon warms it right after `listening`.
 */
let joseModule: Promise<typeof import('jose')> | null = null;
export function loadJose(): Promise<typeof import('jose')> {
  joseModule ??= import('jose');
  return joseModule;
}
import { HubError } from '../core/errors.js';
import type { SigningKey } from './keys.js';

/**
 * Client tokens (PROTOCOL §3): compact JWS JWTs (RFC 7519) signed HS256 with the hub's key.
 *
 * - The algorithm is pinned: verification accepts HS256 only, never what the token's header says, so
 *   `alg: none` and algorithm-confusion tokens fail (RFC 8725 §3.1, §2.1).
 * - `exp` is required (RFC 7519 §4.1.4), `iss` and `aud` must both be `voicehub` (§4.1.1, §4.1.3), and a
 *   small clock skew is allowed (§4.1.4 "some small leeway").
 * - Scopes travel as one space-separated `scope` claim (RFC 8693 §4.2).
 */
export const ISSUER = 'voicehub';
export const AUDIENCE = 'voicehub';
export const ALGORITHM = 'HS256';
/** Leeway for `exp`/`nbf`/`iat` between the hub's clock and the one that made the token. */
export const CLOCK_SKEW_SECONDS = 30;
/** A bearer token longer than this is refused before any crypto runs. */
export const MAX_TOKEN_LENGTH = 4096;

/** What a client token may allow. `admin` stands for every scope. */
export const TOKEN_SCOPES = ['voice', 'devices:read', 'devices:control', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
export const DEFAULT_SCOPES: readonly TokenScope[] = ['voice'];
export const DEFAULT_TTL = '30d';
const MAX_TTL_SECONDS = 5 * 366 * 86400;

export interface TokenClaims {
  readonly sub: string;
  readonly scopes: readonly string[];
  readonly iat: number;
  readonly exp: number;
  readonly jti?: string;
  readonly kid?: string;
  /** The room the client stands in (a satellite's `--area`): what "in here" means for its utterances. */
  readonly area?: string;
}

export interface CreateTokenOptions {
  sub: string;
  scopes?: readonly string[];
  /** Seconds, or a string like `30d`, `12h`, `15m`, `90s`, `2w`. */
  ttl?: string | number;
  /** Milliseconds since the epoch; tests pass their clock. */
  now?: number;
  /** The client's room, for "in here" (e.g. a kitchen satellite: kitchen). */
  area?: string;
}

/** Anything that turns a bearer token into claims or throws a HubError (AUTH_INVALID / AUTH_EXPIRED). */
export interface TokenVerifier {
  verify(token: string): Promise<TokenClaims>;
  /**
   * Calls `listener` whenever the signing key changed (`voicehub keys rotate`): tokens that verified before
   * may not any more. Returns the function that stops listening. Verifiers whose keys never change omit it.
   */
  onKeyChange?(listener: () => void): () => void;
}

const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400 };

/** `30d` → 2592000. Plain digits are seconds. Throws BAD_REQUEST naming what is allowed. */
export function parseTtl(ttl: string | number): number {
  const match = typeof ttl === 'number' ? null : /^\s*(\d{1,9})\s*([smhdw]?)\s*$/.exec(ttl);
  const seconds = typeof ttl === 'number' ? ttl : match ? Number(match[1]) * TTL_UNITS[match[2] || 's']! : NaN;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TTL_SECONDS) {
    throw new HubError('BAD_REQUEST', `ttl ${JSON.stringify(ttl)} is not allowed: use a number followed by s, m, h, d or w (like 30d or 12h), at most 5 years`);
  }
  return seconds;
}

/** `"voice devices:read"` → ['voice', 'devices:read']; unknown names are refused with the list of allowed ones. */
export function parseScopes(scope: string | readonly string[]): TokenScope[] {
  const names = (typeof scope === 'string' ? scope.split(/[\s,]+/) : [...scope]).filter((s) => s.length > 0);
  const unknown = names.filter((s) => !(TOKEN_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0 || names.length === 0) {
    throw new HubError('BAD_REQUEST', `scope ${JSON.stringify(names.join(' '))} is not allowed: use one or more of ${TOKEN_SCOPES.join(', ')}`);
  }
  return [...new Set(names)] as TokenScope[];
}

/** True when the claims grant `needed` (directly or through `admin`). */
export function hasScope(claims: Pick<TokenClaims, 'scopes'>, needed: string): boolean {
  return claims.scopes.includes(needed) || claims.scopes.includes('admin');
}

function checkSubject(sub: string): string {
  if (typeof sub !== 'string' || sub.length < 1 || sub.length > 128 || /\p{Cc}/u.test(sub)) {
    throw new HubError('BAD_REQUEST', `sub ${JSON.stringify(sub)} is not allowed: 1 to 128 characters, no control characters`);
  }
  return sub;
}

/** Signs a token with the given key. The caller prints it; nothing here logs it. */
export async function signToken(key: SigningKey, options: CreateTokenOptions): Promise<string> {
  const sub = checkSubject(options.sub);
  const scopes = parseScopes(options.scopes ?? DEFAULT_SCOPES);
  const ttl = parseTtl(options.ttl ?? DEFAULT_TTL);
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const area = options.area?.trim();
  const { SignJWT } = await loadJose();
  return new SignJWT({ scope: scopes.join(' '), ...(area ? { area } : {}) })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: key.kid })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .setJti(randomUUID())
    .sign(secretKeyObject(key));
}

/** Looks up the secret for a token's `kid`; may reload the key file once when it does not know the kid. */
export type KeyLookup = (kid: string | undefined) => Promise<SigningKey | null>;

/**
 * Verifies signature and claims. Throws HubError AUTH_EXPIRED for an expired token and AUTH_INVALID for
 * everything else (malformed, tampered, other key, wrong alg/iss/aud, missing exp/sub).
 */
export async function verifyToken(token: string, lookup: KeyLookup, now: number = Date.now()): Promise<TokenClaims> {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    throw new HubError('AUTH_INVALID', 'missing or oversized token');
  }
  let payload: JWTPayload;
  let kid: string | undefined;
  const { jwtVerify } = await loadJose();
  try {
    const result = await jwtVerify(token, async (header) => {
      const key = await lookup(header.kid);
      if (!key) throw new HubError('AUTH_INVALID', 'token signed by a key this hub does not hold');
      kid = key.kid;
      return secretKeyObject(key);
    }, {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['exp', 'sub', 'iat'],
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: new Date(now),
    });
    payload = result.payload;
  } catch (err) {
    if (err instanceof HubError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED') throw new HubError('AUTH_EXPIRED', 'token expired', { cause: err });
    throw new HubError('AUTH_INVALID', `token rejected (${code ?? 'malformed'})`, { cause: err });
  }
  if (payload.scope !== undefined && typeof payload.scope !== 'string') {
    throw new HubError('AUTH_INVALID', 'token scope claim is not a string');
  }
  // jose checks that `sub` is there, not what it is: a number, an object or '' became the session's subject (the
  // per-subject limits' key, log lines) until the red team's JWT cases (issue 18). The hub signs 1-128 characters.
  if (typeof payload.sub !== 'string' || payload.sub.length < 1 || payload.sub.length > 128 || /\p{Cc}/u.test(payload.sub)) {
    throw new HubError('AUTH_INVALID', 'token subject claim is not a string of 1 to 128 characters');
  }
  return {
    sub: payload.sub!,
    scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter((s) => s.length > 0) : [],
    iat: payload.iat!,
    exp: payload.exp!,
    jti: payload.jti,
    kid,
    ...(typeof payload.area === 'string' && payload.area.length > 0 && payload.area.length <= 100 ? { area: payload.area } : {}),
  };
}

/** One KeyObject per key: jose then skips importing the raw secret on every verification. */
const keyObjects = new WeakMap<SigningKey, KeyObject>();
function secretKeyObject(key: SigningKey): KeyObject {
  let object = keyObjects.get(key);
  if (!object) {
    object = createSecretKey(key.secret);
    keyObjects.set(key, object);
  }
  return object;
}
