import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { makeTempDir, startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { readKey } from '../../daemon/auth/keys.js';
import { signToken } from '../../daemon/auth/tokens.js';
import { VOICE_ERROR_CODES } from '../../daemon/core/errors.js';
import { crashLines, deepJson, jsonValue, params, assertMemoryBack, hubMemory, FUZZ_TIMEOUT, undocumentedCodes } from './fuzz.js';

/**
 * Fuzzing the /voice front door of the real daemon (the bundle, the unit's heap flags): arbitrary text
 * frames, binary frames and audio frames out of order, from a fresh client per run. Each run must get only
 * documented voice error codes; the fuzzing client is still served (or cleanly closed), and a second,
 * well-behaved client opened before the fuzzing is answered after every run. At the end: no crash logged,
 * stderr empty, the hub alive, and its memory back near where it started.
 */

let d: DaemonProcess;
let dataDir: string;
let url: string;
let good: VoiceClient;
const clients: VoiceClient[] = [];

before(async () => {
  const dir = await makeTempDir();
  dataDir = join(dir, 'data');
  d = await startDaemon({ dir, nodeArgs: SHIPPED_NODE_FLAGS });
  url = `ws://127.0.0.1:${d.httpPort}/voice`;
  good = await VoiceClient.connect(url, await token('well-behaved'));
  clients.push(good);
});
after(async () => {
  for (const c of clients) c.ws.terminate();
  await d?.cleanup();
});

async function token(sub: string, scopes: readonly string[] = ['voice']): Promise<string> {
  return signToken((await readKey(dataDir))!, { sub, scopes: scopes as never });
}
/** The door a fuzz client comes through: a voice client, or the page's (`?feed=devices`), with the scopes each may hold. */
const door = fc.record({ feed: fc.boolean(), scopes: fc.constantFrom(['voice'], ['voice', 'devices:read'], ['devices:read'], ['admin']) });

type Out = { text: string } | { binary: Buffer };

const ids = fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.string({ maxLength: 80 }), jsonValue());
const types = fc.oneof(
  fc.constantFrom('utterance', 'audio.start', 'audio.end', 'ping', 'pong', 'reply', 'speak', 'state', 'error', 'transcript', ''),
  jsonValue(),
);
/** A frame close to the protocol's: a known or odd type, with its fields present, missing or of the wrong shape. */
const protocolish = fc.record({
  type: types, id: ids,
  text: fc.oneof(fc.string({ maxLength: 600 }), fc.string({ unit: 'grapheme', maxLength: 600 }), jsonValue()),
  lang: fc.oneof(fc.constantFrom('en', 'zh', 'xx', ''), jsonValue()),
  rate: fc.oneof(fc.constantFrom(16000, 0, -1, 1e308, Number.NaN), jsonValue()),
  format: fc.oneof(fc.constantFrom('s16le', 'opus', ''), jsonValue()),
  tts: jsonValue(),
  constructor: jsonValue(),
}, { requiredKeys: [] });

const frame: fc.Arbitrary<Out> = fc.oneof(
  protocolish.map((o) => ({ text: JSON.stringify(o) })),
  fc.tuple(protocolish, jsonValue()).map(([o, extra]) => ({ text: JSON.stringify({ ...(extra && typeof extra === 'object' ? extra : {}), ...o }) })),
  jsonValue().map((v) => ({ text: JSON.stringify(v) ?? 'undefined' })),
  fc.string({ maxLength: 300 }).map((s) => ({ text: s })),
  jsonValue().map((v) => ({ text: `{"type":"utterance","id":"p","text":"hi","__proto__":${JSON.stringify(v) ?? 'null'}}` })),
  deepJson.map((s) => ({ text: s })),
  // Around the 64 KiB text cap.
  fc.integer({ min: 65_000, max: 70_000 }).map((n) => ({ text: JSON.stringify({ type: 'utterance', id: 'big', text: 'a'.repeat(n) }) })),
  fc.uint8Array({ maxLength: 4096 }).map((b) => ({ binary: Buffer.from(b) })),
  // Audio between, before, after or without a start: up to the 1 MiB audio cap and past it.
  fc.integer({ min: 1, max: 1_100_000 }).map((n) => ({ binary: Buffer.alloc(n, 7) })),
);

function send(c: VoiceClient, out: Out): Promise<void> {
  return new Promise((resolve) => {
    if (c.ws.readyState !== c.ws.OPEN) return resolve();
    // A send on a socket the hub closed meanwhile fails; that is an allowed answer, not a finding.
    if ('text' in out) c.ws.send(out.text, () => resolve());
    else c.ws.send(out.binary, { binary: true }, () => resolve());
  });
}

/** Resolves when the client is answered `pong` or closed; rejects when neither comes. */
async function servedOrClosed(c: VoiceClient): Promise<'served' | 'closed'> {
  if (c.ws.readyState !== c.ws.OPEN) return 'closed';
  const before = c.frames.filter((f) => f.type === 'pong').length;
  c.send({ type: 'ping' });
  return Promise.race([
    c.closed.then(() => 'closed' as const),
    c.waitFor(() => c.frames.filter((f) => f.type === 'pong').length > before, 20_000).then(() => 'served' as const),
  ]);
}

test('voice frames of any shape, size and order: only documented codes, the hub serves a well-behaved client throughout, no crash, memory back near baseline', { timeout: FUZZ_TIMEOUT }, async () => {
  const baseline = await hubMemory(d);
  let run = 0;
  const outcomes = { served: 0, closed: 0 };
  await fc.assert(fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 12 }), door, async (frames, { feed, scopes }) => {
    const c = await VoiceClient.connect(feed ? `${url}?feed=devices` : url, await token(`fuzz-${run++}`, scopes));
    clients.push(c);
    try {
      for (const f of frames) await send(c, f);
      outcomes[await servedOrClosed(c)]++;
      for (const f of c.frames) {
        if (f.type === 'error') assert.ok((VOICE_ERROR_CODES as readonly string[]).includes(f.code as string), `undocumented code in ${JSON.stringify(f)}`);
      }
      assert.equal(await servedOrClosed(good), 'served', 'the well-behaved client is still answered');
    } finally {
      c.ws.terminate();
      await c.closed;
    }
  }), params(150));
  // The well-behaved client's utterance still goes through the whole pipeline (no devices: NO_MATCH).
  const answer = await good.say('after-fuzz', 'turn on the kitchen light');
  assert.ok(answer.type === 'reply' || answer.code === 'NO_MATCH', JSON.stringify(answer));
  assert.deepEqual(crashLines(d.lines), []);
  assert.deepEqual(undocumentedCodes(d.lines), [], 'only documented codes in the hub\'s log');
  assert.equal(d.stderr, '');
  assert.equal(d.child.exitCode, null, 'the hub is still running');
  const memory = await assertMemoryBack(d, baseline, 'voice fuzz');
  console.log(`voice fuzz: ${run} clients (${outcomes.served} served on, ${outcomes.closed} closed by the hub); ${memory}`);
});
