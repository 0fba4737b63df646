/** The hub's own text framing, read back by the `ws` library's receiver: what every client will parse. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Writable } from 'node:stream';
import * as wsModule from 'ws';
import { encodeTextFrames } from '../../../daemon/voice/frameBatcher.js';

// ws exports its frame parser, but @types/ws does not describe it.
const { Receiver } = wsModule as unknown as { Receiver: new (options: { isServer: boolean; maxPayload: number }) => Writable };

function decode(buffer: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const out: string[] = [];
    const receiver = new Receiver({ isServer: false, maxPayload: 0 });
    receiver.on('message', (data: Buffer, isBinary: boolean) => {
      assert.equal(isBinary, false);
      out.push(data.toString('utf8'));
    });
    receiver.on('error', reject);
    receiver.write(buffer, () => resolve(out));
  });
}

test('frames of every length form (7-bit, 16-bit, 64-bit) and any script read back exactly, in order', async () => {
  const frames = [
    '', 'x'.repeat(125), 'y'.repeat(126), 'z'.repeat(65535), 'w'.repeat(65536),
    '{"type":"reply","text":"已打开厨房灯。"}', '{"type":"state","state":"idle"}', '😀'.repeat(40),
  ];
  assert.deepEqual(await decode(encodeTextFrames(frames)), frames);
});

test('the length field counts UTF-8 bytes, not characters', async () => {
  const text = '灯'.repeat(50); // 150 bytes in UTF-8, 50 characters: the 16-bit form
  const buffer = encodeTextFrames([text]);
  assert.equal(buffer[1], 126);
  assert.equal(buffer.readUInt16BE(2), 150);
  assert.equal(buffer.length, 4 + 150);
  assert.deepEqual(await decode(buffer), [text]);
});
