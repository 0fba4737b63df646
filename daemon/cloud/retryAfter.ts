/** The longest Retry-After the link honours: a hostile or broken cloud cannot park the hub for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/**
 * Milliseconds a `Retry-After` header asks for (RFC 9110 §10.2.3: delay-seconds or an HTTP-date), or null
 * when absent or unreadable. A date is read against the response's own `Date` header when it has one, so a
 * hub whose clock is off (or jumps) still waits what the server meant.
 */
export function retryAfterMs(header: string | string[] | undefined, dateHeader: string | string[] | undefined, now: number): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(MAX_RETRY_AFTER_MS, Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  // An HTTP-date has a day and month name; Date.parse alone would take "-5" for the year -5.
  if (Number.isNaN(at) || !/[A-Za-z]{3}/.test(trimmed)) return null;
  const serverDate = Date.parse(Array.isArray(dateHeader) ? dateHeader[0] ?? '' : dateHeader ?? '');
  const reference = Number.isNaN(serverDate) ? now : serverDate;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - reference));
}
