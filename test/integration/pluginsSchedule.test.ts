/**
 * Issue 18: `api.schedule.every` takes a period of at least a second (MIN_EVERY_MS), in process and in an
 * isolated plugin's process alike: shorter throws SCHEDULE_TOO_FREQUENT at once, and no job is made in the hub.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../helpers/daemon.js';
import { until } from '../helpers/until.js';
import { call, hostFor, makeContext, request } from '../unit/plugins/harness.js';

/** Tries a 10 ms and a 999 ms period, then a 1 s one whose first run is spoken; answers with what it caught. */
const TICKER = `export function onRegister(api) {
  api.intents.handle('Tick', () => {
    const caught = [];
    for (const ms of [10, 999]) {
      try { api.schedule.every(ms, () => api.speak(undefined, 'too fast ran')); caught.push('made'); }
      catch (err) { caught.push(err.code); }
    }
    const job = api.schedule.every(1000, () => { job.cancel(); api.speak(undefined, 'a second passed'); });
    return { text: caught.join(' ') };
  });
}
`;

for (const isolation of ['none', 'process'] as const) {
  test(`api.schedule.every under 1 s throws SCHEDULE_TOO_FREQUENT and makes no job; 1 s runs (${isolation})`, { timeout: 60_000 }, async (t) => {
    const root = await makeTempDir('voicehub-schedule-');
    const dir = join(root, 'plugins');
    await mkdir(dir);
    await writeFile(join(dir, 'ticker.mjs'), TICKER);
    await writeFile(join(dir, 'ticker.voicehub.json'), JSON.stringify({
      id: 'com.t.ticker', version: '1.0.0', capabilities: [], intents: ['Tick'], requiredScopes: ['schedule', 'voice:speak'],
    }));
    const h = await makeContext({ plugins: { dir, 'com.t.ticker': { grant: ['schedule', 'voice:speak'], isolation } } }, { dir: root });
    const host = hostFor(h, {});
    t.after(async () => { await host.stop(); await h.close(); await rm(root, { recursive: true, force: true }); });
    await host.start();
    const info = host.list().find((p) => p.id === 'com.t.ticker')!;
    assert.equal(info.state, 'running', info.reason ?? '');
    assert.equal(info.isolation, isolation);
    assert.equal((await host.handleIntent(request('Tick'), call())).reply.text, 'SCHEDULE_TOO_FREQUENT SCHEDULE_TOO_FREQUENT');
    await until(() => (h.spoken.some((s) => s.text === 'a second passed') ? true : undefined), 'the 1 s job', 30_000);
    assert.equal(h.spoken.filter((s) => s.text === 'too fast ran').length, 0, 'no refused job ever ran');
  });
}
