/**
 * Start-up does only what `listening` needs; the rest (the built-in sentences, the speech grammar and its
 * warm recogniser, the Traditional-Chinese tables, the first system sample) comes right after it or at first
 * use. These tests hold the hub to what users see: a command spoken the moment the hub says `listening` is
 * heard and acted on, the first Traditional-Chinese utterance is understood, and a bad config still stops
 * start-up at once with its exit code. What start-up no longer loads (commander, yaml, nunjucks,
 * @opentelemetry/api) is checked in the bundle itself, and each still works at its first use: a YAML config
 * (above), an HA template, any other CLI command. The real bundle, with the unit's node flags.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { connectAsync } from 'mqtt';
import { startDaemon, runCli, makeTempDir, CLI, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { silence, speakRaw } from '../helpers/speechAudio.js';
import { until } from '../helpers/until.js';

const CONFIG = `devices:
  - { id: kitchen_light, name: Kitchen light, area: kitchen, type: light, commandTopic: home/kitchen/light/set, stateTopic: home/kitchen/light }
speech: { vad: { silenceMs: 400 } }
`;

test('a command spoken the moment the hub is listening, and a Traditional-Chinese first utterance, are acted on', { timeout: 90_000 }, async () => {
  const dir = await makeTempDir();
  const env = { VOICEHUB_DATA_DIR: join(dir, 'data') };
  // Everything the client needs is ready before the hub starts, so the first words come right at `listening`.
  const token = await runCli(['token', 'create', '--sub', 'kitchen-satellite'], { cwd: dir, env });
  assert.equal(token.code, 0, token.stderr);
  const pcm = Buffer.concat([silence(300), await speakRaw('turn on the kitchen light'), silence(800)]);
  const d = await startDaemon({ dir, config: CONFIG, nodeArgs: SHIPPED_NODE_FLAGS });
  const client = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token.stdout.trim());
  const device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  try {
    const commands: string[] = [];
    device.on('message', (topic, payload) => commands.push(`${topic} ${payload.toString()}`));
    await device.subscribeAsync('home/#');
    // Spoken before the grammar exists (it is built after `listening`): recognised once it is.
    client.send({ type: 'audio.start', id: 's1', rate: 16000, format: 's16le' });
    for (let at = 0; at < pcm.length; at += 3200) client.ws.send(pcm.subarray(at, at + 3200));
    client.send({ type: 'audio.end', id: 's1' });
    const spoken = await client.waitFor((f) => (f.type === 'reply' || f.type === 'error') && f.id === 's1', 60_000);
    assert.equal(spoken.type, 'reply', JSON.stringify(spoken));
    assert.deepEqual(spoken.actions, [{ device: 'kitchen_light', command: 'turn_on' }]);
    const transcript = client.frames.find((f) => f.type === 'transcript' && f.id === 's1');
    assert.equal(transcript?.text, 'turn on the kitchen light');

    // The first Chinese the hub hears is Traditional: the folding tables are built for it, there and then.
    const tw = await client.say('t1', '關閉廚房的燈');
    assert.equal(tw.type, 'reply', JSON.stringify(tw));
    assert.deepEqual(tw.actions, [{ device: 'kitchen_light', command: 'turn_off' }]);
    assert.match(String(tw.text), /關/, `a Traditional reply: ${tw.text}`);
    assert.doesNotMatch(String(tw.text), /关|厨房|灯/, `no Simplified left: ${tw.text}`);

    const sent = () => commands.filter((c) => c.startsWith('home/kitchen/light/set'));
    await until(() => (sent().length >= 2 ? true : undefined), 'both MQTT commands', 15_000);
    assert.deepEqual(sent(), ['home/kitchen/light/set ON', 'home/kitchen/light/set OFF']);
    // The speech grammar was built after `listening`, not before it.
    const order = d.lines.map((l) => l.msg);
    assert.ok(order.indexOf('speech grammar built') > order.indexOf('listening'), order.join(' | '));
  } finally {
    client.close();
    await device.endAsync();
    await d.cleanup();
  }
});

test('a bad config still stops start-up at once, with exit code 2 and the key it names', { timeout: 30_000 }, async () => {
  // (Not http.port: the test's environment sets VOICEHUB_HTTP_PORT, which wins over the file.)
  const d = await startDaemon({ config: 'voice: { maxTextLength: many }\n', nodeArgs: SHIPPED_NODE_FLAGS, noWait: true });
  try {
    const listening = d.waitForLine((l) => l.msg === 'listening', 25_000).then(() => 'listening', () => 'not listening');
    const outcome = await Promise.race([d.exited().then(({ code }) => code), listening]);
    assert.equal(outcome, 2, d.stderr);
    assert.match(d.stderr, /config error: voice\.maxTextLength/);
  } finally {
    await d.cleanup();
  }
});

/**
 * The chunks `voicehub start` evaluates before `listening`: cli.js, what it imports statically, the chunk of
 * its `import('./main.js')` and that chunk's static imports. What is loaded only at first use must not be in
 * them (the wrapper esbuild gives each bundled CommonJS module is named after its node_modules path).
 */
async function startChunks(): Promise<Map<string, string>> {
  const dir = dirname(CLI);
  const cli = await readFile(CLI, 'utf8');
  const main = /import\("\.\/(main-[A-Z0-9]+\.js)"\)/.exec(cli)?.[1];
  assert.ok(main, 'cli.js imports the main chunk on demand');
  const loaded = new Map<string, string>([['cli.js', cli]]);
  const queue = [main!, ...staticImports(cli)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (loaded.has(file)) continue;
    const text = await readFile(join(dir, file), 'utf8');
    loaded.set(file, text);
    queue.push(...staticImports(text));
  }
  return loaded;
}

/** `import … from "./chunk.js"` and `import "./chunk.js"`, not `import("./chunk.js")`. */
function staticImports(text: string): string[] {
  return [...text.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)].map((m) => m[1]!);
}

test('start-up loads neither commander, yaml, nunjucks nor @opentelemetry/api; the bundle still has the lazy ones', async () => {
  const chunks = await startChunks();
  assert.ok(chunks.size >= 3, [...chunks.keys()].join(' '));
  const startText = [...chunks.values()].join('\n');
  for (const pkg of ['commander', 'yaml', 'nunjucks', '@opentelemetry/api']) {
    assert.ok(!startText.includes(`node_modules/${pkg}/`), `${pkg} is in a chunk start-up loads`);
  }
  // They are bundled still (commander, yaml) or in node_modules (nunjucks): loaded when used, not gone.
  const all = await readdir(dirname(CLI));
  const lazyText = (await Promise.all(all.filter((f) => f.endsWith('.js') && !chunks.has(f)).map((f) => readFile(join(dirname(CLI), f), 'utf8')))).join('\n');
  assert.ok(lazyText.includes('node_modules/commander/'), 'commander is in a chunk of its own');
  assert.ok(lazyText.includes('node_modules/yaml/'), 'yaml is in a chunk of its own');
  // What `voicehub start` runs (daemon/main/startScript.ts): the same, as one script. yaml is in it, inside the
  // wrapper esbuild runs at its first require (a config file to read); the others are not in it at all.
  const startScript = await readFile(join(dirname(CLI), 'start.vm.js'), 'utf8');
  for (const pkg of ['commander', 'nunjucks', '@opentelemetry/api']) {
    assert.ok(!startScript.includes(`node_modules/${pkg}/`), `${pkg} is in the start script`);
  }
  assert.match(startScript, /__commonJS\(\{"node_modules\/yaml\/dist\/index\.js"\(/, 'yaml is wrapped, run at its first require');
});

test('the bundle carries the Chinese folding scan\'s characters as computed at build time', async () => {
  const all = (await readdir(dirname(CLI))).filter((f) => f.endsWith('.js'));
  const text = (await Promise.all(all.map((f) => readFile(join(dirname(CLI), f), 'utf8')))).join('\n');
  // esbuild replaced every use by the string: a name left over would be read as undefined, and the hub would
  // scan OpenCC's tables at its first Chinese text (a plugin's sentences, before \`listening\`).
  assert.ok(text.includes('foldableCharacters'), 'the fallback is still there for unbundled runs');
  assert.ok(!/\bVOICEHUB_FOLDABLE\b/.test(text), 'VOICEHUB_FOLDABLE is replaced by its value in the bundle');
});

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  for (const end = Date.now() + timeoutMs; Date.now() < end;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('with no config file the hub starts, an HA template is parsed and rendered at its first use, and process CPU is counted', { timeout: 60_000 }, async () => {
  // No voicehub.yaml and no --config: the YAML reader is never loaded.
  const d = await startDaemon({ nodeArgs: SHIPPED_NODE_FLAGS });
  const mqtt = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  try {
    const token = await runCli(['token', 'create', '--sub', 'startup-test', '--scope', 'devices:read'], { cwd: d.dir, env: { VOICEHUB_DATA_DIR: join(d.dir, 'data') } });
    assert.equal(token.code, 0, token.stderr);
    const state = async (id: string) => {
      const res = await fetch(`${d.url}/api/devices`, { headers: { authorization: `Bearer ${token.stdout.trim()}` } });
      assert.equal(res.status, 200);
      return ((await res.json()) as { devices: Array<{ id: string; state: Record<string, unknown> }> }).devices.find((x) => x.id === id)?.state;
    };
    // A broken template first: the parser's own error, coded, from the lazily loaded parser.
    const broken = 'homeassistant/sensor/broken/config';
    await mqtt.publishAsync(broken, JSON.stringify({ stat_t: 'broken/state', uniq_id: 'broken', val_tpl: '{{ value_json.t ' }), { qos: 1 });
    const warned = await d.waitForLine((l) => l.level === 'warn' && l.topic === broken, 20_000);
    assert.equal(warned.code, 'TEMPLATE_INVALID', JSON.stringify(warned));
    await mqtt.publishAsync('homeassistant/sensor/hall/config', JSON.stringify({ stat_t: 'hall/t', uniq_id: 'hall_t', val_tpl: '{{ (value_json.t * 2) | round(1) }}' }), { qos: 1 });
    await eventually(async () => ((await state('hall_t')) ? true : undefined), 'the discovered sensor');
    await mqtt.publishAsync('hall/t', JSON.stringify({ t: 10.76 }), { qos: 1 });
    const value = await eventually(async () => (await state('hall_t'))?.value, 'the templated state');
    assert.equal(Number(value), 21.5);
    // prom-client's process CPU metric, whose @opentelemetry/api the bundle stubs, still counts.
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    const cpu = /^voicehub_process_cpu_seconds_total ([0-9.e+-]+)$/m.exec(metrics);
    assert.ok(cpu, 'voicehub_process_cpu_seconds_total is exported');
    assert.ok(Number(cpu[1]) > 0, metrics.slice(0, 200));
  } finally {
    await mqtt.endAsync();
    await d.cleanup();
  }
});

test('the other commands still go through commander: --version, a usage error on start, a mistyped command', { timeout: 30_000 }, async () => {
  const pkg = JSON.parse(await readFile(join(dirname(CLI), '..', '..', 'package.json'), 'utf8')) as { version: string };
  const version = await runCli(['--version']);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout.trim(), pkg.version);
  const extra = await runCli(['start', '--verbose']);
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /unknown option '--verbose'/);
  const typo = await runCli(['strat']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown command 'strat'\. Did you mean 'start'\?/);
});
