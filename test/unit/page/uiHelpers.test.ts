import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from '../../helpers/daemon.js';
import type { DeviceFeedView } from '../../../daemon/voice/deviceFeedView.js';

/**
 * The page's pure pieces (daemon/page/ui/colour.ts, aliases.ts, deviceStore.ts): browser code outside the
 * daemon's tsconfig, so each module is bundled with the project's esbuild and the result imported.
 */
async function load<M>(file: string): Promise<M> {
  const out = await build({ entryPoints: [join(REPO_ROOT, 'daemon/page/ui', file)], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent' });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0]!.text).toString('base64')}`) as Promise<M>;
}

interface Colour { kelvinOf(v: unknown): number | null; colourHex(v: unknown): string; hexToRgb(hex: string): [number, number, number] }
interface Store {
  layout: number;
  size: number;
  get(id: string): DeviceFeedView | undefined;
  replace(list: DeviceFeedView[]): void;
  change(changed: DeviceFeedView[], removed: string[]): void;
  watch(id: string, listener: () => void): () => void;
  watchLayout(listener: () => void): () => void;
}

const view = (id: string, more: Partial<DeviceFeedView> = {}): DeviceFeedView => ({
  id, name: id, aliases: [], area: null, floor: null, type: 'light', capabilities: ['onoff'], state: { state: 'off' },
  available: true, lastSeen: null, limits: {}, ...more,
});

test('colour temperature reads mireds and kelvin alike; colours go to and from #rrggbb', async () => {
  const c = await load<Colour>('colour.ts');
  assert.equal(c.kelvinOf(250), 4000);
  assert.equal(c.kelvinOf(370), 2703);
  assert.equal(c.kelvinOf(2700), 2700, 'a light announced with color_temp_kelvin reports kelvin');
  for (const bad of [0, -5, Number.NaN, Infinity, '300', null, undefined, {}]) assert.equal(c.kelvinOf(bad), null, String(bad));
  assert.equal(c.colourHex({ r: 255, g: 128, b: 0 }), '#ff8000');
  assert.equal(c.colourHex([0, 16, 255]), '#0010ff');
  for (const bad of [null, 'red', [1, 2], [300, 0, 0], { r: 1, g: 2 }, { r: '1', g: 2, b: 3 }]) assert.equal(c.colourHex(bad), '#ffffff', JSON.stringify(bad));
  assert.deepEqual(c.hexToRgb('#ff8000'), [255, 128, 0]);
  assert.deepEqual(c.hexToRgb('#FF8000'), [255, 128, 0]);
  assert.deepEqual(c.hexToRgb('not a colour'), [255, 255, 255]);
});

test('aliases are split on commas, Chinese commas included, and blanks dropped', async () => {
  const { parseAliases } = await load<{ parseAliases(text: string): string[] }>('aliases.ts');
  assert.deepEqual(parseAliases(' tea maker, kettle,, '), ['tea maker', 'kettle']);
  assert.deepEqual(parseAliases('书灯，台灯、阅读灯'), ['书灯', '台灯', '阅读灯']);
  assert.deepEqual(parseAliases('  '), []);
});

test('the device store tells only the changed devices\' cards, and the list only when the layout moves', async () => {
  const { DeviceStore } = await load<{ DeviceStore: new () => Store }>('deviceStore.ts');
  const store = new DeviceStore();
  const calls: string[] = [];
  store.watch('a', () => calls.push('a'));
  store.watch('b', () => calls.push('b'));
  const stopC = store.watch('c', () => calls.push('c'));
  store.watchLayout(() => calls.push('layout'));

  store.replace([view('a'), view('b')]);
  assert.deepEqual(calls.sort(), ['a', 'b', 'layout']);
  assert.equal(store.size, 2);

  calls.length = 0;
  store.change([view('a', { state: { state: 'on' } })], []);
  assert.deepEqual(calls, ['a'], 'a state change: one card, no regrouping');
  assert.equal(store.get('a')?.state.state, 'on');

  const moves: Array<[string, Partial<DeviceFeedView>]> = [['name', { name: 'Lamp' }], ['area', { area: 'hall' }], ['floor', { floor: 'up' }], ['aliases', { aliases: ['x'] }]];
  for (const [what, more] of moves) {
    calls.length = 0;
    const layout = store.layout;
    store.change([view('b', more)], []);
    assert.deepEqual(calls, ['b', 'layout'], what);
    assert.equal(store.layout, layout + 1, what);
  }

  calls.length = 0;
  store.change([view('c')], ['a']);
  assert.deepEqual(calls.sort(), ['c', 'layout'], 'a new device and a removed one move the layout');
  assert.equal(store.get('a'), undefined);

  calls.length = 0;
  stopC();
  store.change([view('c', { state: { state: 'on' } })], []);
  assert.deepEqual(calls, [], 'a card that stopped watching is not told');
});

test('page texts show a device name as it is: no replacement patterns, no placeholders read inside it', async () => {
  const { translator } = await load<{ translator(lang: 'en'): (key: string, vars?: Record<string, string | number>) => string }>('i18n.ts');
  const t = translator('en');
  assert.equal(t('confirmLock', { name: "$& lamp $' {name}" }), "Lock $& lamp $' {name}?");
  assert.equal(t('audioSent', { frames: '{seconds}', seconds: 2 }), '{seconds} audio frames sent (2 s)');
});
