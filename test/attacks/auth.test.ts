import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { readKey } from '../../daemon/auth/keys.js';
import { createToken, startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { b64url, claims, forge } from '../unit/auth/forge.js';

/**
 * Issue 18, red team: JWTs the way a stranger's JWT tools make them, against the bundle, beyond the forged set of
 * test/faults/security.test.ts: `none` in any casing, a `none` header over a real signature, `crit` headers the hub
 * does not know, `b64: false`, key-fetching headers (`jku`, `x5u`, `jwk`) pointing at a server the test watches,
 * kids that look like paths, a token nested in a token, claims of the wrong JSON type signed with the hub's own key,
 * `nbf` in the future, a 10 MB token. All are 401 with a documented reason (or 431 for the head too large), the hub
 * never fetches a key, and a real token still works after.
 */

let d: DaemonProcess;
let secret: Uint8Array;
let kid: string;
let real: string;
let keyServer: Server;
let keyServerHits = 0;
let keyServerUrl = '';

before(async () => {
  keyServer = createServer((_req, res) => { keyServerHits++; res.end('{"keys":[]}'); });
  await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
  keyServerUrl = `http://127.0.0.1:${(keyServer.address() as { port: number }).port}/jwks.json`;
  d = await startDaemon({ nodeArgs: SHIPPED_NODE_FLAGS });
  real = await createToken(d.dir, 'owner', 'admin');
  const key = (await readKey(join(d.dir, 'data')))!;
  secret = key.secret;
  kid = key.kid;
});
after(async () => {
  await d?.cleanup();
  await new Promise((resolve) => keyServer?.close(resolve));
});

async function devicesWith(token: string): Promise<{ status: number; reason?: string }> {
  const res = await fetch(`${d.url}/api/devices`, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.json().catch(() => ({})) as { error?: { reason?: string; code?: string } };
  return { status: res.status, reason: body.error?.reason ?? body.error?.code };
}

test('issue 18 red team: JWT tool cases are refused 401 with a documented reason, no key is ever fetched, a real token still works', { timeout: 60_000 }, async () => {
  const now = Math.floor(Date.now() / 1000);
  const admin = claims({ sub: 'intruder', scope: 'admin' }, now);
  const other = Buffer.alloc(32, 9);
  const hs = { alg: 'HS256', typ: 'JWT', kid };
  const signedNone = (alg: string) => { const t = forge({ ...hs, alg: 'HS256' }, admin, secret); const [, p, s] = t.split('.'); return `${b64url({ alg, typ: 'JWT', kid })}.${p}.${s}`; };
  const cases: Record<string, string> = {
    'alg None': forge({ alg: 'None', typ: 'JWT' }, admin, null),
    'alg nOnE': forge({ alg: 'nOnE', typ: 'JWT' }, admin, null),
    'alg NONE': forge({ alg: 'NONE', typ: 'JWT' }, admin, null),
    'alg none over a real signature': signedNone('none'),
    'alg RS256 over an HMAC with the key': signedNone('RS256'),
    'alg missing': forge({ typ: 'JWT', kid }, admin, secret),
    'crit exp': forge({ ...hs, crit: ['exp'] }, admin, secret),
    'crit unknown': forge({ ...hs, crit: ['x-evil'], 'x-evil': true }, admin, secret),
    'crit empty': forge({ ...hs, crit: [] }, admin, secret),
    'b64 false': forge({ ...hs, b64: false, crit: ['b64'] }, admin, secret),
    'jku to a watched server': forge({ alg: 'HS256', typ: 'JWT', jku: keyServerUrl, kid: 'evil' }, admin, other),
    'x5u to a watched server': forge({ alg: 'HS256', typ: 'JWT', x5u: keyServerUrl }, admin, other),
    'embedded jwk': forge({ alg: 'HS256', typ: 'JWT', jwk: { kty: 'oct', k: other.toString('base64url') } }, admin, other),
    'kid as a path': forge({ alg: 'HS256', typ: 'JWT', kid: '../../../../etc/passwd' }, admin, other),
    'kid /dev/null': forge({ alg: 'HS256', typ: 'JWT', kid: '/dev/null' }, admin, Buffer.alloc(0)),
    'kid as a number': forge({ alg: 'HS256', typ: 'JWT', kid: 7 }, admin, secret),
    'nested JWS (cty JWT) around a real token': forge({ alg: 'HS256', typ: 'JWT', cty: 'JWT', kid: 'x' }, { token: real } as Record<string, unknown>, other),
    'exp as a string': forge(hs, { ...admin, exp: String(now + 3600) }, secret),
    'iat as a string': forge(hs, { ...admin, iat: String(now) }, secret),
    'nbf in the future': forge(hs, { ...admin, nbf: now + 3600 }, secret),
    'nbf as a string': forge(hs, { ...admin, nbf: String(now - 10) }, secret),
    'exp far past as a float': forge(hs, { ...admin, exp: 1.5 }, secret),
    'scope as a list': forge(hs, { ...admin, scope: ['admin'] }, secret),
    'iss as a list': forge(hs, { ...admin, iss: ['voicehub'] }, secret),
    'sub as a number': forge(hs, { ...admin, sub: 42 }, secret),
    'sub as an object': forge(hs, { ...admin, sub: { toString: 'x' } }, secret),
    'sub empty': forge(hs, { ...admin, sub: '' }, secret),
    'header not JSON': `${Buffer.from('{alg:HS256').toString('base64url')}.${b64url(admin)}.x`,
    'four parts': `${forge(hs, admin, secret)}.x`,
    'JWE-shaped (five parts)': 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..aaaa.bbbb.cccc',
  };
  const problems: string[] = [];
  for (const [name, token] of Object.entries(cases)) {
    const r = await devicesWith(token);
    if (r.status !== 401 || !['AUTH_INVALID', 'AUTH_EXPIRED'].includes(r.reason ?? '')) problems.push(`${name}: ${r.status} ${r.reason}`);
  }
  const huge = forge(hs, { ...admin, pad: 'x'.repeat(10 * 1024 * 1024) }, secret);
  const hugeAnswer = await fetch(`${d.url}/api/devices`, { headers: { authorization: `Bearer ${huge}` } }).then((res) => res.status, () => 'closed');
  if (hugeAnswer !== 431 && hugeAnswer !== 'closed') problems.push(`10 MB token: ${hugeAnswer}`);
  assert.deepEqual(problems, []);
  assert.equal(keyServerHits, 0, 'the hub never fetched a key a token pointed at');
  assert.equal((await devicesWith(real)).status, 200, 'a real token still works');
  assert.ok(!d.lines.some((l) => l.level === 'error' || l.level === 'fatal'), JSON.stringify(d.lines.filter((l) => l.level === 'error')).slice(0, 500));
  assert.equal(d.stderr, '');
});
