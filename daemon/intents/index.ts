/**
 * The local intent engine's public API. Pure: no I/O, nothing from voice, plugins or MQTT.
 *
 * ```ts
 * const engine = new IntentEngine();
 * engine.setLists(intentLists(registry.list(), config.areas));
 * const match = engine.match('turn on the kitchen light');          // { intent: 'HassTurnOn', slots: … }
 * const targets = engine.resolve(match, { sessionArea: 'kitchen' }); // { devices: [...] } or { error: … }
 * ```
 */
export { IntentEngine, type AddSentencesOptions } from './engine.js';
export { DeviceLists } from './lists.js';
export {
  resolveTargets, checkValues, measures, deviceTemperature, temperatureRange, temperatureScale, DEVICE_INTENTS, VALUE_RANGES, type ResolveOptions,
} from './resolve.js';
export { slotsPerDevice } from './deviceSlots.js';
export {
  render, commandFor, commandReply, errorReply, targetPhrase, displayName, formatDuration, formatNumber, joinList,
  type ResponseKey,
} from './responses.js';
export { queryReply, type StateReader } from './stateReplies.js';
export { intentDevice, intentAreas, intentLists } from './fromDevice.js';
export { toRequestSlots } from './requestSlots.js';
export { normalize, tokenize, detectLang } from './normalize.js';
export { parseNumber, parseDuration, parsePercent, parseTemperature } from './numbers.js';
export { isResolveError, LANGS } from './types.js';
export type {
  Lang, IntentDevice, IntentArea, IntentLists, IntentMatch, MatchOptions, MatchSlots, NameSlot, AreaSlot, TypeSlot,
  SentenceBlock, LangSentences, Resolution, ResolveError, ResolveErrorCode, ResolveSuccess,
} from './types.js';
