import { randomUUID } from 'node:crypto';

/** What a client's `x-trace-id` may be: short, and only characters that are safe in logs and headers. */
const TRACE_ID = /^[\w.:-]{1,64}$/;

/**
 * The trace id of a request or voice upgrade: the client's `x-trace-id` when it is one (1–64 characters of
 * letters, digits, `_ . : -`), otherwise a new UUID, so a hostile header can neither flood nor forge log lines.
 */
export function traceIdFrom(header: string | string[] | undefined): string {
  return clientTraceId(header) ?? randomUUID();
}

/** The client's `x-trace-id` when it is an acceptable one, else null. */
export function clientTraceId(header: string | string[] | undefined): string | null {
  return typeof header === 'string' && TRACE_ID.test(header) ? header : null;
}
