/**
 * JSON.stringify for a stored document in which one entry may not serialise (a value nested so deep that the
 * recursion overflows the stack, a BigInt, a cycle). The whole document is tried first; only when that throws
 * are its parts serialised one by one, down to `depth` levels (document → collection → entry), and each part
 * that still throws is left out and named in `skipped`. So one bad device costs that device, never the file.
 */
export function serialiseIsolating(data: unknown, skipped: string[], depth = 2): string {
  const text = serialisePart(data, skipped, depth, '');
  if (text === undefined) throw new Error('the document cannot be serialised as JSON');
  return text;
}

function serialisePart(value: unknown, skipped: string[], depth: number, path: string): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (depth <= 0 || typeof value !== 'object' || value === null || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      skipped.push(`${path || '(document)'}: ${(err as Error).message}`);
      return undefined;
    }
  }
  if (Array.isArray(value)) {
    const items: string[] = [];
    value.forEach((item, i) => {
      const text = serialisePart(item, skipped, depth - 1, `${path}[${i}]`);
      if (text !== undefined) items.push(text);
    });
    return `[${items.join(',')}]`;
  }
  const members: string[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const text = serialisePart(inner, skipped, depth - 1, path ? `${path}.${key}` : key);
    if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${members.join(',')}}`;
}
