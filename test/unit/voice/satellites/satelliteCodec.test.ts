import { test } from 'node:test';
import assert from 'node:assert/strict';
import { satelliteCodec } from '../../../../daemon/voice/satellites/satelliteCodec.js';
import { encodeEvent, WyomingDecoder } from '../../../../daemon/speech/wyoming/framing.js';

/** Every frame the codec makes, written and read back with Wyoming's framing, is what a satellite receives. */
function wire(frame: readonly { type: string; data?: Record<string, unknown> }[]): Array<{ type: string; data: Record<string, unknown> }> {
  const bytes = Buffer.concat(frame.map((e) => encodeEvent(e.type, e.data ?? {})));
  return new WyomingDecoder().push(bytes).map((e) => ({ type: e.type, data: e.data }));
}

test('session events as Wyoming events: transcript, synthesize for the reply and for speak, error with its code, audio-start/stop', () => {
  assert.deepEqual(wire(satelliteCodec.transcript('p1', 'turn on the light')), [{ type: 'transcript', data: { text: 'turn on the light' } }]);
  assert.deepEqual(wire(satelliteCodec.reply('p1', { text: 'Turned on the light.', intent: 'HassTurnOn' }, 3)), [{ type: 'synthesize', data: { text: 'Turned on the light.' } }]);
  assert.deepEqual(wire(satelliteCodec.speak('Dinner is ready.', 'voicehub.basics')), [{ type: 'synthesize', data: { text: 'Dinner is ready.' } }]);
  assert.deepEqual(wire(satelliteCodec.error('p1', 'STT_FAILED', 'the engine crashed')), [{ type: 'error', data: { text: 'the engine crashed', code: 'STT_FAILED' } }]);
  assert.deepEqual(wire(satelliteCodec.speechStart('p1', 22050, 's16le')), [{ type: 'audio-start', data: { rate: 22050, width: 2, channels: 1 } }]);
  assert.deepEqual(wire(satelliteCodec.speechEnd('p1')), [{ type: 'audio-stop', data: {} }]);
});

test('session states and pongs have no Wyoming event: nothing is sent', () => {
  for (const state of ['idle', 'listening', 'processing', 'replying', 'retrying', 'failed'] as const) assert.equal(satelliteCodec.state(state).length, 0);
  assert.equal(satelliteCodec.pong().length, 0);
  assert.equal(satelliteCodec.delta, undefined, 'no reply.delta on this wire');
});
