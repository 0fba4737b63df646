import { createHmac } from 'node:crypto';

/** Hand-made JWTs for attack cases (alg none, other keys, tampering), built without the library under test. */
export function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

export function forge(header: Record<string, unknown>, payload: Record<string, unknown>, secret: Uint8Array | null): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  if (secret === null) return `${input}.`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function claims(overrides: Record<string, unknown> = {}, nowSec = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return { sub: 'kitchen', scope: 'voice', iss: 'voicehub', aud: 'voicehub', iat: nowSec, exp: nowSec + 3600, ...overrides };
}
