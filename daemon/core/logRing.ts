/**
 * The last log lines, kept in memory for the page's log view (`GET /api/logs`, admin scope). pino has
 * already redacted the keys it knows (log.ts); lines are still scrubbed for anything that looks like a
 * bearer token or a password in free text (a URL with `?token=`, a JWT pasted into a device name), since
 * a log line may carry text an MQTT device chose. Bounded: `capacity` lines of at most `maxLineBytes`.
 */
export class LogRing {
  private readonly lines: string[] = [];
  private next = 0;

  constructor(private readonly capacity = 200, private readonly maxLineBytes = 4096) {}

  push(line: string): void {
    let text = line.endsWith('\n') ? line.slice(0, -1) : line;
    if (text.length > this.maxLineBytes) text = `${text.slice(0, this.maxLineBytes)}…`;
    text = scrub(text);
    if (this.lines.length < this.capacity) this.lines.push(text);
    else this.lines[this.next] = text;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first. */
  snapshot(): string[] {
    if (this.lines.length < this.capacity) return [...this.lines];
    return [...this.lines.slice(this.next), ...this.lines.slice(0, this.next)];
  }
}

/** JWTs (three base64url parts, the first `eyJ`), `token=`/`password=` values in text: replaced. */
export function scrub(text: string): string {
  return text
    .replace(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, '[redacted]')
    .replace(/((?:token|password|apiKey|secret)=)[^&\s"]+/gi, '$1[redacted]');
}

/**
 * A pino destination that keeps a copy of each line in `ring` and passes it on to `destination`. `flushSync`
 * is forwarded, so flushLog still empties the real destination on exit.
 */
export function teeToRing(destination: { write(line: string): unknown; flushSync?: () => void }, ring: LogRing): { write(line: string): unknown; flushSync(): void } {
  return {
    write: (line: string) => {
      ring.push(line);
      return destination.write(line);
    },
    flushSync: () => destination.flushSync?.(),
  };
}
