import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameParser, STATE_FRAMES, errorFrame } from '../../../daemon/voice/frames.js';

const parser = new FrameParser({ maxTextLength: 500, maxFrameBytes: 65536 });
const parse = (v: unknown) => parser.parse(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)));

test('accepts every client frame of PROTOCOL §3', () => {
  for (const frame of [
    { type: 'utterance', id: 'u1', text: 'turn on the kitchen light', lang: 'en' },
    { type: 'utterance', id: 'u2', text: '打开厨房的灯' },
    { type: 'utterance', id: 'u3', text: 'Mach das Licht in der Küche an, bitte 👍' },
    { type: 'audio.start', id: 'a1', rate: 16000, format: 's16le' },
    { type: 'audio.end', id: 'a1' },
    { type: 'ping' },
  ]) {
    const r = parse(frame);
    assert.ok(r.ok, `${JSON.stringify(frame)}: ${r.ok ? '' : r.message}`);
  }
});

test('extra unknown fields are ignored', () => {
  assert.ok(parse({ type: 'ping', client: 'x' }).ok);
});

test('refuses non-JSON, non-objects, unknown or missing types', () => {
  for (const bad of ['not json', '[1,2]', '"text"', 'null', '{}', '{"type":"dance","id":"1"}', '{"type":7}']) {
    const r = parse(bad);
    assert.equal(r.ok, false, bad);
  }
  const unknown = parse({ type: 'dance', id: 'd1' });
  assert.ok(!unknown.ok && /unknown frame type/.test(unknown.message) && unknown.id === 'd1');
});

test('refuses missing and wrong-typed fields, naming the id when it has one', () => {
  const cases: unknown[] = [
    { type: 'utterance', id: 'x' },
    { type: 'utterance', text: 'hi' },
    { type: 'utterance', id: 5, text: 'hi' },
    { type: 'utterance', id: 'x', text: 5 },
    { type: 'utterance', id: 'x', text: 'hi', lang: 'not a language' },
    { type: 'utterance', id: '', text: 'hi' },
    { type: 'audio.start', id: 'x', rate: 16000 },
    { type: 'audio.start', id: 'x', rate: 'fast', format: 's16le' },
    { type: 'audio.start', id: 'x', rate: 16000, format: 'mp9' },
    { type: 'audio.end' },
  ];
  for (const c of cases) assert.equal(parse(c).ok, false, JSON.stringify(c));
  const r = parse({ type: 'utterance', id: 'x' });
  assert.ok(!r.ok && r.id === 'x' && /text/.test(r.message));
});

test('text: at most maxTextLength characters counted as code points, any script', () => {
  assert.ok(parse({ type: 'utterance', id: 'a', text: 'a'.repeat(500) }).ok);
  assert.equal(parse({ type: 'utterance', id: 'a', text: 'a'.repeat(501) }).ok, false);
  assert.equal(parse({ type: 'utterance', id: 'a', text: 'a'.repeat(600) }).ok, false);
  assert.ok(parse({ type: 'utterance', id: 'a', text: '灯'.repeat(500) }).ok, '500 Han characters are 500 characters');
  assert.ok(parse({ type: 'utterance', id: 'a', text: '😀'.repeat(500) }).ok, 'astral characters count once');
  assert.equal(parse({ type: 'utterance', id: 'a', text: '灯'.repeat(501) }).ok, false);
});

test('text: control characters, lone surrogates and blank text are refused', () => {
  for (const text of ['on\u0000', 'a\nb', 'tab\there', '\u001b[31m', 'x\u007f', 'x\u0085', '\ud800', '   ', '']) {
    assert.equal(parse({ type: 'utterance', id: 'a', text }).ok, false, JSON.stringify(text));
  }
  assert.equal(parse({ type: 'utterance', id: 'bad\u0000id', text: 'hi' }).ok, false);
});

test('text frames over maxFrameBytes are refused before parsing', () => {
  const small = new FrameParser({ maxTextLength: 500, maxFrameBytes: 1024 });
  const r = small.parse(Buffer.from(JSON.stringify({ type: 'utterance', id: 'a', text: 'x'.repeat(2000) })));
  assert.ok(!r.ok && r.id === null && /limit/.test(r.message));
});

test('outgoing constant frames are valid JSON', () => {
  for (const f of Object.values(STATE_FRAMES)) assert.equal(JSON.parse(f).type, 'state');
  assert.deepEqual(JSON.parse(errorFrame(null, 'BAD_REQUEST', 'm')), { type: 'error', id: null, code: 'BAD_REQUEST', message: 'm' });
});
