import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem, platform, release, arch } from 'node:os';
import type { MachineFacts } from './report.js';
import { REPO_ROOT } from '../helpers/daemon.js';

/** The facts the report opens with: what the figures were measured on, and at which commit. */
export function machineFacts(): MachineFacts {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) commit += ' (with uncommitted changes)';
  } catch { /* not a git checkout (a packed copy): say unknown */ }
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    ramGB: totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${platform()} ${release()} ${arch()}`,
    commit,
    loadAverage: loadavg()[0] ?? 0,
  };
}
