import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onRegister } from '../../../../../plugins/builtin/devices/index.js';
import type { DecidedTargets, DeviceCommand, HandlerContext, IntentReply, IntentRequest, PluginApi } from '../../../../../plugins/sdk/index.js';

type Handler = (req: IntentRequest, ctx: HandlerContext) => IntentReply | Promise<IntentReply>;

/** The devices plugin over an API that knows which devices are offline and records the commands it is given. */
function plugin(offline: string[]) {
  const handlers = new Map<string, Handler>();
  const sent: string[] = [];
  const api = {
    intents: { addResponses: () => {}, handle: (intent: string, h: Handler) => { handlers.set(intent, h); } },
    devices: {
      available: (id: string) => !offline.includes(id),
      command: async (id: string, command: DeviceCommand) => { sent.push(`${id} ${command.command}`); },
    },
    respond: (key: string, vars: Record<string, unknown>) => `${key}: ${Object.values(vars).join(' | ')}`,
  } as unknown as PluginApi;
  onRegister(api);
  const turnOff = (ids: string[]): Promise<IntentReply> => {
    const targets: DecidedTargets = {
      ids, commands: ids.map(() => ({ command: 'turn_off' }) as DeviceCommand), scope: 'named' as DecidedTargets['scope'],
      phrase: 'the lights', names: ids.map((id) => `the ${id}`), done: 'Turned off the lights.',
    };
    const req = { intent: 'HassTurnOff', text: 'turn off the lights', lang: 'en', slots: {}, targets } as unknown as IntentRequest;
    return Promise.resolve(handlers.get('HassTurnOff')!(req, { traceId: 't' } as HandlerContext));
  };
  return { sent, turnOff };
}

test('one device, several, some offline, all offline: each commanded device once, in order, and the reply says which were offline', async () => {
  const one = plugin([]);
  assert.deepEqual(await one.turnOff(['a']), { text: 'Turned off the lights.', actions: [{ device: 'a', command: 'turn_off' }] });
  assert.deepEqual(one.sent, ['a turn_off']);

  const several = plugin([]);
  const all = await several.turnOff(['a', 'b', 'c']);
  assert.deepEqual(all.actions, [{ device: 'a', command: 'turn_off' }, { device: 'b', command: 'turn_off' }, { device: 'c', command: 'turn_off' }]);
  assert.deepEqual(several.sent, ['a turn_off', 'b turn_off', 'c turn_off']);

  const some = plugin(['b']);
  const partly = await some.turnOff(['a', 'b', 'c']);
  assert.deepEqual(some.sent, ['a turn_off', 'c turn_off'], 'the offline one is not sent a command');
  assert.deepEqual(partly.actions, [{ device: 'a', command: 'turn_off' }, { device: 'c', command: 'turn_off' }]);
  assert.equal(partly.text, 'some_offline: Turned off the lights. | the b');

  const oneLeft = plugin(['a', 'c']);
  const single = await oneLeft.turnOff(['a', 'b', 'c']);
  assert.deepEqual(oneLeft.sent, ['b turn_off']);
  assert.equal(single.text, 'some_offline: Turned off the lights. | the a, the c');

  const none = plugin(['a', 'b']);
  const nothing = await none.turnOff(['a', 'b']);
  assert.deepEqual(none.sent, []);
  assert.deepEqual(nothing.actions, []);
  assert.equal(nothing.text, 'Offline: the a, the b');
});
