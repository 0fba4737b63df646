import { performance } from 'node:perf_hooks';

/**
 * JSON.stringify for a stored document in which one entry may not serialise (a value nested so deep that the
 * recursion overflows the stack, a BigInt, a cycle), and which may be too large to serialise in one go.
 *
 * The document is walked down to `depth` levels (document → collection → entry) when its parts are plain
 * objects and arrays; each entry is serialised on its own, and one that throws is left out and named in
 * `skipped`. So one bad device costs that device, never the file. For good data the text is exactly
 * JSON.stringify's.
 *
 * Why entry by entry: devices.json with 1,100 devices is 0.8 MB; one JSON.stringify of it and its encoding took
 * 9 ms of CPU on the development machine (several times that on a Pi), on the flush clock, in one task: under
 * the edge bench's load it was the largest part of the hub's longest stretches without timers (issue 18).
 * `serialiseInSlices` hands the text out in batches and yields to the event loop between slices of a few ms.
 */
export function serialiseIsolating(data: unknown, skipped: string[], depth = DOCUMENT_DEPTH): string {
  const parts: string[] = [];
  const doc = planDocument(data, depth);
  for (const piece of doc.pieces) {
    const text = emit(piece, skipped);
    if (text) parts.push(text);
  }
  doc.check();
  return parts.join('');
}

export interface SliceOptions {
  /** Serialising time before the loop gets a turn (ms). */
  sliceMs?: number;
  /** Text handed to `write` at once, at most about this many characters (one write call each). */
  batchChars?: number;
  /** For tests: the clock (ms) and how the loop is let run. */
  now?: () => number;
  pause?: () => Promise<void>;
}

/** Document → collection → entry. */
const DOCUMENT_DEPTH = 2;
const DEFAULT_SLICE_MS = 2;
const DEFAULT_BATCH_CHARS = 64 * 1024;

/**
 * The same text as serialiseIsolating, handed to `write` in batches, with a turn of the event loop after each
 * `sliceMs` of work. Which entries the text holds is fixed when this is called (the walk takes them
 * synchronously); an entry changed in place before its turn is written as it is then, which only ever makes
 * the copy newer (the change marked the collection dirty, so the next write has it too). A document that
 * takes less than one slice is written without yielding, as before.
 */
export async function serialiseInSlices(data: unknown, skipped: string[], write: (text: string) => void, options: SliceOptions = {}): Promise<void> {
  const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
  const batchChars = options.batchChars ?? DEFAULT_BATCH_CHARS;
  const now = options.now ?? (() => performance.now());
  const pause = options.pause ?? (() => new Promise<void>((resolve) => { setImmediate(resolve); }));
  const doc = planDocument(data, DOCUMENT_DEPTH);
  let batch: string[] = [];
  let size = 0;
  const hand = () => {
    if (size === 0) return;
    write(batch.join(''));
    batch = [];
    size = 0;
  };
  let sliceStart = now();
  for (const piece of doc.pieces) {
    const text = emit(piece, skipped);
    if (text) {
      batch.push(text);
      size += text.length;
      if (size >= batchChars) hand();
    }
    if (now() - sliceStart >= sliceMs) {
      await pause();
      sliceStart = now();
    }
  }
  doc.check();
  hand();
}

/** Members written so far in one object or array (for the commas). */
interface Box { written: number }

/**
 * One piece of the text: literal text, the key (and comma) that opens a walked member, or an entry serialised
 * when its turn comes. `key` is undefined for an array's item.
 */
type Piece =
  | { kind: 'text'; text: string }
  | { kind: 'open'; box: Box; key: string | undefined }
  | { kind: 'entry'; box: Box; key: string | undefined; value: unknown; path: string; inArray: boolean };

/** The pieces of a document, and the check that it produced any text at all. */
function planDocument(data: unknown, depth: number): { pieces: Piece[]; check(): void } {
  const root: Box = { written: 0 };
  const pieces: Piece[] = [];
  plan(data, depth, '', root, undefined, false, pieces);
  return {
    pieces,
    check() {
      if (root.written === 0) throw new Error('the document cannot be serialised as JSON');
    },
  };
}

function plan(value: unknown, depth: number, path: string, box: Box, key: string | undefined, inArray: boolean, out: Piece[]): void {
  if (depth <= 0 || !walkable(value)) {
    out.push({ kind: 'entry', box, key, value, path, inArray });
    return;
  }
  out.push({ kind: 'open', box, key });
  const inner: Box = { written: 0 };
  if (Array.isArray(value)) {
    out.push({ kind: 'text', text: '[' });
    value.forEach((item: unknown, i) => plan(item, depth - 1, `${path}[${i}]`, inner, undefined, true, out));
    out.push({ kind: 'text', text: ']' });
    return;
  }
  out.push({ kind: 'text', text: '{' });
  for (const k of Object.keys(value)) plan((value as Record<string, unknown>)[k], depth - 1, path ? `${path}.${k}` : k, inner, k, false, out);
  out.push({ kind: 'text', text: '}' });
}

/** A plain object or array, serialised by JSON.stringify as its members: safe to walk into. */
function walkable(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function emit(piece: Piece, skipped: string[]): string | undefined {
  if (piece.kind === 'text') return piece.text;
  if (piece.kind === 'open') return prefix(piece.box, piece.key);
  let text: string | undefined;
  try {
    text = JSON.stringify(piece.value);
  } catch (err) {
    skipped.push(`${piece.path || '(document)'}: ${(err as Error).message}`);
    return undefined;
  }
  // As JSON.stringify does: an object leaves out a member with no JSON form, an array writes null for it.
  if (text === undefined) {
    if (!piece.inArray) return undefined;
    text = 'null';
  }
  return prefix(piece.box, piece.key) + text;
}

function prefix(box: Box, key: string | undefined): string {
  const comma = box.written++ > 0 ? ',' : '';
  return key === undefined ? comma : `${comma}${JSON.stringify(key)}:`;
}
