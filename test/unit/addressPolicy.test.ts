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
