import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameParser, STATE_FRAMES, errorFrame, replyFrame } from '../../../daemon/voice/frames.js';

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

test('the reply frame is byte for byte JSON.stringify of the reply object, for odd inputs too', () => {
  const asObject = (id: string, reply: Record<string, unknown>, ms: number) => JSON.stringify({
    type: 'reply', id, text: reply.text, intent: reply.intent, handledBy: reply.handledBy, actions: reply.actions, ms,
  });
  const texts = [
    'Turned on the kitchen light.', '已打开厨房灯。', '已打開廚房的燈。', 'emoji 👍🏽 and ZWJ 👩‍👩‍👧', 'quotes " and \\ backslash \\"',
    'control \u0000\u0001\u001f\u007f\b\f\n\r\t', 'separators \u2028 \u2029', 'lone surrogates \ud800 x \udfff', '', ' ',
    'x'.repeat(100_000), '打开'.repeat(20_000), '</script><!--', '{"type":"reply"}',
  ];
  const ids = ['u1', 'c499-123456', 'id "quoted"', 'ünïcødé-✓', '\ud83d', 'x'.repeat(128)];
  const optional: unknown[] = [undefined, null, 'HassTurnOn', '', 'a"b\\c\u0000', 0, false, () => 1, Symbol('s'), { toJSON: () => 'shown' }];
  const actions: unknown[] = [
    undefined, null, [], [{ device: 'kitchen_light', command: 'turn_on' }],
    [{ device: '灯 "1"', command: 'set\nbrightness' }, { device: 'b', command: undefined }], [undefined, () => 1, NaN],
  ];
  const times = [0, 0.42, 12.5, 1234.56, -0, NaN, Infinity, -Infinity, 1e21, 5e-7, 0.1 + 0.2, Number.MAX_VALUE];
  let checked = 0;
  for (const text of texts) {
    for (const id of ids) {
      const reply = { text, intent: optional[checked % optional.length], handledBy: optional[(checked * 7 + 3) % optional.length], actions: actions[checked % actions.length] };
      const ms = times[checked % times.length]!;
      assert.equal(replyFrame(id, reply as Parameters<typeof replyFrame>[1], ms), asObject(id, reply, ms), `${JSON.stringify(reply).slice(0, 80)} ms=${ms}`);
      checked++;
    }
  }
  for (const intent of optional) {
    for (const handledBy of optional) {
      for (const action of actions) {
        const reply = { text: 't', intent, handledBy, actions: action };
        assert.equal(replyFrame('u', reply as Parameters<typeof replyFrame>[1], 1.5), asObject('u', reply, 1.5));
        checked++;
      }
    }
  }
  assert.ok(checked > 600);
});
