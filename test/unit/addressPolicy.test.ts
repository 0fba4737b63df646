import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressPolicy, unmapIPv4 } from '../../daemon/core/addressPolicy.js';
import { ConfigError } from '../../daemon/core/errors.js';

test('the default loopback policy accepts 127/8, ::1 and IPv4-mapped loopback only', () => {
  const policy = AddressPolicy.fromConfig(['127.0.0.0/8', '::1'], 'mqtt.anonymousFrom');
  assert.equal(policy.allows('127.0.0.1'), true);
  assert.equal(policy.allows('127.5.6.7'), true);
  assert.equal(policy.allows('::1'), true);
  assert.equal(policy.allows('::ffff:127.0.0.1'), true);
  assert.equal(policy.allows('::FFFF:127.0.0.1'), true);
  assert.equal(policy.allows('192.168.1.20'), false);
  assert.equal(policy.allows('::ffff:192.168.1.20'), false);
  assert.equal(policy.allows('fe80::1'), false);
  assert.equal(policy.allows(undefined), false);
  assert.equal(policy.allows('not-an-ip'), false);
});

test('single addresses and IPv6 ranges', () => {
  const policy = AddressPolicy.fromConfig(['192.168.1.10', 'fd00::/8'], 'mqtt.anonymousFrom');
  assert.equal(policy.allows('192.168.1.10'), true);
  assert.equal(policy.allows('192.168.1.11'), false);
  assert.equal(policy.allows('fd12:3456::1'), true);
  assert.equal(policy.allows('127.0.0.1'), false);
});

test('an empty list accepts nobody', () => {
  assert.equal(AddressPolicy.fromConfig([], 'mqtt.anonymousFrom').allows('127.0.0.1'), false);
});

test('malformed entries are config errors naming the key and the value', () => {
  assert.throws(() => AddressPolicy.fromConfig(['127.0.0.0/8', 'localhost', '10.0.0.0/33'], 'mqtt.anonymousFrom'), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.equal(err.problems.length, 2);
    assert.match(err.problems[0], /mqtt\.anonymousFrom\[1\].*"localhost"/);
    assert.match(err.problems[1], /mqtt\.anonymousFrom\[2\].*"10\.0\.0\.0\/33"/);
    return true;
  });
});

test('unmapIPv4 turns IPv4-mapped IPv6 into IPv4 and leaves the rest alone', () => {
  assert.equal(unmapIPv4('::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(unmapIPv4('::1'), '::1');
  assert.equal(unmapIPv4('::ffff:abcd'), '::ffff:abcd');
});

test('ipFamily answers as net.isIP does, without Node\'s IPv6 regular expression', async () => {
  const { ipFamily } = await import('../../daemon/core/addressPolicy.js');
  const { isIP } = await import('node:net');
  const cases = [
    '127.0.0.1', '0.0.0.0', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '', ' ', 'localhost', 'not-an-ip',
    '::', '::1', 'fe80::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::FFFF:10.1.2.3', '2001:db8::8a2e:370:7334', '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7:8:9', ':::', '1::2::3', 'gggg::1', '12345::1', '::1 ', ':', 'a:b', '[::1]', '::1/128', 'fe80::1%eth0', 'fe80::1%', 'fe80::1%%', '::1%a b', 'fe80::1%e.1:x-Y', '%eth0', '1.2.3.4%eth0', '1.2.3.4:80', 'x'.repeat(5000) + '::1',
  ];
  for (const address of cases) assert.equal(ipFamily(address), isIP(address), JSON.stringify(address.slice(0, 40)));
});
