import type { AvailabilityBinding } from './model.js';

/**
 * Combines per-topic availability verdicts as HA's `availability_mode` says:
 * - `latest` (HA's default): the last message on any availability topic decides;
 * - `all`: available only once every topic said available; any topic saying not-available makes it unavailable;
 * - `any`: available as soon as one topic says available; unavailable once every topic said not-available.
 * Returns null while the verdicts so far decide nothing (the device keeps its previous availability).
 */
export function combineAvailability(
  mode: 'all' | 'any' | 'latest',
  topics: readonly AvailabilityBinding[],
  verdicts: ReadonlyMap<string, boolean>,
  latest: boolean,
): boolean | null {
  if (mode === 'latest' || topics.length <= 1) return latest;
  let known = 0;
  let yes = 0;
  for (const { topic } of topics) {
    const v = verdicts.get(topic);
    if (v === undefined) continue;
    known++;
    if (v) yes++;
  }
  if (mode === 'all') {
    if (known > yes) return false;
    return known === topics.length ? true : null;
  }
  if (yes > 0) return true;
  return known === topics.length ? false : null;
}
