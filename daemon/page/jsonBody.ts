import type { IncomingMessage } from 'node:http';
import { HubError } from '../core/errors.js';

/**
 * The JSON object body of a small API request, read as hostile input: at most `maxBytes` (a longer body is
 * refused as soon as it passes the limit, not after it has all arrived), JSON, an object. Anything else is a
 * HubError BAD_REQUEST the route answers with 400.
 */
export async function readJsonObject(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new HubError('BAD_REQUEST', `the body is over ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.destroy();
      throw new HubError('BAD_REQUEST', `the body is over ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HubError('BAD_REQUEST', 'the body is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HubError('BAD_REQUEST', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}
