import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { checkRequest, extractToken, requireScope } from '../../../daemon/auth/httpGuard.js';
import { signToken, verifyToken, type TokenVerifier } from '../../../daemon/auth/tokens.js';
import type { SigningKey } from '../../../daemon/auth/keys.js';

const key: SigningKey = { kid: 'k', secret: new Uint8Array(randomBytes(32)), createdAt: '' };
const verifier: TokenVerifier = { verify: (t) => verifyToken(t, async (kid) => (kid === 'k' ? key : null)) };

test('extractToken reads the Bearer header or ?token=, header first', () => {
  assert.equal(extractToken({ headers: { authorization: 'Bearer abc.def.ghi' }, url: '/' }), 'abc.def.ghi');
  assert.equal(extractToken({ headers: { authorization: 'bearer   abc' }, url: '/' }), 'abc');
  assert.equal(extractToken({ headers: {}, url: '/voice?x=1&token=q.r.s' }), 'q.r.s');
  assert.equal(extractToken({ headers: { authorization: 'Bearer h' }, url: '/voice?token=q' }), 'h');
  assert.equal(extractToken({ headers: { authorization: 'Basic dXNlcjpwdw==' }, url: '/' }), null);
  assert.equal(extractToken({ headers: {}, url: '/voice' }), null);
  assert.equal(extractToken({ headers: {}, url: '/voice?token=' }), null);
});

test('checkRequest: missing, bad, expired → 401; lacking scope → 403; admin passes every scope', async () => {
  const voice = await signToken(key, { sub: 'a', scopes: ['voice'] });
  const admin = await signToken(key, { sub: 'b', scopes: ['admin'] });
  const expired = await signToken(key, { sub: 'c', ttl: 60, now: Date.now() - 3_600_000 });
  const req = (token?: string) => ({ headers: token ? { authorization: `Bearer ${token}` } : {}, url: '/api/devices' });

  const none = await checkRequest(req(), verifier, 'devices:read');
  assert.ok(!none.ok && none.status === 401 && none.body.error.code === 'UNAUTHORIZED');
  const bad = await checkRequest(req('x.y.z'), verifier, 'devices:read');
  assert.ok(!bad.ok && bad.status === 401);
  const old = await checkRequest(req(expired), verifier);
  assert.ok(!old.ok && old.status === 401 && old.body.error.reason === 'AUTH_EXPIRED');
  const lacking = await checkRequest(req(voice), verifier, 'devices:read');
  assert.ok(!lacking.ok && lacking.status === 403 && lacking.body.error.code === 'FORBIDDEN');
  const ok = await checkRequest(req(admin), verifier, 'devices:read');
  assert.ok(ok.ok && ok.claims.sub === 'b');
});

test('requireScope answers a real HTTP request with 401/403 JSON or lets it through', async (t) => {
  const server = createServer(async (req, res) => {
    const claims = await requireScope(req, res, verifier, 'devices:read');
    if (!claims) return;
    res.end(JSON.stringify({ sub: claims.sub }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/devices`;

  const anonymous = await fetch(url);
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer /);
  assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');

  const voiceOnly = await fetch(url, { headers: { authorization: `Bearer ${await signToken(key, { sub: 'v', scopes: ['voice'] })}` } });
  assert.equal(voiceOnly.status, 403);
  assert.equal(((await voiceOnly.json()) as { error: { code: string } }).error.code, 'FORBIDDEN');

  const reader = await fetch(url, { headers: { authorization: `Bearer ${await signToken(key, { sub: 'r', scopes: ['devices:read'] })}` } });
  assert.equal(reader.status, 200);
  assert.deepEqual(await reader.json(), { sub: 'r' });
});
