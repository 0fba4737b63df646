import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import fc from 'fast-check';
import { startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { DOCUMENTED_CODES, crashLines, jsonValue, params, assertMemoryBack, hubMemory, FUZZ_TIMEOUT, undocumentedCodes } from './fuzz.js';

/**
 * Fuzzing the HTTP port of the real daemon with raw bytes over TCP (a client library would refuse much of
 * it): methods, paths (segments, percent escapes, traversal, the routes and near misses), query strings,
 * headers (names, values, tokens, trace ids, lengths). Every answer is an HTTP status whose JSON error
 * body carries a documented code, or the connection is closed; /health answers a well-behaved client
 * after every run.
 */

// The hub answers 408 and closes a connection whose head is not in after http.headersTimeoutMs (5 s).
const WAIT_MS = Number(process.env.VOICEHUB_FAULTS_HTTP_WAIT_MS ?? 15_000);

let d: DaemonProcess;
before(async () => { d = await startDaemon({ nodeArgs: SHIPPED_NODE_FLAGS }); });
after(async () => { await d?.cleanup(); });

const seg = fc.oneof(fc.constantFrom('api', 'devices', 'plugins', 'health', 'metrics', 'voice', 'pair', '..', '.', '%2e%2e', '%00', '%ff',
  '%', '~', 'data', 'signing-key.json', '', '%2F', 'etc', 'passwd', '__proto__'), fc.webSegment(), fc.string({ maxLength: 12 }).map(encodeURIComponent));
const path = fc.oneof(fc.array(seg, { maxLength: 6 }).map((s) => '/' + s.join('/')), fc.constantFrom('*', '//', 'http://x/health', '/health?', '/?'),
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n ]/g, '')));
const query = fc.oneof(fc.constant(''), fc.dictionary(fc.oneof(fc.constantFrom('token', 'q', 'id', '__proto__'), fc.string({ maxLength: 8 })),
  fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('a.b.c', 'eyJhbGciOiJub25lIn0.e30.'))).map((q) => '?' + new URLSearchParams(q).toString()),
fc.string({ maxLength: 30 }).map((s) => '?' + s.replace(/[\r\n ]/g, '')));
const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'get', 'BREW'), fc.stringMatching(/^[A-Z]{1,10}$/));
const headerName = fc.oneof(fc.constantFrom('Authorization', 'Content-Type', 'Content-Length', 'Transfer-Encoding', 'X-Trace-Id', 'Upgrade', 'Connection',
  'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Host', 'Expect', 'Cookie', 'X-Forwarded-For'), fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/));
const headerValue = fc.oneof(fc.constantFrom('Bearer ', 'Bearer a.b.c', 'Bearer eyJhbGciOiJub25lIn0.e30.', 'websocket', 'Upgrade', 'chunked', '-1', '99999999999',
  '100-continue', 'application/json', '13'), fc.string({ maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, '')), fc.integer({ min: 0, max: 9000 }).map((n) => 'x'.repeat(n)));
const body = fc.oneof(fc.constant(''), jsonValue().map((v) => JSON.stringify(v) ?? ''), fc.string({ maxLength: 100 }));

const request = fc.tuple(method, path, query, fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 }), body)
  .map(([m, p, q, hs, b]) => `${m} ${p}${q} HTTP/1.1\r\nHost: 127.0.0.1\r\n${hs.map(([k, v]) => `${k}: ${v}\r\n`).join('')}Connection: close\r\n\r\n${b}`);
const raw = fc.oneof(request, request, fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')));

/** Sends the bytes, half-closes, and reads everything the hub answers until it closes the connection. */
function exchange(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(d.httpPort, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no close within ${WAIT_MS} ms; got ${JSON.stringify(got.slice(0, 200))}`)); }, WAIT_MS);
    socket.on('data', (c: Buffer) => { got += c.toString('latin1'); });
    socket.on('error', () => { /* a reset is an allowed end */ });
    socket.on('close', () => { clearTimeout(timer); resolve(got); });
    socket.end(Buffer.from(bytes, 'latin1'));
  });
}

function checkAnswer(answer: string): void {
  if (answer === '') return; // closed without an answer
  const m = /^HTTP\/1\.1 (\d{3}) /.exec(answer);
  assert.ok(m, `not an HTTP answer: ${JSON.stringify(answer.slice(0, 120))}`);
  const status = Number(m[1]);
  assert.ok(status < 500 || status === 503, `status ${status}: ${answer.slice(0, 400)}`);
  const bodyText = answer.slice(answer.indexOf('\r\n\r\n') + 4);
  if (/content-type: application\/json/i.test(answer) && bodyText.startsWith('{"error"')) {
    const code = (JSON.parse(bodyText) as { error: { code: string } }).error.code;
    assert.ok(DOCUMENTED_CODES.has(code), `undocumented code ${code}`);
  }
}

test('HTTP requests of any method, path, query and headers, and raw bytes: documented answers or a closed connection, /health served after each, no crash', { timeout: FUZZ_TIMEOUT }, async () => {
  const baseline = await hubMemory(d);
  await fc.assert(fc.asyncProperty(raw, async (bytes) => {
    checkAnswer(await exchange(bytes));
    const health = await fetch(`${d.url}/health`);
    assert.ok(health.status === 200, `health ${health.status}`);
    await health.arrayBuffer();
  }), params(1000));
  assert.deepEqual(crashLines(d.lines), []);
  assert.deepEqual(undocumentedCodes(d.lines), [], 'only documented codes in the hub\'s log');
  assert.equal(d.stderr, '');
  assert.equal(d.child.exitCode, null);
  const memory = await assertMemoryBack(d, baseline, 'http fuzz');
  console.log(`http fuzz: ${memory}`);
});
