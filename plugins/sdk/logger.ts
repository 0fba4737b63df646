/**
 * The logger a plugin gets: a pino child logger named after the plugin (`{"plugin":"com.example.weather"}`
 * on every line), and inside a handler one that also carries the request's `traceId`.
 * Pass an object first to add fields: `log.info({ city }, 'fetched the forecast')`.
 */
export interface PluginLogger {
  debug(obj: object, msg?: string): void;
  debug(msg: string): void;
  info(obj: object, msg?: string): void;
  info(msg: string): void;
  warn(obj: object, msg?: string): void;
  warn(msg: string): void;
  error(obj: object, msg?: string): void;
  error(msg: string): void;
}
