import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeWyoming, parseWyomingUrl, WyomingStt } from '../../../daemon/speech/wyoming/wyomingStt.js';
import { WyomingAsrStandIn } from '../../helpers/wyomingStandIn.js';

const isCode = (code: string) => (err: Error & { code?: string }): boolean => err.code === code;

test('a Wyoming ASR service: describe/info, and audio streamed in chunks comes back as its transcript', async (t) => {
  const peer = new WyomingAsrStandIn();
  const port = await peer.start();
  t.after(() => peer.stop());
  const info = await describeWyoming({ host: '127.0.0.1', port }, 2000);
  assert.equal(info.type, 'info');
  const stt = new WyomingStt(parseWyomingUrl(`tcp://127.0.0.1:${port}`), 2000);
  peer.text = 'heard {bytes} bytes';
  const s = stt.open('en');
  s.write(Buffer.alloc(3200));
  s.write(Buffer.alloc(1600));
  assert.deepEqual(await s.finish(), { text: 'heard 4800 bytes' });
});

test('hostile or broken peers are STT_FAILED and the socket goes: malformed header, oversize length, hang-up, silence, nobody there', async (t) => {
  const peer = new WyomingAsrStandIn();
  const port = await peer.start();
  t.after(() => peer.stop());
  for (const mode of ['garbage', 'oversize', 'hangup', 'silent'] as const) {
    peer.mode = mode;
    const s = new WyomingStt({ host: '127.0.0.1', port }, 300).open();
    s.write(Buffer.alloc(320));
    await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(s.finish(), isCode('STT_FAILED'), mode);
  }
  for (let i = 0; i < 50 && peer.sockets.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(peer.sockets.size, 0, 'every connection closed');
  const closed = new WyomingStt({ host: '127.0.0.1', port: 1 }, 300).open();
  await assert.rejects(closed.finish(), isCode('STT_FAILED'));
  assert.throws(() => parseWyomingUrl('http://x:1'), isCode('CONFIG_INVALID'));
  assert.throws(() => parseWyomingUrl('tcp://x:70000'), isCode('CONFIG_INVALID'));
});
