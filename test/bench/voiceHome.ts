/**
 * The home the voice benchmark talks to, and what its clients say: every sentence names one device and
 * sends it one MQTT command, in English or Chinese, so each utterance runs the whole path (intent lookup,
 * the devices plugin, a publish). `test/integration/benchHome.test.ts` checks each one gets that reply.
 */
export const BENCH_HOME = [
  { id: 'kitchen_light', name: 'Kitchen light', area: 'kitchen', type: 'light', commandTopic: 'bench/kitchen_light/set', stateTopic: 'bench/kitchen_light' },
  { id: 'living_room_lamp', name: 'Living room lamp', area: 'living_room', type: 'light', schema: 'json', brightness: true, commandTopic: 'bench/living_room_lamp/set', stateTopic: 'bench/living_room_lamp' },
  { id: 'bedroom_light', name: 'Bedroom light', area: 'bedroom', type: 'light', commandTopic: 'bench/bedroom_light/set', stateTopic: 'bench/bedroom_light' },
  { id: 'office_fan', name: 'Office fan', area: 'office', type: 'fan', commandTopic: 'bench/office_fan/set', stateTopic: 'bench/office_fan' },
  { id: 'coffee_machine', name: 'Coffee machine', area: 'kitchen', type: 'switch', commandTopic: 'bench/coffee_machine/set', stateTopic: 'bench/coffee_machine' },
  { id: 'hallway_light', name: 'Hallway light', area: 'hallway', type: 'light', commandTopic: 'bench/hallway_light/set', stateTopic: 'bench/hallway_light' },
];

export const BENCH_AREAS = { kitchen: {}, living_room: { aliases: ['客厅'] }, bedroom: { aliases: ['卧室'] }, office: {}, hallway: {} };

/** Each with the device it commands: the test checks the reply's one action against it. */
export const BENCH_SENTENCES: ReadonlyArray<readonly [text: string, device: string]> = [
  ['turn on the kitchen light', 'kitchen_light'],
  ['turn off the kitchen light', 'kitchen_light'],
  ['set the living room lamp to 40%', 'living_room_lamp'],
  ['turn off the bedroom light', 'bedroom_light'],
  ['turn on the office fan', 'office_fan'],
  ['switch on the coffee machine', 'coffee_machine'],
  ['turn on the hallway light', 'hallway_light'],
  ['打开厨房的灯', 'kitchen_light'],
  ['关掉卧室的灯', 'bedroom_light'],
  ['把客厅的灯调到百分之五十', 'living_room_lamp'],
];

export const BENCH_UTTERANCES: readonly string[] = BENCH_SENTENCES.map(([text]) => text);

const ROOMS = ['kitchen', 'bedroom', 'office', 'hallway', 'garage', 'attic', 'cellar', 'porch', 'study', 'nursery'];
const THINGS: ReadonlyArray<readonly [word: string, type: string]> = [
  ['lamp', 'light'], ['fan', 'fan'], ['heater', 'switch'], ['kettle', 'switch'], ['radio', 'switch'],
  ['speaker', 'switch'], ['printer', 'switch'], ['toaster', 'switch'], ['humidifier', 'switch'], ['purifier', 'switch'],
];

/**
 * A home of 100 devices (10 rooms × 10 things, each name said one way only) for the load figures measured
 * from outside: each utterance names one of them and sends it one MQTT command on its own topic.
 */
export function hundredDeviceHome(): { devices: Array<Record<string, string>>; areas: Record<string, object>; names: string[] } {
  const devices = ROOMS.flatMap((room) => THINGS.map(([word, type]) => ({
    id: `${room}_${word}`, name: `${room[0]!.toUpperCase()}${room.slice(1)} ${word}`, area: room, type,
    commandTopic: `load/${room}_${word}/set`, stateTopic: `load/${room}_${word}`,
  })));
  return { devices, areas: Object.fromEntries(ROOMS.map((r) => [r, {}])), names: devices.map((d) => d.name.toLowerCase()) };
}
