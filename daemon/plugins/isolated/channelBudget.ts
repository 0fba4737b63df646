/**
 * A byte budget on what an isolated plugin's process sends the hub (issue 18). Every frame the child writes is
 * decoded in the hub's own thread (V8 deserialize), so a child writing 1 MiB messages as fast as the pipe goes
 * made the hub decode at channel speed. Past its budget the hub stops reading the channel until the debt is
 * paid: the child's writes wait in the pipe and then in its own memory (its limits, not the hub's), and the hub
 * decodes at most `burstBytes` plus `bytesPerSecond` a second of it, whatever the child does.
 *
 * A token bucket counted in bytes as chunks arrive, before anything is decoded; a chunk already read is always
 * handled (it cannot be un-read), so the bucket may go into debt by one chunk (at most 64 KiB from a pipe), and
 * the pause lasts until the debt is refilled. Not RateLimiter: that one refuses a take and never goes into debt.
 */
import type { Duplex } from 'node:stream';
import type { Clock } from '../../core/context.js';
import { MAX_MESSAGE_BYTES } from './channel.js';

/** What one plugin's process may send a second: 1 MiB, far above any plugin's replies, logs and saves. */
export const CHANNEL_BYTES_PER_S = 1024 * 1024;
/** And at once after a quiet spell: four messages of the largest size the channel takes. */
export const CHANNEL_BURST_BYTES = 4 * MAX_MESSAGE_BYTES;

export interface ChannelBudgetEvents {
  /** Bytes read from the child, counted as they arrive. */
  read(bytes: number): void;
  /** The child is over its budget: nothing more is read for `waitMs`. */
  throttled(waitMs: number): void;
}

export interface ChannelBudgetOptions {
  bytesPerSecond: number;
  burstBytes: number;
}

/** Watches `stream` (it flows from here on); returns a function that stops watching and drops a pending resume. */
export function budgetChannel(stream: Duplex, clock: Clock, events: ChannelBudgetEvents,
  options: ChannelBudgetOptions = { bytesPerSecond: CHANNEL_BYTES_PER_S, burstBytes: CHANNEL_BURST_BYTES }): () => void {
  const perMs = options.bytesPerSecond / 1000;
  const now = (): number => clock.monotonic?.() ?? clock.now();
  let tokens = options.burstBytes;
  let at = now();
  let timer: NodeJS.Timeout | null = null;
  const onData = (chunk: Buffer): void => {
    events.read(chunk.length);
    const t = now();
    if (t > at) {
      tokens = Math.min(options.burstBytes, tokens + (t - at) * perMs);
      at = t;
    }
    tokens -= chunk.length;
    if (tokens >= 0 || timer !== null) return;
    const waitMs = Math.ceil(-tokens / perMs);
    stream.pause();
    events.throttled(waitMs);
    timer = clock.setTimeout(() => {
      timer = null;
      stream.resume();
    }, waitMs);
    // A throttled plugin never keeps the hub's process alive (a test or CLI run can end).
    timer.unref?.();
  };
  stream.on('data', onData);
  return () => {
    stream.off('data', onData);
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
  };
}
