import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { Systeminformation } from 'systeminformation';

// Only the three systeminformation modules the sample needs: its index loads ~20 modules, which costs
// several MB of memory in a thread that lives as long as the hub.
const require = createRequire(import.meta.url);
const si = {
  ...(require('systeminformation/lib/cpu.js') as { cpuTemperature(): Promise<Systeminformation.CpuTemperatureData>; currentLoad(): Promise<Systeminformation.CurrentLoadData> }),
  ...(require('systeminformation/lib/memory.js') as { mem(): Promise<Systeminformation.MemData> }),
  ...(require('systeminformation/lib/filesystem.js') as { fsSize(): Promise<Systeminformation.FsSizeData[]> }),
};

/**
 * Runs in a short-lived worker thread: systeminformation runs shell commands synchronously for some
 * readings (`cat /sys/class/thermal/…`, `cat /proc/mounts`), which would block the hub's event loop.
 * Posts one sample and ends.
 */
const { dataDir } = workerData as { dataDir: string };

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

await sample();
