import type { IntentReply } from '../../plugins/sdk/intents.js';

/** Longest reply text passed on; a plugin cannot flood a voice client. */
const MAX_TEXT = 2000;

/**
 * Checks a handler's answer before it leaves the plugin's guard, so a malformed one counts as the plugin's
 * failure (PLUGIN_FAILED) rather than breaking the voice frame built from it.
 */
export function checkReply(value: unknown): IntentReply {
  if (!value || typeof value !== 'object') throw new Error(`a handler must return { text }, got ${value === null ? 'null' : typeof value}`);
  const reply = value as IntentReply;
  if (typeof reply.text !== 'string') throw new Error('a handler reply needs a text string');
  const out: IntentReply = { text: reply.text.length > MAX_TEXT ? reply.text.slice(0, MAX_TEXT) : reply.text };
  if (reply.actions !== undefined) {
    if (!Array.isArray(reply.actions) || !reply.actions.every((a) => a && typeof a.device === 'string' && typeof a.command === 'string')) {
      throw new Error('reply.actions must be a list of { device, command } strings');
    }
    out.actions = reply.actions.map((a) => ({ device: a.device, command: a.command }));
  }
  if (reply.data !== undefined) {
    if (!reply.data || typeof reply.data !== 'object' || Array.isArray(reply.data)) throw new Error('reply.data must be an object');
    out.data = reply.data;
  }
  return out;
}
