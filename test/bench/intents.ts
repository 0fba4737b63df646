/**
 * Intent engine benchmark: 500 synthetic devices over 30 areas, a mixed English/Chinese utterance set;
 * each sample is one `match` + `resolve`, first with every text matched afresh (the matcher's own cost),
 * then as the hub runs the engine, with its cache of recent matches. Target (issue): median ≤ 1 ms.
 *
 * `benchIntents()` prints nothing (the bench runner prints); `node dist/test/bench/intents.js` prints.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { IntentEngine } from '../../daemon/intents/index.js';
import type { IntentDevice } from '../../daemon/intents/index.js';
import { addBundledPluginSentences } from '../helpers/builtinSentences.js';

const AREAS = [
  'Living Room', 'Kitchen', 'Bedroom', 'Master Bedroom', 'Guest Room', 'Kids Room', 'Bathroom', 'Toilet', 'Office',
  'Study', 'Dining Room', 'Hallway', 'Entrance', 'Garage', 'Garden', 'Yard', 'Front Yard', 'Balcony', 'Terrace',
  'Basement', 'Attic', 'Laundry', 'Porch', 'Stairs', 'Upstairs', 'Downstairs', 'Gym', 'Storage Room', 'Closet', 'Lobby',
];

const KINDS: readonly { word: string; type: IntentDevice['type']; deviceClass?: string }[] = [
  { word: 'Light', type: 'light' }, { word: 'Lamp', type: 'light' }, { word: 'Ceiling Light', type: 'light' },
  { word: 'Plug', type: 'switch' }, { word: 'Fan', type: 'fan' }, { word: 'Blinds', type: 'cover' },
  { word: 'Thermostat', type: 'climate' }, { word: 'Door Lock', type: 'lock' },
  { word: 'Humidity Sensor', type: 'sensor', deviceClass: 'humidity' },
  { word: 'Temperature Sensor', type: 'sensor', deviceClass: 'temperature' },
];

export function syntheticDevices(count = 500): IntentDevice[] {
  const devices: IntentDevice[] = [];
  for (let i = 0; i < count; i++) {
    const area = AREAS[i % AREAS.length];
    const kind = KINDS[Math.floor(i / AREAS.length) % KINDS.length];
    const round = Math.floor(i / (AREAS.length * KINDS.length));
    const name = `${area} ${kind.word}${round > 0 ? ` ${round + 1}` : ''}`;
    devices.push({
      id: `dev_${i}`, name, aliases: [], area, type: kind.type,
      ...(kind.deviceClass ? { deviceClass: kind.deviceClass } : {}),
      state: { state: 'off', temperature: 21, humidity: 40 },
    });
  }
  return devices;
}

const UTTERANCES = [
  'turn on the kitchen light', 'turn the kitchen light off', 'switch off the lamp in the bedroom',
  'set bedroom lights to 40%', 'dim the living room lights to forty percent', 'is the entrance door lock locked',
  "what's the temperature in the living room", 'close the garage blinds', 'open the office blinds halfway',
  'lock the hallway door lock', 'set the study thermostat to 21 degrees', 'set a timer for 5 minutes',
  'cancel the timer', 'how much time is left on the timer', 'how is the hub doing', "what's the weather",
  'turn off all the lights', 'turn on the lights in here', "what's the humidity in the basement",
  'turn on the attic fan', 'please turn on the gym plug', 'toggle the balcony lamp', 'turn on the lamp',
  'what is the capital of france', 'tell me a joke', 'turn on the moon',
  '打开厨房的灯', '把客厅灯调到百分之四十', '卧室温度设为22度', '关掉所有的灯', '设置一个五分钟的定时器', '取消定时器',
  '客厅的湿度是多少', '前门锁了吗', '车库的窗帘关上', '书房的风扇打开', '今天天气怎么样', '系统状态怎么样',
  '把阳台的台灯打开', '定时器还剩多少时间', '打开月亮', '你好', 'turn on 厨房的灯',
];

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export interface IntentsBenchResult {
  devices: number;
  utterances: number;
  /** Every text matched afresh: what a sentence costs the first time it is heard. */
  medianMs: number;
  p99Ms: number;
  /** With the engine's recent-match cache, as the hub runs it: a sentence heard before. */
  cachedMedianMs: number;
  cachedP99Ms: number;
}

export async function benchIntents(): Promise<IntentsBenchResult> {
  const devices = syntheticDevices(500);
  // With the bundled plugins' sentences (timers, hub status, weather), as the running hub has them.
  const fresh = measure(addBundledPluginSentences(new IntentEngine({ recentMatches: 0 })), devices);
  const cached = measure(addBundledPluginSentences(new IntentEngine()), devices);
  return { devices: devices.length, utterances: UTTERANCES.length, ...fresh, cachedMedianMs: cached.medianMs, cachedP99Ms: cached.p99Ms };
}

function measure(engine: IntentEngine, devices: IntentDevice[]): { medianMs: number; p99Ms: number } {
  engine.setLists({ devices, areas: AREAS.map((name) => ({ name })) });
  const run = (text: string) => {
    const m = engine.match(text);
    if (m) engine.resolve(m, { sessionArea: 'Kitchen' });
  };
  for (let i = 0; i < 20; i++) for (const u of UTTERANCES) run(u); // warm-up: compile templates, JIT
  const samples: number[] = [];
  for (let round = 0; round < 50; round++) {
    for (const u of UTTERANCES) {
      const t0 = performance.now();
      run(u);
      samples.push(performance.now() - t0);
    }
  }
  samples.sort((a, b) => a - b);
  return { medianMs: percentile(samples, 0.5), p99Ms: percentile(samples, 0.99) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && !process.env.NODE_TEST_CONTEXT) {
  const r = await benchIntents();
  console.log(`intents: ${r.devices} devices, ${r.utterances} utterances: median ${r.medianMs.toFixed(3)} ms, p99 ${r.p99Ms.toFixed(3)} ms; heard before: median ${r.cachedMedianMs.toFixed(4)} ms`);
}
