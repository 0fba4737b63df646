/**
 * `node dist/test/bench/heapDiff.js <before.heapsnapshot> <after.heapsnapshot> [rows]`: what grew between two
 * heap snapshots (the edge bench's BENCH_EDGE_HEAPSNAP ones), by constructor: count and self size of the
 * objects of each kind, largest growth first. Strings, code and arrays are grouped by V8's node type (their
 * names are their contents), the rest by constructor name. A look inside for the README's memory figures,
 * not a bench of its own: counts and sizes do not depend on the machine's load.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface KindTotal { count: number; bytes: number }

/** Grouped by type name for the types whose node names are contents, not constructors. */
const BY_TYPE = new Set(['string', 'concatenated string', 'sliced string', 'code', 'number', 'regexp', 'symbol', 'bigint']);

export function heapKinds(path: string): Map<string, KindTotal> {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const kinds = new Map<string, KindTotal>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt]!]!;
    const key = BY_TYPE.has(type) ? `(${type})` : `${type}: ${snap.strings[snap.nodes[i + nameAt]!]!.slice(0, 60)}`;
    const k = kinds.get(key) ?? { count: 0, bytes: 0 };
    k.count++;
    k.bytes += snap.nodes[i + sizeAt]!;
    kinds.set(key, k);
  }
  return kinds;
}

export function heapDiff(before: Map<string, KindTotal>, after: Map<string, KindTotal>): Array<{ kind: string; count: number; bytes: number; afterBytes: number }> {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].map((kind) => {
    const a = after.get(kind) ?? { count: 0, bytes: 0 };
    const b = before.get(kind) ?? { count: 0, bytes: 0 };
    return { kind, count: a.count - b.count, bytes: a.bytes - b.bytes, afterBytes: a.bytes };
  }).sort((x, y) => Math.abs(y.bytes) - Math.abs(x.bytes));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [beforePath, afterPath, rows] = process.argv.slice(2);
  if (!beforePath || !afterPath) {
    process.stderr.write('usage: heapDiff.js <before.heapsnapshot> <after.heapsnapshot> [rows]\n');
    process.exit(2);
  }
  const before = heapKinds(beforePath);
  const after = heapKinds(afterPath);
  const total = (m: Map<string, KindTotal>) => [...m.values()].reduce((s, k) => s + k.bytes, 0);
  const kb = (n: number) => (n / 1024).toFixed(1).padStart(9);
  process.stdout.write(`total self size: ${kb(total(before))} KB → ${kb(total(after))} KB\n`);
  process.stdout.write(`${'Δ KB'.padStart(9)} ${'Δ count'.padStart(9)} ${'after KB'.padStart(9)}  kind\n`);
  for (const d of heapDiff(before, after).slice(0, Number(rows ?? 30))) {
    process.stdout.write(`${kb(d.bytes)} ${String(d.count).padStart(9)} ${kb(d.afterBytes)}  ${d.kind}\n`);
  }
}
