import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { readCa } from '../../../daemon/cloud/readCa.js';

const DEBIAN_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

test('the system CA bundle is trusted beside Node\'s own list, with or without cloud.ca', { skip: !existsSync(DEBIAN_BUNDLE) && `no ${DEBIAN_BUNDLE} here (apt-get install ca-certificates)` }, async () => {
  const plain = await readCa(null);
  assert.ok(plain, 'a list, not Node\'s default');
  assert.equal(plain.length, rootCertificates.length + 1);
  assert.match(plain.at(-1)!, /-----BEGIN CERTIFICATE-----/);
  const withOwn = await readCa(DEBIAN_BUNDLE);
  assert.equal(withOwn?.length, rootCertificates.length + 2, 'Node\'s, the system\'s and cloud.ca');
});

test('an unreadable cloud.ca is CLOUD_TLS', async () => {
  await assert.rejects(readCa('/nonexistent/ca.pem'), (err: { code?: string }) => err.code === 'CLOUD_TLS');
});
