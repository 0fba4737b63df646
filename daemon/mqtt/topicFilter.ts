/**
 * MQTT topic names and filters (MQTT 3.1.1 §4.7): validation, and the "is this filter covered by that
 * allowed pattern" question the broker's ACL asks. Pure functions, no allocation beyond one split each.
 */

/** A topic filter as a SUBSCRIBE may carry it: wildcards allowed where §4.7.1 allows them. */
export function isValidTopicFilter(filter: string): boolean {
  if (filter.length === 0 || filter.length > 65535 || filter.includes('\u0000')) return false; // [MQTT-4.7.3-1], [MQTT-4.7.3-2]
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
  return topic.length > 0 && topic.length <= 65535 && !topic.includes('\u0000') && !topic.includes('+') && !topic.includes('#');
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
