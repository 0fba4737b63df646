import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

type TestContext = { after(fn: () => unknown): void };

/** The mosquitto binary (Debian's package `mosquitto`), or null: tests that need it skip themselves. */
export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/local/bin/mosquitto']
  .find((p) => spawnSync(p, ['-h']).error === undefined) ?? (spawnSync('mosquitto', ['-h']).error === undefined ? 'mosquitto' : null);

/** A real Mosquitto on a loopback port, in its own temp dir; restartable on the same port. */
export class Mosquitto {
  private child: ChildProcess | null = null;
  constructor(readonly port: number, readonly wsPort: number, private readonly conf: string) {}

  static async start(t: TestContext): Promise<Mosquitto> {
    const dir = await mkdtemp(join(tmpdir(), 'voicehub-mosquitto-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    // A port found free may be taken again before mosquitto binds it: try a fresh pair a few times.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const wsPort = await freePort();
      const conf = join(dir, 'mosquitto.conf');
      await writeFile(conf, [
        'per_listener_settings false', 'allow_anonymous true', 'persistence false', 'log_dest none',
        `listener ${port} 127.0.0.1`, `listener ${wsPort} 127.0.0.1`, 'protocol websockets', '',
      ].join('\n'));
      const broker = new Mosquitto(port, wsPort, conf);
      t.after(() => broker.stop());
      try {
        await broker.run();
        return broker;
      } catch (err) {
        await broker.stop();
        if (attempt === 3) throw err;
      }
    }
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async run(): Promise<void> {
    const child = spawn(MOSQUITTO!, ['-c', this.conf], { stdio: 'ignore' });
    this.child = child;
    // Should the test process die before its after hooks run, the broker goes with it.
    const killOnExit = (): void => { child.kill('SIGKILL'); };
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    // Ready once it accepts TCP connections; bounded, and a broker that exits early fails the test.
    for (let attempt = 0; attempt < 100; attempt++) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
      if (await accepts(this.port) && await accepts(this.wsPort)) return;
      await sleep(50);
    }
    throw new Error('mosquitto did not start listening');
  }

  /** Stops the broker: SIGTERM by default, SIGKILL for a crash (no DISCONNECTs, sockets cut). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
