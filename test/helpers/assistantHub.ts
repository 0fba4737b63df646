import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { join } from 'node:path';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from './daemon.js';
import { VoiceClient } from './voiceClient.js';
import { FakeMessagesApi } from './fakeMessagesApi.js';
import { markedListener, type MarkedListener } from './markedListener.js';

export interface AssistantHub {
  api: FakeMessagesApi;
  hub: DaemonProcess;
  dir: string;
  /** A voice client with a fresh token for `sub` (the satellite's room when `area` is given); closed by stop(). */
  client(sub: string, area?: string): Promise<VoiceClient>;
  /** Every voice client made so far, the warm-up's included. */
  readonly clients: readonly VoiceClient[];
  /** Every device command (`home/#`) the hub published since the last call, in order. */
  commandsSoFar(): Promise<Array<{ topic: string; payload: string }>>;
  stop(): Promise<void>;
}

/**
 * The assistant's end-to-end set-up, as users run it: the bundled daemon with `assistant.url` pointing at a real
 * local stand-in of the Messages API, a device-side MQTT client subscribed to `home/#` on the embedded broker,
 * and voice clients over /voice. `config` gets the stand-in's URL. With `warm`, one question is asked first:
 * it loads the SDK (seconds on a loaded machine), outside any test's deadline.
 */
export async function startAssistantHub(config: (apiUrl: string) => string, options: { env?: Record<string, string>; warm?: boolean } = {}): Promise<AssistantHub> {
  const api = await new FakeMessagesApi().start();
  const dir = await makeTempDir();
  const hub = await startDaemon({ dir, config: config(api.url), ...(options.env && { env: options.env }) });
  const clients: VoiceClient[] = [];
  // The marker goes through the broker like the hub's commands, published after them: it arrives after them.
  const marker = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { reconnectPeriod: 0 });
  const device: MarkedListener = await markedListener(`mqtt://127.0.0.1:${hub.mqttPort}`, ['home/#'], (topic, payload) => marker.publishAsync(topic, payload, { qos: 1 }));
  const client = async (sub: string, area?: string): Promise<VoiceClient> => {
    const r = await runCli(['token', 'create', '--sub', sub, ...(area ? ['--area', area] : [])], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });
    assert.equal(r.code, 0, r.stderr);
    const c = await VoiceClient.connect(`ws://127.0.0.1:${hub.httpPort}/voice`, r.stdout.trim());
    clients.push(c);
    return c;
  };
  if (options.warm) await (await client('warm-up')).say('w0', 'hello there');
  return {
    api, hub, dir, client, clients,
    commandsSoFar: () => device.drain(),
    async stop() {
      for (const c of clients) c.close();
      await device.close();
      await marker.endAsync();
      await hub.stop();
      await hub.cleanup();
      await api.stop();
    },
  };
}
