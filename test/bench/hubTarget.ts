import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Hub } from '../../daemon/hub.js';
import { buildConfig } from '../../daemon/config/load.js';
import { silentLogger } from '../../daemon/core/log.js';
import type { HandlerStage } from '../../daemon/voice/handlerStage.js';
import { makeTempDir } from '../helpers/daemon.js';

export interface InProcessHub {
  hub: Hub;
  mqttUrl: string;
  httpUrl: string;
  /** Device state events applied since start. */
  applied(): number;
  /** Completed storage file writes since start. */
  writes(): number;
  stop(): Promise<void>;
}

/**
 * The real hub, in this process, on port 0 with a temp data dir and default storage settings: what the
 * benchmarks measure against their baselines. `extra` is merged into the config; `stage` replaces the
 * intent pipeline as the voice server's handler stage.
 */
export async function startInProcessHub(extra: Record<string, unknown> = {}, stage?: HandlerStage): Promise<InProcessHub> {
  const dir = await makeTempDir('voicehub-bench-');
  const config = buildConfig({
    dataDir: join(dir, 'data'),
    http: { host: '127.0.0.1', port: 0 },
    mqtt: { host: '127.0.0.1', port: 0, connectionsPerSecond: 10_000 },
    log: { level: 'silent' },
    ...extra,
  });
  const hub = new Hub({ config, log: silentLogger(), ...(stage ? { stage } : {}) });
  await hub.start();
  let applied = 0;
  hub.ctx.bus.on('device.state', {}, () => { applied += 1; });
  const writesAtStart = hub.storage.writes;
  const ports = hub.ports();
  return {
    hub,
    mqttUrl: `mqtt://127.0.0.1:${ports.mqtt}`,
    httpUrl: `http://127.0.0.1:${ports.http}`,
    applied: () => applied,
    writes: () => hub.storage.writes - writesAtStart,
    async stop() {
      await hub.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
