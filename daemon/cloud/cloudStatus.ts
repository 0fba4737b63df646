import { readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { withConfig, processIo, type Io } from '../cliCommands.js';
import { redact } from './cloudLink.js';
import type { OutboxDocument } from './outbox.js';

interface LiveCloud { state: string; outbox: number; lastAckedSeq: number | null; lastAckAgeMs: number | null; lastError: { code: string; message: string; at: string } | null }

/**
 * `voicehub cloud status`: the link as the running hub sees it (its /health `checks.cloud`, from the
 * configured HTTP port or `--hub URL`) and the outbox as it is on disk, so it answers with the hub stopped
 * too. Exit 1 when a cloud is configured, the hub runs, and the link is not up.
 */
export async function cloudStatus(options: { configPath?: string; json?: boolean; hub?: string }, io: Io = processIo): Promise<number> {
  return withConfig(options.configPath, io, async (config) => {
    const { cloud } = config;
    const stored = await readOutbox(join(config.dataDir, 'cloud-outbox.json'));
    const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
    const hubUrl = options.hub ?? (config.http.port === 0 ? null : `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`);
    const live = hubUrl ? await liveCloud(hubUrl) : null;
    const oldest = stored?.events[0]?.ts ?? null;
    const report = {
      url: cloud.url ? redact(cloud.url) : null,
      hubId: cloud.hubId,
      hubRunning: live !== null,
      state: live?.state ?? (cloud.url ? 'unknown (hub not running)' : 'off'),
      outbox: live?.outbox ?? stored?.events.length ?? 0,
      lastAckedSeq: live?.lastAckedSeq ?? stored?.lastAckedSeq ?? 0,
      lastAckAgeMs: live?.lastAckAgeMs ?? null,
      oldestWaitingTs: oldest === null ? null : new Date(oldest).toISOString(),
      lastError: live?.lastError ?? null,
    };
    const bad = cloud.url !== null && live !== null && live.state !== 'connected';
    if (options.json) {
      io.out(JSON.stringify(report, null, 2));
      return bad ? 1 : 0;
    }
    if (!cloud.url) {
      io.out('cloud: off (cloud.url is not set)');
      if (report.outbox > 0) io.out(`outbox: ${report.outbox} events kept from when a cloud was configured`);
      return 0;
    }
    io.out(`cloud:      ${report.url}${cloud.hubId ? ` (hub id ${cloud.hubId})` : ''}`);
    io.out(`link:       ${report.state}${report.lastAckAgeMs !== null ? `, last ack ${seconds(report.lastAckAgeMs)} ago` : ''}`);
    io.out(`outbox:     ${report.outbox} event${report.outbox === 1 ? '' : 's'} waiting${oldest !== null && report.outbox > 0 ? ` (oldest from ${report.oldestWaitingTs})` : ''}; last acked seq ${report.lastAckedSeq}`);
    if (report.lastError) io.out(`last error: ${report.lastError.code}: ${report.lastError.message} (${report.lastError.at})`);
    return bad ? 1 : 0;
  });
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

async function readOutbox(file: string): Promise<OutboxDocument | null> {
  // The main copy, else the backup storage keeps (a write in progress or a torn file).
  for (const path of [file, `${file}.bak`]) {
    try {
      const doc = JSON.parse(await readFile(path, 'utf8')) as OutboxDocument;
      if (doc && Array.isArray(doc.events)) return doc;
    } catch {
      // missing or torn: the next copy
    }
  }
  return null;
}

/** checks.cloud from a running hub's /health; null when none answers within 2 s. node:http: see doctor.ts. */
function liveCloud(base: string): Promise<LiveCloud | null> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL('/health', base);
    } catch {
      resolve(null);
      return;
    }
    const req = get(url, { timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { if (body.length < 262144) body += chunk; });
      res.on('end', () => {
        try {
          const cloud = (JSON.parse(body) as { checks?: { cloud?: LiveCloud } }).checks?.cloud;
          resolve(cloud && typeof cloud.state === 'string' ? cloud : null);
        } catch {
          resolve(null);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}
