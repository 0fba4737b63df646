/**
 * MQTT topic names and filters (MQTT 3.1.1 §4.7): validation, and the "is this filter covered by that
 * allowed pattern" question the broker's ACL asks. Pure functions, no allocation beyond one split each.
 */

/**
 * Levels a topic or filter may have: aedes refuses more than 100 (its router, qlobber, counts `split('/')`
 * and throws past its max_words of 100; aedes.js MAX_TOPIC_LEVELS), on publish and subscribe alike. The hub
 * holds both of its transports to it, so a topic that one broker would refuse is refused at the hub's door
 * (BAD_REQUEST) whichever broker is behind it.
 */
export const MAX_TOPIC_LEVELS = 100;

/** An MQTT string is a two-byte length and that many bytes of UTF-8 [MQTT-1.5.3]. */
const MAX_TOPIC_BYTES = 65535;
/** With the `u` flag a pair is one code point, so only a surrogate standing alone is \p{Cs}. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The limits every topic and filter shares: not empty, no U+0000 [MQTT-4.7.3-1], [MQTT-4.7.3-2], well-formed
 * UTF-16 so that it encodes to the UTF-8 it says [MQTT-1.5.3-1] (a lone surrogate would be sent as U+FFFD, another
 * topic), at most 65,535 bytes of UTF-8 (a longer one cannot be encoded: a network subscriber's delivery of it
 * fails), and at most MAX_TOPIC_LEVELS levels.
 */
function withinTopicLimits(topic: string): boolean {
  // Three bytes of UTF-8 at most per UTF-16 unit: only a long topic needs its bytes counted.
  if (topic.length === 0 || (topic.length > MAX_TOPIC_BYTES / 3 && Buffer.byteLength(topic) > MAX_TOPIC_BYTES)) return false;
  if (topic.includes('\u0000') || LONE_SURROGATE.test(topic)) return false;
  let levels = 1;
  for (let i = topic.indexOf('/'); i !== -1; i = topic.indexOf('/', i + 1)) {
    if (++levels > MAX_TOPIC_LEVELS) return false;
  }
  return true;
}

/** A topic filter as a SUBSCRIBE may carry it: wildcards allowed where §4.7.1 allows them. */
export function isValidTopicFilter(filter: string): boolean {
  if (!withinTopicLimits(filter)) return false;
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    // [MQTT-4.7.1-2] '#' stands alone and last; [MQTT-4.7.1-3] '+' occupies a whole level.
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return false;
    if (level.includes('+') && level !== '+') return false;
  }
  return true;
}

/** A topic name as a PUBLISH may carry it: no wildcards [MQTT-3.3.2-2]. */
export function isValidTopicName(topic: string): boolean {
  return withinTopicLimits(topic) && !topic.includes('+') && !topic.includes('#');
}

/**
 * True when every topic that `filter` matches is also matched by `pattern`. A topic name is a filter
 * without wildcards, so the same function answers "may publish here" and "may subscribe to this".
 *
 * Examples: `a/#` covers `a`, `a/b`, `a/+/c` and `a/#`; it does not cover `#` or `+/b`. `a/+` covers `a/b`
 * and `a/+`, not `a/#`. Wildcards never cover a first level that starts with `$` [MQTT-4.7.2-1], so
 * `#` does not grant `$SYS/…`: only a pattern naming that first level literally does.
 */
export function filterCovers(pattern: string, filter: string): boolean {
  const p = pattern.split('/');
  const f = filter.split('/');
  if (f[0].startsWith('$') && (p[0] === '+' || p[0] === '#')) return false;
  for (let i = 0; i < p.length; i++) {
    const pl = p[i];
    // '#' matches the parent level too [MQTT-4.7.1-2], so it covers whatever remains of the filter (even nothing).
    if (pl === '#') return true;
    if (i >= f.length) return false;
    const fl = f[i];
    if (fl === '#') return false; // only a '#' in the pattern can cover a '#' in the filter
    if (pl === '+') continue; // '+' covers any single level, including a '+' in the filter
    if (fl === '+' || fl !== pl) return false;
  }
  return p.length === f.length;
}

/** True when any of the patterns covers the filter (or topic). */
export function coveredByAny(patterns: readonly string[], filter: string): boolean {
  for (const pattern of patterns) {
    if (filterCovers(pattern, filter)) return true;
  }
  return false;
}

/** Whether a concrete topic matches a filter (used for in-process subscribers and tests). */
export function topicMatches(filter: string, topic: string): boolean {
  return filterCovers(filter, topic);
}
