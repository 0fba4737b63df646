/**
 * Polls `probe` every 20 ms until it gives a value (a log line, a received MQTT message…) and returns it;
 * rejects naming `what` after `timeoutMs`. A bound on waiting for a real process, not a timing assertion.
 */
export async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  for (const end = Date.now() + timeoutMs; Date.now() < end;) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
