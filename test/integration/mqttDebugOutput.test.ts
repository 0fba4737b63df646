import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connectAsync } from 'mqtt';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.js';

const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

/** A daemon (the bundle) that parses one MQTT client's CONNECT, SUBSCRIBE and PUBLISH; resolves with it when done. */
async function hubThatSawAClient(env: Record<string, string>): Promise<DaemonProcess> {
  const d = await startDaemon({ env });
  cleanups.push(() => d.cleanup());
  const client = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { clientId: 'debug_probe', reconnectPeriod: 0 });
  await client.subscribeAsync('probe/#', { qos: 1 });
  await client.publishAsync('probe/state', 'on', { qos: 1 });
  await client.endAsync();
  return d;
}

// The bundle replaces the `debug` package with a function that does nothing unless DEBUG is set at start
// (daemon/build/bundle.ts): the disabled package still gathered its arguments on every packet field.
test('DEBUG set at start gives the MQTT libraries\' debug output on stderr, as unbundled; unset, none', async () => {
  const loud = await hubThatSawAClient({ DEBUG: 'mqtt-packet:*' });
  assert.match(loud.stderr, /mqtt-packet:parser/, 'the parser\'s debug lines');
  const quiet = await hubThatSawAClient({});
  assert.doesNotMatch(quiet.stderr, /mqtt-packet/);
});
