import { parentPort, workerData } from 'node:worker_threads';
import si from 'systeminformation';

/**
 * Runs in a worker thread: systeminformation spawns shell commands synchronously for some readings
 * (e.g. vcgencmd on a Pi), which would block the hub's event loop. Posts one sample per interval.
 */
const { intervalMs, dataDir } = workerData as { intervalMs: number; dataDir: string };

async function sample(): Promise<void> {
  const [temp, mem, disks, load] = await Promise.all([
    si.cpuTemperature().catch(() => null),
    si.mem().catch(() => null),
    si.fsSize().catch(() => []),
    si.currentLoad().catch(() => null),
  ]);
  const disk = disks
    .filter((d) => dataDir === d.mount || dataDir.startsWith(d.mount.endsWith('/') ? d.mount : `${d.mount}/`))
    .sort((a, b) => b.mount.length - a.mount.length)[0];
  parentPort?.postMessage({
    cpuTempC: temp && temp.main !== null && temp.main !== undefined && temp.main > -100 ? temp.main : null,
    cpuLoadPct: load ? Math.round(load.currentLoad * 10) / 10 : null,
    memFreeMB: mem ? Math.round(mem.available / 1048576) : null,
    memTotalMB: mem ? Math.round(mem.total / 1048576) : null,
    diskFreeMB: disk ? Math.round(disk.available / 1048576) : null,
    sampledAt: Date.now(),
  });
}

async function loop(): Promise<void> {
  await sample();
  setTimeout(() => void loop(), intervalMs);
}

void loop();
