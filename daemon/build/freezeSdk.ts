import { readFile, writeFile } from 'node:fs/promises';

/**
 * Build step (`npm run build`, after tsc): rewrites dist/plugins/sdk/deviceVocabulary.js as plain data. Its
 * source derives the device intents and commands from the table of device kinds, which imports the whole
 * device layer; the built-in plugins are loaded from dist/plugins unbundled, so reading that list at start
 * would load some 35 modules of devices/ a second time beside the hub's bundle. The data is the same (a unit
 * test compares it with the kinds' table).
 */
const file = new URL('../../plugins/sdk/deviceVocabulary.js', import.meta.url);
const HEADER = '// Written by daemon/build/freezeSdk.ts';
// Freezing an already frozen copy would keep stale data: tsc must have just written the source's module.
if ((await readFile(file, 'utf8')).startsWith(HEADER)) throw new Error(`${file.pathname} is already frozen: run tsc before this step`);
const { DEVICE_COMMANDS, DEVICE_INTENTS } = (await import(file.href)) as { DEVICE_COMMANDS: unknown; DEVICE_INTENTS: unknown };
const freeze = 'const frozen = (v) => { if (v && typeof v === "object") { for (const x of Object.values(v)) frozen(x); Object.freeze(v); } return v; };';
await writeFile(file, [
  `${HEADER} at build time from devices/kinds (see plugins/sdk/deviceVocabulary.ts). Do not edit.`,
  freeze,
  `export const DEVICE_COMMANDS = frozen(${JSON.stringify(DEVICE_COMMANDS)});`,
  `export const DEVICE_INTENTS = frozen(${JSON.stringify(DEVICE_INTENTS)});`,
  '',
].join('\n'));
