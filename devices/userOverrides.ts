/**
 * Names, aliases, areas and floors users give devices without editing YAML (`voicehub devices set`, the page):
 * kept in the data dir (collection `deviceOverrides`), applied on top of what a device announced and of a
 * `devices:` entry with its id, since they are the user's latest word. Every value comes from outside (the
 * HTTP API, a file someone may have edited), so each is checked and bounded here.
 */
export interface DeviceOverride {
  name?: string;
  area?: string;
  aliases?: string[];
  /**
   * The key of a configured floor (`floors:`), set on the device itself: it goes before its area's floor, so a
   * device with no area, or one whose area has no floor, is still "upstairs".
   */
  floor?: string;
}

export interface DeviceOverridesDocument {
  overrides: Record<string, DeviceOverride>;
}

/**
 * A change asked for: a string sets a field, `null` gives it back to what the device announced; `aliases`
 * replaces the list (`[]` or `null` clears it), `addAliases` adds to it; `reset` drops the whole override.
 */
export interface OverridePatch {
  name?: string | null;
  area?: string | null;
  aliases?: string[] | null;
  addAliases?: string[];
  /** A configured floor by its key, name or alias (`findFloor`); kept as the key. */
  floor?: string | null;
  reset?: boolean;
}

/** The configured floors (`floors:` in voicehub.yaml): key → aliases. */
export type FloorChoices = Readonly<Record<string, { readonly aliases?: readonly string[] }>>;

export const MAX_NAME_CHARS = 100;
export const MAX_AREA_CHARS = 64;
export const MAX_ALIASES = 20;
/** Overrides kept at most: as many as the registry keeps devices, with room for config devices. */
export const MAX_OVERRIDES = 6000;

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
const PATCH_KEYS = new Set(['name', 'area', 'aliases', 'addAliases', 'floor', 'reset']);

export function emptyOverridesDocument(): DeviceOverridesDocument {
  return { overrides: {} };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A name, area or alias: trimmed, 1..max characters, no control characters. Returns the reason it is not. */
function textProblem(what: string, v: unknown, max: number): string | null {
  if (typeof v !== 'string') return `${what} must be a string`;
  const t = v.trim();
  if (t.length === 0) return `${what} must not be empty`;
  if (t.length > max) return `${what} is longer than ${max} characters`;
  if (CONTROL.test(t)) return `${what} contains control characters`;
  return null;
}

function aliasProblem(what: string, v: unknown): string | null {
  if (!Array.isArray(v)) return `${what} must be a list of strings`;
  if (v.length > MAX_ALIASES) return `${what} has more than ${MAX_ALIASES} entries`;
  for (const a of v) {
    const p = textProblem(`an alias`, a, MAX_NAME_CHARS);
    if (p) return p;
  }
  return null;
}

/** Folds a floor's written form for comparison: case, `_` for a space, runs of spaces ("Ground_Floor" = "ground floor"). */
const floorForm = (s: string): string => s.trim().toLowerCase().replace(/[_\s]+/g, ' ');

/**
 * The key of the configured floor `text` names: its key or one of its aliases, without regard to case or
 * `_` (the words a user types in the CLI or picks on the page). Undefined when no configured floor has it.
 */
export function findFloor(text: string, floors: FloorChoices): string | undefined {
  const want = floorForm(text);
  const keys = Object.keys(floors);
  return keys.find((k) => floorForm(k) === want) ?? keys.find((k) => (floors[k].aliases ?? []).some((a) => floorForm(a) === want));
}

function floorProblem(v: unknown, floors: FloorChoices): string | null {
  const text = textProblem('floor', v, MAX_AREA_CHARS);
  if (text) return text;
  const keys = Object.keys(floors);
  if (keys.length === 0) return 'no floors are configured (floors: in voicehub.yaml)';
  if (findFloor(v as string, floors) === undefined) {
    return `floor ${JSON.stringify((v as string).trim())} is not a configured floor (floors: ${keys.slice(0, 20).map((k) => JSON.stringify(k)).join(', ')})`;
  }
  return null;
}

/**
 * Checks a patch from outside; the reason names the field. `floors` are the configured floors a `floor` must
 * name; the patch handed back carries that floor's key.
 */
export function checkPatch(input: unknown, floors: FloorChoices = {}): { ok: true; patch: OverridePatch } | { ok: false; reason: string } {
  if (!isObject(input)) return { ok: false, reason: 'the body must be a JSON object' };
  const unknown = Object.keys(input).filter((k) => !PATCH_KEYS.has(k));
  if (unknown.length > 0) return { ok: false, reason: `unknown field ${JSON.stringify(unknown[0].slice(0, 40))} (allowed: ${[...PATCH_KEYS].join(', ')})` };
  const p = input as OverridePatch;
  const problem = (p.name !== undefined && p.name !== null ? textProblem('name', p.name, MAX_NAME_CHARS) : null)
    ?? (p.area !== undefined && p.area !== null ? textProblem('area', p.area, MAX_AREA_CHARS) : null)
    ?? (p.aliases !== undefined && p.aliases !== null ? aliasProblem('aliases', p.aliases) : null)
    ?? (p.addAliases !== undefined ? aliasProblem('addAliases', p.addAliases) : null)
    ?? (p.floor !== undefined && p.floor !== null ? floorProblem(p.floor, floors) : null)
    ?? (p.reset !== undefined && typeof p.reset !== 'boolean' ? 'reset must be true or false' : null);
  if (problem) return { ok: false, reason: problem };
  if (Object.keys(p).length === 0) return { ok: false, reason: 'nothing to change (name, area, aliases, addAliases, floor or reset)' };
  if (typeof p.floor === 'string') return { ok: true, patch: { ...p, floor: findFloor(p.floor, floors) } };
  return { ok: true, patch: p };
}

/** The override after a patch; null when nothing is left of it. */
export function applyPatch(current: DeviceOverride | undefined, patch: OverridePatch): DeviceOverride | null {
  const next: DeviceOverride = patch.reset ? {} : { ...current };
  if (patch.name === null) delete next.name;
  else if (patch.name !== undefined) next.name = patch.name.trim();
  if (patch.area === null) delete next.area;
  else if (patch.area !== undefined) next.area = patch.area.trim();
  if (patch.floor === null) delete next.floor;
  else if (patch.floor !== undefined) next.floor = patch.floor;
  let aliases = patch.aliases === null ? [] : patch.aliases?.map((a) => a.trim()) ?? next.aliases;
  if (patch.addAliases) aliases = [...(aliases ?? []), ...patch.addAliases.map((a) => a.trim())];
  if (aliases !== undefined) {
    const unique = [...new Set(aliases)];
    if (unique.length > MAX_ALIASES) unique.length = MAX_ALIASES;
    next.aliases = unique;
  }
  return Object.keys(next).length > 0 ? next : null;
}

/**
 * The stored document made safe: overrides that do not fit are dropped one by one and counted. A floor that is
 * no longer configured (`floors` changed since it was set) is dropped alone, counted in `floorsDropped`: the
 * device goes back to its area's floor and keeps its name.
 */
export function checkOverridesDocument(data: unknown, floors: FloorChoices = {}): { doc: DeviceOverridesDocument; dropped: number; floorsDropped: number } {
  const doc = emptyOverridesDocument();
  let dropped = 0;
  let floorsDropped = 0;
  const entries = isObject(data) && isObject(data.overrides) ? Object.entries(data.overrides) : [];
  for (const [id, o] of entries) {
    const fits = id.length > 0 && id.length <= 256 && id !== '__proto__' && isObject(o)
      && (o.name === undefined || textProblem('name', o.name, MAX_NAME_CHARS) === null)
      && (o.area === undefined || textProblem('area', o.area, MAX_AREA_CHARS) === null)
      && (o.aliases === undefined || aliasProblem('aliases', o.aliases) === null || (Array.isArray(o.aliases) && o.aliases.length === 0));
    if (!fits || Object.keys(doc.overrides).length >= MAX_OVERRIDES) { dropped++; continue; }
    const kept: DeviceOverride = {};
    if (typeof o.name === 'string') kept.name = o.name.trim();
    if (typeof o.area === 'string') kept.area = o.area.trim();
    if (Array.isArray(o.aliases)) kept.aliases = (o.aliases as string[]).map((a) => a.trim());
    if (o.floor !== undefined) {
      const key = typeof o.floor === 'string' && floorProblem(o.floor, floors) === null ? findFloor(o.floor, floors) : undefined;
      if (key !== undefined) kept.floor = key;
      else floorsDropped++;
    }
    doc.overrides[id] = kept;
  }
  return { doc, dropped, floorsDropped };
}
