import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, startDaemon, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { pidIn, voiceToken, writePlugin } from '../helpers/firePlugins.js';
import { VoiceClient } from '../helpers/voiceClient.js';

/**
 * Issue 18, plugins under fire: a plugin that asks for hundreds of MB at once. Buffers are outside its 96 MB
 * heap cap, and the once-a-second RSS check comes after the allocation: the data limit of its process refuses
 * the allocation itself, and what it kept gets it killed with PLUGIN_MEMORY_LIMIT and restarted.
 */


test('a plugin asking for 320 MB at once is refused past its data limit inside its own process, then killed with PLUGIN_MEMORY_LIMIT and restarted; the hub serves on', { skip: process.platform !== 'linux' && 'reads /proc', timeout: 120_000 }, async (t) => {
  const dir = await makeTempDir('voicehub-attack-memory-');
  const plugins = join(dir, 'plugins');
  // Reserving (allocUnsafeSlow: mapped, not touched, so not resident) shows the data limit alone; eating
  // (filled) grows the resident set too.
  await writePlugin(plugins, 'reserver', 'com.attack.reserver', 'Reserve', 'reserve the memory',
    `() => { const got = []; try { for (let i = 0; i < 5; i++) got.push(Buffer.allocUnsafeSlow(64 * 1024 * 1024)); } catch (err) { return { text: 'refused after ' + got.length + ' (' + err.constructor.name + ') in ' + process.pid }; } return { text: 'reserved all in ' + process.pid }; }`);
  await writePlugin(plugins, 'hog', 'com.attack.hog', 'Hog', 'eat the memory',
    '() => { globalThis.keep ??= []; for (let i = 0; i < 5; i++) globalThis.keep.push(Buffer.alloc(64 * 1024 * 1024, 1)); return { text: "ate all" }; }');
  await writePlugin(plugins, 'pid', 'com.attack.pid', 'Pid', 'which process', '() => ({ text: "pid " + process.pid })');
  const d = await startDaemon({ dir, nodeArgs: SHIPPED_NODE_FLAGS, config: ['plugins:', `  dir: ${JSON.stringify(plugins)}`, '  timeoutMs: 20000', ''].join('\n') });
  t.after(() => d.cleanup());
  const c = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await voiceToken(d, 'hog'));
  t.after(() => c.ws.terminate());

  const other = await c.say('p1', 'which process');
  assert.equal(other.type, 'reply', JSON.stringify(other));
  // The limit the plugin's process runs under (the shell set it before exec'ing Node: the same pid).
  const limits = readFileSync(`/proc/${pidIn(other.text)}/limits`, 'utf8');
  assert.match(limits, /^Max data size\s+234881024\s+/m);

  const reserved = await c.say('r1', 'reserve the memory');
  const m = /^refused after (\d) \(RangeError\) in (\d+)$/.exec(String(reserved.text));
  assert.ok(m, `320 MB at once was refused inside the plugin: ${JSON.stringify(reserved)}`);
  assert.ok(Number(m[1]) < 4, `at most 3 × 64 MB were granted, got ${m[1]}`);
  // Refused, not killed: it answers again from the same process.
  assert.equal((await c.say('r2', 'reserve the memory')).text, reserved.text);

  // Filled Buffers: refused at the same limit, and what it holds is past 160 MB resident: killed, not more.
  const hog = await c.say('h1', 'eat the memory');
  assert.equal(hog.type, 'error', JSON.stringify(hog));
  assert.equal(hog.code, 'PLUGIN_FAILED');
  const killed = await d.waitForLine((l) => l.plugin === 'com.attack.hog' && l.code === 'PLUGIN_MEMORY_LIMIT', 30_000);
  assert.ok(Number(killed.rssMB) > 160 && Number(killed.rssMB) < 224, `killed at ${killed.rssMB} MB`);
  console.log(`320 MB asked for at once: ${m[1]} × 64 MB granted, the rest refused in the plugin; filled, it was killed at ${killed.rssMB} MB resident`);
  await d.waitForLine((l) => l.plugin === 'com.attack.hog' && l.msg === 'plugin process restarted', 60_000);

  // The other plugin kept its process; the hub answers.
  const again = await c.say('p2', 'which process');
  assert.equal(again.text, other.text);
  assert.equal((await fetch(`${d.url}/health`)).status, 200);
  assert.equal(d.child.exitCode, null);
});
