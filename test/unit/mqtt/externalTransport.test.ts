import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import mqttPacket from 'mqtt-packet';
import { ExternalTransport } from '../../../daemon/mqtt/externalTransport.js';
import { redact } from '../../../daemon/mqtt/brokerConnection.js';
import { silentLogger } from '../../../daemon/core/log.js';
import { systemClock, type Clock } from '../../../daemon/core/context.js';
import { isHubError } from '../../../daemon/core/errors.js';

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

/**
 * A minimal broker over mqtt-packet (mqtt.js's own codec): it answers CONNECT, SUBSCRIBE and PINGREQ and
 * records every PUBLISH with the number of the connection it came on; on the first connection it never
 * acknowledges a PUBLISH, as a broker that stalls would not.
 */
async function stallingBroker(t: { after(fn: () => unknown): void }): Promise<{ port: number; publishes: Array<{ topic: string; payload: string; conn: number }>; dropFirst(): void }> {
  const publishes: Array<{ topic: string; payload: string; conn: number }> = [];
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    const conn = sockets.push(socket);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const send = (packet: Parameters<typeof mqttPacket.generate>[0]): void => { socket.write(mqttPacket.generate(packet)); };
    parser.on('packet', (p) => {
      if (p.cmd === 'connect') send({ cmd: 'connack', returnCode: 0, sessionPresent: false });
      else if (p.cmd === 'pingreq') send({ cmd: 'pingresp' });
      else if (p.cmd === 'subscribe') send({ cmd: 'suback', messageId: p.messageId, granted: p.subscriptions.map(() => 1) });
      else if (p.cmd === 'publish') {
        publishes.push({ topic: p.topic, payload: p.payload.toString(), conn });
        if (conn > 1 && p.qos === 1) send({ cmd: 'puback', messageId: p.messageId! });
      }
    });
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as { port: number }).port, publishes, dropFirst: () => sockets[0]!.destroy() };
}

test('a command the broker does not acknowledge within commandMaxAgeMs is given up and not resent after the reconnect', async (t) => {
  const broker = await stallingBroker(t);
  const dropped: string[] = [];
  const transport = new ExternalTransport({
    url: `mqtt://127.0.0.1:${broker.port}`, log: silentLogger(), clock: systemClock, backoff: { initialMs: 20, maxMs: 50 },
    commandMaxAgeMs: 300, onCommandDropped: (reason) => dropped.push(reason),
  });
  t.after(() => transport.stop());
  await transport.start();
  assert.equal(transport.connected, true);

  await assert.rejects(transport.publish('lamp/set', 'ON', { qos: 1 }), code('MQTT_UNAVAILABLE'));
  assert.deepEqual(dropped, ['expired']);
  assert.ok(broker.publishes.some((p) => p.topic === 'lamp/set' && p.conn === 1), 'it was on the wire once');

  // The stalled connection dies; on the new one a fresh command goes out, and the given-up one does not
  // (mqtt.js would resend it from its outgoing store before anything new).
  broker.dropFirst();
  while (!transport.connected || broker.publishes.every((p) => p.conn === 1)) await sleep(10);
  await transport.publish('lamp/set', 'OFF', { qos: 1 });
  assert.deepEqual(broker.publishes.filter((p) => p.topic === 'lamp/set' && p.conn > 1).map((p) => p.payload), ['OFF']);
});
