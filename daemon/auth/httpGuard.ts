import type { IncomingMessage, ServerResponse } from 'node:http';
import { isHubError, type HttpErrorCode } from '../core/errors.js';
import { hasScope, type TokenClaims, type TokenVerifier } from './tokens.js';

/**
 * The check in front of `/api/*` and the `/voice` upgrade: find the bearer token, verify it, and (for the
 * HTTP API) demand a scope. Failures carry what the router sends back: 401 with `WWW-Authenticate`
 * (RFC 6750 §3) for no/bad/expired tokens, 403 for a valid token without the scope (RFC 6750 §3.1
 * insufficient_scope), and a JSON body `{"error":{"code","message"}}` like every other hub error.
 */
export type GuardResult =
  | { ok: true; claims: TokenClaims }
  | { ok: false; status: 401 | 403; headers: Record<string, string>; body: { error: { code: Extract<HttpErrorCode, 'UNAUTHORIZED' | 'FORBIDDEN'>; reason?: string; message: string } } };

/**
 * The bearer token of a request: `Authorization: Bearer …` (RFC 6750 §2.1) or `?token=…` (§2.3, for
 * clients that cannot set headers on a WebSocket). The header wins when both are present.
 */
export function extractToken(req: Pick<IncomingMessage, 'headers' | 'url'>): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    return match ? match[1]! : null;
  }
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q < 0) return null;
  const token = new URLSearchParams(url.slice(q + 1)).get('token');
  return token && token.length > 0 ? token : null;
}

/** Verifies the request's token; `scope` (optional) must be granted. Never throws. */
export async function checkRequest(req: Pick<IncomingMessage, 'headers' | 'url'>, verifier: TokenVerifier, scope?: string): Promise<GuardResult> {
  const token = extractToken(req);
  if (!token) return unauthorized('AUTH_INVALID', 'a bearer token is required (Authorization: Bearer … or ?token=…)');
  let claims: TokenClaims;
  try {
    claims = await verifier.verify(token);
  } catch (err) {
    const reason = isHubError(err) && err.code === 'AUTH_EXPIRED' ? 'AUTH_EXPIRED' : 'AUTH_INVALID';
    return unauthorized(reason, reason === 'AUTH_EXPIRED' ? 'the token has expired' : 'the token is not valid for this hub');
  }
  if (scope !== undefined && !hasScope(claims, scope)) {
    return {
      ok: false,
      status: 403,
      headers: { 'www-authenticate': `Bearer realm="voicehub", error="insufficient_scope", scope="${scope}"` },
      body: { error: { code: 'FORBIDDEN', message: `this needs a token with the "${scope}" scope` } },
    };
  }
  return { ok: true, claims };
}

function unauthorized(reason: 'AUTH_INVALID' | 'AUTH_EXPIRED', message: string): GuardResult {
  return {
    ok: false,
    status: 401,
    headers: { 'www-authenticate': 'Bearer realm="voicehub", error="invalid_token"' },
    body: { error: { code: 'UNAUTHORIZED', reason, message } },
  };
}

/**
 * For route handlers: resolves with the claims, or answers the request with 401/403 JSON and resolves null.
 *
 *     const claims = await requireScope(req, res, auth, 'devices:read');
 *     if (!claims) return;
 */
export async function requireScope(req: IncomingMessage, res: ServerResponse, verifier: TokenVerifier, scope: string): Promise<TokenClaims | null> {
  const result = await checkRequest(req, verifier, scope);
  if (result.ok) return result.claims;
  const text = JSON.stringify(result.body);
  res.writeHead(result.status, {
    ...result.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
  return null;
}
