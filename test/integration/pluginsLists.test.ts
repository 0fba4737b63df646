import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';

/** The shopping and to-do lists through the real daemon: add, read back, check off, clear, restart. */
const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

async function hub(dir: string): Promise<{ d: DaemonProcess; voice: VoiceClient }> {
  const d = await startDaemon({ dir });
  const token = (await runCli(['token', 'create', '--sub', 'kitchen', '--scope', 'voice'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } })).stdout.trim();
  const voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
  cleanups.push(async () => { voice.close(); await d.cleanup(); });
  return { d, voice };
}

async function says(voice: VoiceClient, id: string, text: string, intent: string, expected: string): Promise<void> {
  const reply = await voice.say(id, text);
  assert.equal(reply.type, 'reply', `${text}: ${JSON.stringify(reply)}`);
  assert.equal(reply.intent, intent, text);
  assert.equal(reply.handledBy, 'voicehub.lists');
  assert.equal(reply.text, expected, text);
}

test('shopping list: add, read back, check off, clear checked off; it survives a restart', async () => {
  const dir = await makeTempDir();
  const first = await hub(dir);
  await says(first.voice, 's1', 'add milk to the shopping list', 'HassShoppingListAddItem', 'Added milk to your shopping list.');
  await says(first.voice, 's2', 'put eggs and bread on my grocery list', 'HassShoppingListAddItem', 'Added eggs and bread to your shopping list.');
  await says(first.voice, 's3', 'add milk to the shopping list', 'HassShoppingListAddItem', 'Milk is already on your shopping list.');
  await says(first.voice, 's4', "what's on the shopping list", 'HassListGetItems', 'Your shopping list has 3 items: milk, eggs and bread.');
  await says(first.voice, 's5', 'check eggs off the shopping list', 'HassListCompleteItem', 'Checked off eggs on your shopping list.');
  await says(first.voice, 's6', 'what do we need to buy', 'HassListGetItems', 'Your shopping list has 2 items: milk and bread.');
  await first.d.stop();

  const second = await hub(dir);
  await says(second.voice, 'r1', 'read me the shopping list', 'HassListGetItems', 'Your shopping list has 2 items: milk and bread.');
  await says(second.voice, 'r2', 'clear the completed items from the shopping list', 'HassListClearCompleted', 'Cleared 1 item from your shopping list.');
  await says(second.voice, 'r3', 'clean up the shopping list', 'HassListClearCompleted', 'Nothing on your shopping list is checked off.');
  await says(second.voice, 'r4', 'remove cheese from the shopping list', 'HassListCompleteItem', "Cheese isn't on your shopping list.");
  await second.d.stop(); // stopping flushes the coalesced write
  const stored = JSON.parse(await readFile(join(dir, 'data', 'plugin-voicehub.lists.json'), 'utf8')) as { lists: { shopping: { text: string }[] } };
  assert.deepEqual(stored.lists.shopping.map((i) => i.text), ['milk', 'bread']);
});

test('to-do list in English and Chinese, kept apart from the shopping list', async () => {
  const { voice } = await hub(await makeTempDir());
  await says(voice, 't1', 'add call the plumber to my to do list', 'HassListAddItem', 'Added call the plumber to your to-do list.');
  await says(voice, 't2', '把牛奶加到购物清单', 'HassShoppingListAddItem', '已把牛奶加到购物清单。');
  await says(voice, 't3', '往待办事项里加一个交电费', 'HassListAddItem', '已把交电费加到待办事项。');
  await says(voice, 't4', '待办事项里有什么', 'HassListGetItems', '待办事项里有2项：call the plumber和交电费。');
  await says(voice, 't5', '购物清单里有什么', 'HassListGetItems', '购物清单里有1项：牛奶。');
  await says(voice, 't6', '牛奶已经买了', 'HassListCompleteItem', '已在购物清单里划掉牛奶。');
  await says(voice, 't7', '购物清单里有什么', 'HassListGetItems', '购物清单是空的。');
  await says(voice, 't8', 'i finished call the plumber', 'HassListCompleteItem', 'Checked off call the plumber on your to-do list.');
});

test('a damaged or hostile list file never stops start-up: what fits is kept, the rest dropped', async () => {
  const dir = await makeTempDir();
  await mkdir(join(dir, 'data'), { recursive: true });
  const items = [
    { text: 'apples', done: false, added: 1 },
    { text: 'x'.repeat(5000), done: false, added: 1 },
    { text: 42, done: false, added: 1 },
    ...Array.from({ length: 500 }, (_, i) => ({ text: `item ${i}`, done: true, added: 1 })),
  ];
  await writeFile(join(dir, 'data', 'plugin-voicehub.lists.json'), JSON.stringify({ lists: { shopping: items, todo: 'nope' } }));
  const { voice } = await hub(dir);
  await says(voice, 'h1', 'what is on my shopping list', 'HassListGetItems', 'Your shopping list has 1 item: apples.');
  await says(voice, 'h2', 'what is on my to do list', 'HassListGetItems', 'Your to-do list is empty.');

  const broken = await makeTempDir();
  await mkdir(join(broken, 'data'), { recursive: true });
  await writeFile(join(broken, 'data', 'plugin-voicehub.lists.json'), '{"lists": {"shopping": [');
  const second = await hub(broken);
  await says(second.voice, 'h3', 'add tea to the shopping list', 'HassShoppingListAddItem', 'Added tea to your shopping list.');
});
