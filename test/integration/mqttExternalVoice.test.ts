/**
 * Issue 18: what the voice answer says when an external broker does not take a device command. A command the
 * broker never acknowledged within mqtt.commandMaxAgeMs is given up, but it was on the wire and may have
 * switched the device: the answer must not say "nothing was changed". A command refused while the broker is
 * away never left the hub (`sent: false`), and there "nothing was changed" is true.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { connectAsync } from 'mqtt';
import { startDaemon, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { voiceToken } from '../helpers/firePlugins.js';
import { until } from '../helpers/until.js';
import { VoiceClient } from '../helpers/voiceClient.js';

const COMMAND_TOPIC = 'home/lamp/set';

/** A real aedes broker on port 0 whose PUBACKs for the lamp's command topic are held until released. */
async function holdingBroker(): Promise<{ url: string; held: Array<() => void>; close(): Promise<void> }> {
  const held: Array<() => void> = [];
  const broker = await Aedes.createBroker({
    // aedes answers a QoS 1 PUBLISH (PUBACK) and hands it out only after this calls back.
    authorizePublish: (_client, packet, callback) => {
      if (packet.topic === COMMAND_TOPIC) held.push(() => callback(null));
      else callback(null);
    },
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    held,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

test('external broker: a command given up unacknowledged is answered "could not confirm" (it may have switched the lamp); one never sent "nothing was changed", in English and Chinese', { timeout: 60_000 }, async (t) => {
  const broker = await holdingBroker();
  let brokerOpen = true;
  t.after(async () => { if (brokerOpen) await broker.close(); });
  const hub = await startDaemon({
    config: [
      // Long enough for the PUBLISH to reach the broker on a loaded machine; each refusal below waits it out once.
      'mqtt: { commandMaxAgeMs: 1500 }',
      'devices:',
      `  - { id: lamp, name: Hall Lamp, aliases: [门厅灯], area: hall, type: switch, commandTopic: ${COMMAND_TOPIC}, stateTopic: home/lamp/state }`,
      '',
    ].join('\n'),
    env: { VOICEHUB_MQTT_URL: broker.url },
    nodeArgs: SHIPPED_NODE_FLAGS,
  });
  t.after(() => hub.cleanup());
  await hub.waitForLine((l) => l.msg === 'connected to mqtt broker');
  const client = await VoiceClient.connect(`ws://127.0.0.1:${hub.httpPort}/voice`, await voiceToken(hub, 'unconfirmed-tester'));
  t.after(() => client.close());
  const lamp = await connectAsync(broker.url, { reconnectPeriod: 0 });
  t.after(() => lamp.endAsync(true));
  const received: string[] = [];
  lamp.on('message', (_topic, payload) => received.push(payload.toString()));
  await lamp.subscribeAsync(COMMAND_TOPIC, { qos: 1 });

  // Held: the broker has the command and acknowledges nothing within the hub's 1.5 s.
  const en = await client.say('u1', 'turn on the hall lamp', 'en');
  assert.equal(en.type, 'reply', JSON.stringify(en));
  assert.deepEqual(en.actions, [], 'no action is claimed');
  assert.match(String(en.text), /couldn't confirm/i, `an honest answer: ${en.text}`);
  assert.doesNotMatch(String(en.text), /nothing was changed/i, `not the never-sent answer: ${en.text}`);
  const zh = await client.say('u2', '打开门厅灯', 'zh');
  assert.equal(zh.type, 'reply', JSON.stringify(zh));
  assert.match(String(zh.text), /无法确认/, `an honest answer: ${zh.text}`);
  assert.doesNotMatch(String(zh.text), /什么都没有改变/, `not the never-sent answer: ${zh.text}`);
  // Why the answer cannot say "nothing was changed": the broker hands the held commands out once it goes on.
  await until(() => (broker.held.length === 2 ? true : undefined), 'both commands at the broker', 10_000);
  for (const release of broker.held.splice(0)) release();
  await until(() => (received.length === 2 ? true : undefined), 'the given-up commands at the lamp', 10_000);

  // Away: the hub waits its 1.5 s for a reconnect that does not come, and nothing leaves it.
  await broker.close();
  brokerOpen = false;
  await hub.waitForLine((l) => l.msg === 'mqtt broker connection lost; reconnecting');
  const enAway = await client.say('u3', 'turn off the hall lamp', 'en');
  assert.equal(enAway.type, 'reply', JSON.stringify(enAway));
  assert.deepEqual(enAway.actions, []);
  assert.match(String(enAway.text), /nothing was changed/i, `never sent: ${enAway.text}`);
  assert.doesNotMatch(String(enAway.text), /couldn't confirm/i);
  const zhAway = await client.say('u4', '关闭门厅灯', 'zh');
  assert.equal(zhAway.type, 'reply', JSON.stringify(zhAway));
  assert.match(String(zhAway.text), /什么都没有改变/, `never sent: ${zhAway.text}`);
  assert.doesNotMatch(String(zhAway.text), /无法确认/);
});
