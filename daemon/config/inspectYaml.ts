import { isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import { clip } from './clip.js';

/** Deeper than any voicehub key (plugin config included) needs; bounds every recursive step after parsing. */
export const MAX_YAML_DEPTH = 32;

/** Key path (`devices.0.id`) → how a number was written when that differs from how JS prints it. */
export type NumberSources = ReadonlyMap<string, string>;

/** An integer literal: YAML 1.2 decimal, 0x hex or 0o octal. */
const INTEGER_LITERAL = /^[-+]?(?:\d+|0x[0-9a-f]+|0o[0-7]+)$/i;
/** Hex as long as a MAC (12 digits) or a Zigbee IEEE address (16): an id, never meant as a number. */
const HEX_ID = /^0x[0-9a-f]{12,}$/i;

/**
 * Looks over a parsed YAML document for what turns into something other than what was written, before
 * it becomes plain values: an unquoted Zigbee IEEE address (`0x00158d0001a2b3c4`) is an integer above
 * 2^53 and silently loses digits; a hex key becomes its decimal string; a repeated key overwrites the
 * first. Also bounds the nesting depth.
 * Problems are not thrown here: the file may not be a voicehub config at all, and then naming its keys
 * would print its lines (buildConfig decides).
 */
/** One thing the YAML got wrong: `message` starts with `:line: path:` for the caller to put the file name in front. */
export interface YamlProblem { path: string; message: string }

export function inspectYaml(doc: Document, lines?: LineCounter): { tooDeep: boolean; problems: YamlProblem[]; numberSources: NumberSources } {
  const problems: YamlProblem[] = [];
  let tooDeep = false;
  const numberSources = new Map<string, string>();
  const report = (offset: number | undefined, path: string[], what: string) => {
    const pos = offset === undefined || !lines ? undefined : lines.linePos(offset);
    problems.push({ path: path.join('.'), message: `${pos ? `:${pos.line}` : ''}: ${clip(path.join('.') || '(top level)', 80)}: ${what}` });
  };

  const walk = (node: unknown, path: string[]): void => {
    if (path.length > MAX_YAML_DEPTH) {
      tooDeep = true;
      return;
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key;
        if (!isScalar(key)) {
          walk(pair.value, [...path, '(key)']);
          continue;
        }
        const name = String(key.value);
        if (typeof key.value === 'number' && key.source !== undefined && key.source !== name) {
          report(key.range?.[0], [...path, name], `the key ${clip(key.source)} is read as the number ${clip(name)}; quote it: '${clip(key.source)}'`);
        }
        if (seen.has(name)) report(key.range?.[0], [...path, name], `duplicate key (the second would silently replace the first)`);
        seen.add(name);
        walk(pair.value, [...path, name]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, String(i)]));
    } else if (isScalar(node) && typeof node.value === 'number' && node.source !== undefined && node.source !== String(node.value)) {
      numberSources.set(path.join('.'), node.source);
      if (!Number.isSafeInteger(node.value) && Number.isInteger(node.value) && INTEGER_LITERAL.test(node.source)) {
        report(node.range?.[0], path, `${clip(node.source)} is too large to be read as an exact number (it would become ${clip(String(node.value))}); if it is an id, quote it: '${clip(node.source)}'`);
      } else if (HEX_ID.test(node.source)) {
        report(node.range?.[0], path, `${clip(node.source)} looks like an id (a Zigbee IEEE address?) but YAML reads it as the number ${clip(String(node.value))}; quote it: '${clip(node.source)}'`);
      }
    }
  };
  walk(doc.contents, []);
  return { tooDeep, problems, numberSources };
}
