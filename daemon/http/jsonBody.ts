import type { IncomingMessage } from 'node:http';
import { HubError } from '../core/errors.js';

/** A request body the API reads: small JSON objects (a device's name, area and aliases fit in 2 KB). */
export const MAX_JSON_BODY_BYTES = 16 * 1024;

/**
 * Reads a JSON request body, at most `max` bytes (a larger one is refused as soon as it is over, without
 * reading the rest). BAD_REQUEST for an oversized body, a body that is not UTF-8 JSON, or a content type
 * that says it is something else.
 */
export async function readJsonBody(req: IncomingMessage, max = MAX_JSON_BODY_BYTES, options: { checkType?: boolean } = {}): Promise<unknown> {
  const type = req.headers['content-type'];
  if ((options.checkType ?? true) && type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
    throw new HubError('BAD_REQUEST', 'the body must be application/json');
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) throw new HubError('BAD_REQUEST', `the body is larger than ${max} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) {
        req.resume();
        throw new HubError('BAD_REQUEST', `the body is larger than ${max} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    // A client that hangs up before its body ends ("aborted") was logged as an internal error with a stack,
    // one line per request anyone may send (issue 18, found by the red team): it is the client's fault.
    if (err instanceof HubError) throw err;
    throw new HubError('BAD_REQUEST', 'the body ended before its announced length (the client went away)', { cause: err });
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
  } catch {
    throw new HubError('BAD_REQUEST', 'the body is not JSON');
  }
}

/**
 * A JSON object body (POST /api/pair, /api/command): as readJsonBody, any content type (a `curl -d` sends
 * form-encoded, a bare fetch text/plain), and it must be an object.
 */
export async function readJsonObject(req: IncomingMessage, max: number): Promise<Record<string, unknown>> {
  const value = await readJsonBody(req, max, { checkType: false });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HubError('BAD_REQUEST', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}
