import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import { teeToRing, type LogRing } from './logRing.js';

export type Logger = PinoLogger;

/**
 * Keys that must never reach a log line. pino replaces them with "[redacted]" wherever a log object
 * carries them, so a careless `log.info({ config })` cannot leak a secret to journald.
 */
const REDACT_PATHS = [
  'token', '*.token', 'password', '*.password', 'passwordHash', '*.passwordHash', 'secret', '*.secret',
  'apiKey', '*.apiKey', '*.*.apiKey', 'authorization', '*.authorization', 'headers.authorization',
  'req.headers.authorization', 'cloud.token', 'key', '*.key',
];

export interface LogOptions {
  level?: string;
  /** Where lines go; stdout when not given. Tests pass a stream to read lines back. */
  destination?: DestinationStream;
  /** Keeps a copy of the last lines (the page's log view, admin only). */
  ring?: LogRing;
}

/**
 * One JSON object a line on stdout (PROTOCOL §1). Writes are asynchronous (sonic-boom, not blocking the
 * event loop); the price, as pino's docs say, is that the last lines before a power cut may be lost.
 * `flushLog` is called on every orderly or fatal exit so nothing is lost there.
 */
export function createLogger(options: LogOptions = {}): Logger {
  const out = options.destination ?? pino.destination({ dest: 1, sync: false, minLength: 0 });
  const destination = options.ring ? teeToRing(out, options.ring) as DestinationStream : out;
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.epochTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** Writes out whatever the async destination still holds; safe to call on exit. */
export function flushLog(log: Logger): void {
  try {
    const stream = (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as { flushSync?: () => void };
    stream?.flushSync?.();
  } catch {
    // A destination that is not ready yet (or already closed) has nothing to flush.
  }
}

/** A logger that drops everything: for unit tests and CLI commands that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
