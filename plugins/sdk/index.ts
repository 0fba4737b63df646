/**
 * The voicehub plugin SDK: types, plus the API version, the scopes and the device vocabulary (data). A plugin
 * imports from here and uses the API object it is handed; nothing else of the hub. See README.md next to this file.
 */
export { API_VERSION, MIN_EVERY_MS } from './api.js';
export type * from './api.js';
export { SCOPES } from './manifest.js';
export type * from './manifest.js';
export type * from './devices.js';
export { DEVICE_COMMANDS, DEVICE_INTENTS } from './deviceVocabulary.js';
export type { DeviceCommandSpec } from './deviceVocabulary.js';
export type * from './events.js';
export type * from './intents.js';
export type * from './logger.js';
export type * from './stt.js';
export type * from './assistant.js';
