import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { hasScope, parseScopes, parseTtl, signToken, verifyToken, type KeyLookup } from '../../../daemon/auth/tokens.js';
import type { SigningKey } from '../../../daemon/auth/keys.js';
import { b64url, claims, forge } from './forge.js';

const key: SigningKey = { kid: 'k1', secret: new Uint8Array(randomBytes(32)), createdAt: '' };
const other: SigningKey = { kid: 'k2', secret: new Uint8Array(randomBytes(32)), createdAt: '' };
const lookup: KeyLookup = async (kid) => (kid === key.kid ? key : null);
const anyKid: KeyLookup = async () => key;

test('a token made by signToken verifies and carries sub, scopes, iat, exp', async () => {
  const now = Date.now();
  const token = await signToken(key, { sub: 'kitchen', scopes: ['voice', 'devices:read'], ttl: '12h', now });
  const c = await verifyToken(token, lookup, now);
  assert.equal(c.sub, 'kitchen');
  assert.deepEqual(c.scopes, ['voice', 'devices:read']);
  assert.equal(c.exp - c.iat, 12 * 3600);
  assert.equal(c.kid, 'k1');
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
  assert.deepEqual(header, { alg: 'HS256', typ: 'JWT', kid: 'k1' });
});

test('alg none is refused even with a valid-looking payload', async () => {
  await assert.rejects(verifyToken(forge({ alg: 'none', typ: 'JWT', kid: 'k1' }, claims(), null), anyKid), { code: 'AUTH_INVALID' });
});

test('the algorithm is pinned: HS512 / RS256 headers are refused', async () => {
  for (const alg of ['HS512', 'HS384', 'RS256', 'ES256']) {
    await assert.rejects(verifyToken(forge({ alg, kid: 'k1' }, claims(), key.secret), anyKid), { code: 'AUTH_INVALID' }, alg);
  }
});

test('a token signed with another key is refused, whatever kid it claims', async () => {
  await assert.rejects(verifyToken(forge({ alg: 'HS256', kid: 'k1' }, claims(), other.secret), anyKid), { code: 'AUTH_INVALID' });
  await assert.rejects(verifyToken(await signToken(other, { sub: 'x' }), lookup), { code: 'AUTH_INVALID' });
});

test('a tampered payload fails the signature check', async () => {
  const token = await signToken(key, { sub: 'kitchen', scopes: ['voice'] });
  const [h, , s] = token.split('.');
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
  const forged = `${h}.${b64url({ ...payload, scope: 'admin' })}.${s}`;
  await assert.rejects(verifyToken(forged, lookup), { code: 'AUTH_INVALID' });
});

test('expired tokens are AUTH_EXPIRED; within 30 s of skew they still pass', async () => {
  const now = Math.floor(Date.now() / 1000);
  const hdr = { alg: 'HS256', kid: 'k1' };
  await assert.rejects(verifyToken(forge(hdr, claims({ iat: now - 7200, exp: now - 60 }), key.secret), lookup), { code: 'AUTH_EXPIRED' });
  const c = await verifyToken(forge(hdr, claims({ iat: now - 7200, exp: now - 10 }), key.secret), lookup);
  assert.equal(c.sub, 'kitchen');
});

test('exp, sub and iat are required; iss and aud must be voicehub', async () => {
  const hdr = { alg: 'HS256', kid: 'k1' };
  for (const [name, bad] of [
    ['no exp', claims({ exp: undefined })], ['no sub', claims({ sub: undefined })], ['no iat', claims({ iat: undefined })],
    ['wrong aud', claims({ aud: 'someone-else' })], ['no aud', claims({ aud: undefined })],
    ['wrong iss', claims({ iss: 'evil' })], ['not yet valid', claims({ nbf: Math.floor(Date.now() / 1000) + 3600 })],
    ['scope not a string', claims({ scope: ['admin'] })],
  ] as const) {
    await assert.rejects(verifyToken(forge(hdr, bad, key.secret), lookup), { code: 'AUTH_INVALID' }, name);
  }
});

test('garbage, empty and oversized tokens are AUTH_INVALID', async () => {
  for (const t of ['', 'abc', 'a.b.c', 'x'.repeat(5000)]) await assert.rejects(verifyToken(t, lookup), { code: 'AUTH_INVALID' });
});

test('parseTtl understands s/m/h/d/w and refuses the rest', () => {
  assert.equal(parseTtl('30d'), 30 * 86400);
  assert.equal(parseTtl('12h'), 43200);
  assert.equal(parseTtl('15m'), 900);
  assert.equal(parseTtl('90s'), 90);
  assert.equal(parseTtl('90'), 90);
  assert.equal(parseTtl('2w'), 14 * 86400);
  for (const bad of ['', '0', '-1d', '1y', '1.5h', 'forever', '99999d']) assert.throws(() => parseTtl(bad), { code: 'BAD_REQUEST' }, bad);
});

test('parseScopes accepts known scopes (space or comma separated) and refuses others', () => {
  assert.deepEqual(parseScopes('voice devices:read admin'), ['voice', 'devices:read', 'admin']);
  assert.deepEqual(parseScopes('voice,voice'), ['voice']);
  assert.throws(() => parseScopes('voice root'), { code: 'BAD_REQUEST' });
  assert.throws(() => parseScopes(''), { code: 'BAD_REQUEST' });
});

test('hasScope: direct grant or admin', () => {
  assert.equal(hasScope({ scopes: ['voice'] }, 'voice'), true);
  assert.equal(hasScope({ scopes: ['voice'] }, 'devices:read'), false);
  assert.equal(hasScope({ scopes: ['admin'] }, 'devices:read'), true);
  assert.equal(hasScope({ scopes: [] }, 'voice'), false);
});

test('signToken refuses bad subjects', async () => {
  await assert.rejects(signToken(key, { sub: '' }), { code: 'BAD_REQUEST' });
  await assert.rejects(signToken(key, { sub: 'a\nb' }), { code: 'BAD_REQUEST' });
});
