import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { ExternalTransport } from '../../../daemon/mqtt/externalTransport.js';
import { redact } from '../../../daemon/mqtt/brokerConnection.js';
import { silentLogger } from '../../../daemon/log.js';
import { systemClock, type Clock } from '../../../daemon/context.js';
import { isHubError } from '../../../daemon/errors.js';

/**
 * A loopback "broker" that hangs up on every connection before CONNACK: unreachable, but on a port this
 * test owns for its whole run (a freed port could be taken by another test meanwhile).
 */
async function hangingUpBroker(t: { after(fn: () => unknown): void }): Promise<number> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

/** Reconnect timers never fire by themselves here. */
const stillClock: Clock = {
  ...systemClock,
  setTimeout: () => { const h = setTimeout(() => {}, 2 ** 31 - 1); h.unref(); return h; },
  clearTimeout: (h) => clearTimeout(h),
};

const code = (expected: string) => (err: unknown) => isHubError(err) && err.code === expected;

test('credentials never appear in the reported broker URL', () => {
  assert.equal(redact('mqtt://user:secret@broker.lan:1883'), 'mqtt://broker.lan:1883');
  assert.equal(redact('mqtts://broker.lan:8883'), 'mqtts://broker.lan:8883');
  assert.ok(!redact('not a url://u:secret@x').includes('secret'));
});

test('an unreadable TLS file stops start-up with CONFIG_UNREADABLE naming the key', async () => {
  const transport = new ExternalTransport({ url: 'mqtts://127.0.0.1:1', ca: '/nonexistent/ca.pem', log: silentLogger(), clock: stillClock });
  await assert.rejects(transport.start(), (err: unknown) => isHubError(err) && err.code === 'CONFIG_UNREADABLE' && /mqtt\.ca/.test(err.message));
});

test('while the broker is unreachable: start goes on, retained publishes queue (bounded), commands and QoS 0 are refused at once, stop rejects the queue', async (t) => {
  const port = await hangingUpBroker(t);
  const transport = new ExternalTransport({ url: `mqtt://127.0.0.1:${port}`, log: silentLogger(), clock: stillClock, maxQueued: 2 });
  await transport.start();
  assert.equal(transport.connected, false);
  assert.equal(transport.clientCount(), 0);
  assert.equal(transport.health().ok, false);

  await assert.rejects(transport.publish('devices/a/set', 'ON', { qos: 0 }), code('MQTT_UNAVAILABLE'));
  // A device command (QoS 1, not retained) is never kept for later: a late "turn on" is worse than none.
  await assert.rejects(transport.publish('devices/a/set', 'ON', { qos: 1 }), code('MQTT_UNAVAILABLE'));
  assert.equal(transport.health().droppedCommands, 1);
  assert.equal(transport.queued, 0);
  const first = transport.publish('devices/a/state', '1', { retain: true });
  const second = transport.publish('devices/a/state', '2', { retain: true });
  const third = transport.publish('devices/a/state', '3', { retain: true });
  await assert.rejects(first, code('MQTT_UNAVAILABLE')); // the oldest is dropped when the queue overflows
  assert.equal(transport.queued, 2);
  assert.equal(transport.health().droppedQueued, 1);

  // Subscribing while disconnected is remembered for the connection to come.
  await transport.subscribe('devices/+/state', () => {});
  assert.equal(transport.health().subscriptions, 1);

  await transport.stop();
  await assert.rejects(second, code('SHUTTING_DOWN'));
  await assert.rejects(third, code('SHUTTING_DOWN'));
  await assert.rejects(transport.publish('x', 'y'), code('SHUTTING_DOWN'));
});

test('invalid topics and filters are refused before anything is sent', async (t) => {
  const port = await hangingUpBroker(t);
  const transport = new ExternalTransport({ url: `mqtt://127.0.0.1:${port}`, log: silentLogger(), clock: stillClock });
  await transport.start();
  try {
    await assert.rejects(transport.publish('a/+/b', 'x'), code('BAD_REQUEST'));
    await assert.rejects(transport.subscribe('a/#/b', () => {}), code('BAD_REQUEST'));
  } finally {
    await transport.stop();
  }
});
