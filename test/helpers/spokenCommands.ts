import assert from 'node:assert/strict';
import type { VoiceClient, Frame } from './voiceClient.js';
import { until } from './until.js';

export interface Heard { topic: string; payload: string }

/** A command that always works, said after a refusal: its payload is the first the devices see if nothing went out. */
export interface Probe { text: string; id: string; cmd: string; topic: string }

/**
 * Say-and-check steps over one voice client and the list a device-side MQTT client fills as it hears the hub
 * (`received`, in order). Utterance ids are `<prefix><n>`.
 */
export function spokenCommands(voice: () => VoiceClient, received: Heard[], prefix: string, probe?: Probe) {
  let n = 0;
  const say = (text: string, lang?: string): Promise<Frame> => voice().say(`${prefix}${n++}`, text, lang);

  /** Says `text`, expects a reply acting on `id` with `cmd`, and returns the reply and what the device received. */
  async function command(text: string, id: string, cmd: string, lang?: string): Promise<{ reply: Frame; got: Heard }> {
    const before = received.length;
    const reply = await say(text, lang);
    assert.equal(reply.type, 'reply', `${text}: ${JSON.stringify(reply)}`);
    assert.deepEqual(reply.actions, [{ device: id, command: cmd }], text);
    const got = await until(() => received[before], `the MQTT command for "${text}"`);
    return { reply, got };
  }

  /** Says `text` and expects a refusal naming why, with nothing published (the probe's command is the next one seen). */
  async function refused(text: string, why: RegExp, lang?: string): Promise<void> {
    if (!probe) throw new Error('refused() needs a probe command');
    const before = received.length;
    const r = await say(text, lang);
    assert.equal(r.type, 'error', `${text}: ${JSON.stringify(r)}`);
    assert.match(String(r.text ?? r.message ?? ''), why, text);
    const next = await command(probe.text, probe.id, probe.cmd);
    assert.equal(received.length - before, 1, `${text} published nothing`);
    assert.equal(next.got.topic, probe.topic);
  }

  return { say, command, refused };
}

type Listed = { id: string; state: Record<string, unknown> };

/** Polls `GET /api/devices` until `ready` holds for the hub's list (announcements take a moment to land). */
export async function untilDevices(hubUrl: string, token: string, ready: (devices: Listed[]) => boolean, what = 'the devices'): Promise<void> {
  let list: Listed[] = [];
  for (let i = 0; i <= 200; i++) {
    const res = await fetch(`${hubUrl}/api/devices`, { headers: { authorization: `Bearer ${token}` } });
    list = ((await res.json()) as { devices: Listed[] }).devices;
    if (ready(list)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} never appeared: ${JSON.stringify(list)}`);
}
