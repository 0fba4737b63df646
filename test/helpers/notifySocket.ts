import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './daemon.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/systemd');

export interface Datagram { t: bigint; data: string }

const has = (cmd: string, args: string[]) => new Promise<boolean>((done) => execFile(cmd, args, (err) => done(!err)));

/** Why a notify-socket test cannot run here, or false when it can. */
export async function notifySkipReason(): Promise<string | false> {
  const [python, notify] = await Promise.all([has('python3', ['--version']), has('systemd-notify', ['--version'])]);
  return !python ? 'python3 is not installed (it plays the notify socket)' : !notify ? 'systemd-notify is not installed' : false;
}

/**
 * Plays systemd's notify socket: a python3 helper (Node has no unix datagram sockets) bound at `address`
 * (a path, or @name for the abstract namespace), collecting every datagram.
 */
export async function startNotifyReceiver(address: string): Promise<{ datagrams: Datagram[]; stop(): Promise<void> }> {
  const child = spawn('python3', [join(FIXTURES, 'notifyReceiver.py'), address], { stdio: ['ignore', 'pipe', 'inherit'] });
  const datagrams: Datagram[] = [];
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await new Promise<void>((ready, fail) => {
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`receiver exited early (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const parsed = JSON.parse(line) as { listening?: boolean; t?: number; data?: string };
      if (parsed.listening) ready();
      else datagrams.push({ t: BigInt(parsed.t!), data: parsed.data! });
    });
  });
  return {
    datagrams,
    async stop() {
      child.kill();
      await exited;
    },
  };
}
