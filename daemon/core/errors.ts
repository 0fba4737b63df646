/**
 * The one table of error codes. Every error the hub raises or sends carries one of these codes;
 * tests assert on `code`, never on message text. docs/ERRORS.md lists them for users.
 *
 * Voice protocol codes (PROTOCOL.md §3) are the first group: they go over the wire as they are.
 */
export const ErrorCodes = {
  // Voice protocol (sent to clients in `error` frames).
  BAD_REQUEST: 'malformed, oversized or unknown frame, or a missing/wrong field',
  UNAUTHORIZED: 'no, bad or expired token',
  FORBIDDEN: 'the token lacks the scope this needs',
  RATE_LIMITED: 'too many requests from this client; slow down',
  BUSY: 'the session queue is full',
  NO_MATCH: 'no intent or plugin understood the utterance',
  NO_STT: 'audio was sent but no speech-to-text is configured or installed (the message names what to install)',
  PLUGIN_FAILED: 'a plugin threw or rejected while handling the request',
  TIMEOUT: 'a handler did not answer in time',
  INTERNAL: 'an unexpected error inside the hub',
  // Hub-internal codes (logs, CLI, exit messages).
  CONFIG_INVALID: 'the configuration file or an override is invalid',
  CONFIG_UNREADABLE: 'the configuration file could not be read or parsed',
  DATA_DIR_UNWRITABLE: 'the data directory cannot be created or written',
  PORT_IN_USE: 'a listener could not bind its port',
  STORAGE_CORRUPT: 'a storage file was torn or corrupt and was replaced by its last good copy',
  STATE_TRANSITION_INVALID: 'a session state machine was asked for a transition its table does not allow',
  AUTH_EXPIRED: 'the token has expired',
  AUTH_INVALID: 'the token is malformed, tampered, or signed by another key',
  PLUGIN_TIMEOUT: 'a plugin hook exceeded plugins.timeoutMs',
  PLUGIN_SCOPE_DENIED: 'a plugin used a power its granted scopes do not include',
  PLUGIN_MANIFEST_INVALID: 'a plugin manifest failed validation',
  PLUGIN_PAUSED: 'a plugin failed too often in a row and is paused',
  REGISTER_AFTER_START: 'something was registered after the hub had started',
  DEVICE_NOT_FOUND: 'no device matches',
  DEVICE_AMBIGUOUS: 'more than one device matches',
  DEVICE_UNSUPPORTED: 'the device does not support that command',
  VALUE_OUT_OF_RANGE: 'a command value is outside what the device accepts',
  MQTT_UNAVAILABLE: 'the MQTT broker is not connected',
  CLOUD_UNAVAILABLE: 'the cloud is not configured or not reachable',
  SHUTTING_DOWN: 'the hub is stopping and takes no new work',
  // Storage, data dir and stored state (issue 11).
  DATA_DIR_LOCKED: 'another running voicehub holds the data directory\'s lock',
  DISK_FULL: 'the data directory\'s file system is full; the hub runs read-only and keeps changes in memory',
  STORAGE_ENTRY_UNSERIALISABLE: 'one entry of a stored collection cannot be serialised and is left out of the file',
  STORED_ENTRY_INVALID: 'an entry of a stored file has the wrong shape and is skipped',
  SIGNING_KEY_REPLACED: 'the signing key had no good copy and a new one was made: every token was withdrawn',
  // Config loading (issue 11): a config file the hub refuses to read, all exit code 2.
  CONFIG_TOO_LARGE: 'the configuration file is over the size limit (256 KiB)',
  CONFIG_INSECURE: 'the configuration file can be written by other users (a shared group or everyone), or is owned by a user other than the hub\'s or root',
  CONFIG_UNRECOGNISED: 'the file has none of voicehub\'s top-level keys, so it is not a voicehub config; its content is not shown',
  // Discovery templates and device ids (issue 11).
  TEMPLATE_FORBIDDEN: 'a discovery or stored template uses something the template evaluator refuses; the entity (or stored template) is dropped',
  TEMPLATE_TOO_COSTLY: 'a template spent its work budget while rendering one message',
  DEVICE_ID_RESERVED: 'a device id (unique_id) is __proto__, constructor or prototype, which the hub refuses',
  DEVICE_LIMIT: 'the hub already keeps its maximum of discovered devices (5000); a new one is ignored',
  // HTTP API answers (besides the voice codes above, which HTTP uses too).
  NOT_FOUND: 'no HTTP route for that path (404)',
  METHOD_NOT_ALLOWED: 'the HTTP route exists but not for that method (405)',
  // Incoming MQTT payloads (devices/payload.ts): the message is dropped and logged, naming its topic.
  PAYLOAD_TOO_LARGE: 'an MQTT payload (or what a discovered entity would keep of it) is over its size cap',
  PAYLOAD_BINARY: 'an MQTT payload is not valid UTF-8 or contains NUL bytes',
  PAYLOAD_NOT_JSON: 'an MQTT payload that must be a JSON object is not one',
  // Home Assistant templates (devices/template*.ts), besides TEMPLATE_FORBIDDEN and TEMPLATE_TOO_COSTLY above.
  TEMPLATE_INVALID: 'a template does not parse',
  TEMPLATE_UNDEFINED: 'a template\'s `is_defined` met an undefined value (Home Assistant raises there too)',
  TEMPLATE_FAILED: 'a template filter could not apply (from_json on text that is not JSON…)',
  TEMPLATE_TOO_LONG: 'a template\'s source, a string it builds, or its output is over the cap',
  // Home Assistant discovery (devices/haDiscovery.ts): the config (or one component of it) is skipped.
  DISCOVERY_INVALID: 'a discovery topic or config does not have the shape Home Assistant discovery defines',
  COMPONENT_UNSUPPORTED: 'a discovered component (platform) is not one the hub supports',
  // systemd's environment (daemon/systemd/notifyEnv.ts): logged at start; notifications or the watchdog stay off.
  NOTIFY_SOCKET_INVALID: 'NOTIFY_SOCKET is set but is not a socket path the hub can use; systemd notifications off',
  WATCHDOG_USEC_INVALID: 'WATCHDOG_USEC is not a positive whole number of microseconds; watchdog off',
  WATCHDOG_PID_INVALID: 'WATCHDOG_PID is not a process id; watchdog off',
  WATCHDOG_PID_OTHER: 'WATCHDOG_PID names another process, so the watchdog is not ours to feed',
  WATCHDOG_WITHOUT_SOCKET: 'WATCHDOG_USEC is set without NOTIFY_SOCKET; watchdog off',
  DEVICE_OVERRIDE_INVALID: 'a name, area, alias or floor set for a device (PATCH /api/devices/:id, `voicehub devices set`) is not allowed',
  // The page (issue 17).
  PAIRING_CODE_INVALID: 'a pairing code from `voicehub pair` is wrong, expired or already used (POST /api/pair answers 401)',
  PAGE_NOT_BUILT: 'the page\'s files are missing from dist/page (run `npm run build`); GET / answers 503',
  // The assistant (issue 15): logged with each failed request; the user hears a sentence saying so.
  ASSISTANT_UNREACHABLE: 'the assistant endpoint could not be reached or answered 5xx',
  ASSISTANT_BUSY: 'the assistant endpoint answered 429, 529 or 503, or its stream reported it was overloaded',
  ASSISTANT_TIMEOUT: 'the assistant did not finish its answer within assistant.timeoutMs',
  ASSISTANT_MALFORMED: 'the assistant endpoint answered something that is not a Messages API stream',
  ASSISTANT_REFUSED: 'the assistant endpoint refused the key (401 or 403)',
  // Tool errors the model reads in a tool_result (is_error), beside DEVICE_NOT_FOUND, VALUE_OUT_OF_RANGE…
  ASSISTANT_UNKNOWN_TOOL: 'the model called a tool it was not offered',
  ASSISTANT_TOO_MANY_TOOL_CALLS: 'the model made more than assistant.maxToolCalls tool calls for one utterance',
  // Speech (daemon/speech/): recognisers, synthesisers and Wyoming peers.
  STT_FAILED: 'the speech-to-text engine crashed, hung, or answered something that is not a transcript',
  TTS_FAILED: 'the text-to-speech engine failed or timed out; the reply went out as text only',
  WYOMING_INVALID: 'a Wyoming peer sent a malformed header or a data/payload length over the cap; the connection is closed',
  // The cloud link (daemon/cloud/, issue 13).
  CLOUD_BUSY: 'a cloud HTTP request waited longer than cloud.pool.maxWaitMs for a connection or the rate limit',
  CLOUD_UNAUTHORIZED: 'the cloud refused the hub\'s token (401/403); the link waits cloud.backoffMaxMs between tries',
  CLOUD_TLS: 'the cloud\'s TLS certificate was not trusted (set cloud.ca for a private CA) or the handshake failed',
  CLOUD_HEARTBEAT_TIMEOUT: 'the cloud link answered no ping (or acknowledged no events) for two heartbeat intervals and was closed',
  CLOUD_OUTBOX_OVERFLOW: 'the cloud outbox reached cloud.outboxMax while events could not be delivered; the oldest were dropped',
  CLOUD_FRAME_INVALID: 'a frame from the cloud was not JSON, of an unknown type, missing or with wrong fields, or too large',
  CLOUD_ACK_UNKNOWN: 'the cloud acknowledged a seq the hub never sent; the ack is ignored',
  // Tools that plugins declare for the assistant (PluginManifest.tools, issue 15).
  ASSISTANT_TOOL_INPUT_INVALID: 'the model\'s input for a plugin\'s tool does not fit the tool\'s inputSchema; the plugin is not called',
  // Wyoming satellites (daemon/voice/satellites/, issue 16).
  SATELLITE_UNREACHABLE: 'a satellite in voice.satellites could not be dialled or closed the connection; the hub dials again with backoff',
  SATELLITE_STALLED: 'a satellite stopped reading what the hub sends (over 4 MiB unread); the connection is dropped and dialled again',
  PLUGIN_UNSAFE_LINK: 'an isolated plugin\'s folder holds a symbolic link leading out of it (or too many files to check); the plugin is not started',
  // Plugins under fire (issue 18): an isolated plugin's process over its limits is stopped and restarted with back-off.
  PLUGIN_CPU_QUOTA: 'an isolated plugin\'s process used more than its CPU share (plugins.cpuQuota) over the window; it was stopped and is restarted with back-off',
  PLUGIN_MEMORY_LIMIT: 'an isolated plugin\'s process grew past its resident memory limit; it was stopped and is restarted with back-off',
  PLUGIN_STUCK: 'an isolated plugin\'s process answered no heartbeat for plugins.cpuQuota.stuckMs while a call was in flight, burning CPU meanwhile (a synchronous loop); it was stopped and is restarted with back-off',
  // Plugin findings left from the round before (issue 18).
  SCHEDULE_TOO_FREQUENT: 'a plugin asked api.schedule.every for a period under 1 s (cron\'s granularity); the job is not made',
  PLUGIN_CHANNEL_THROTTLED: 'an isolated plugin\'s process sent the hub more than its channel budget (1 MiB a second after a 4 MiB burst); the hub reads its channel only as fast as the budget allows',
  // Red-team findings left from the round before (issue 18).
  HTTP_BODY_TIMEOUT: 'a request body did not arrive whole within http.headersTimeoutMs of its head; answered 408 and the connection closed',
  VALUE_INVALID: 'a device reported a state value its kind cannot read (an unknown state word, availability, volume, a bad json_attributes); the value is ignored and logged',
  SCHEDULE_TIMER_BUDGET: 'a plugin armed more api.schedule.after timers under 1 s than its budget (100 a second after a burst of 200); this one is not made',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** The side results that are not thrown (pure decoders answer `{ ok: false, code }`) take their codes from here too. */
export type PayloadFailureCode = Extract<ErrorCode, 'PAYLOAD_TOO_LARGE' | 'PAYLOAD_BINARY' | 'PAYLOAD_NOT_JSON'>;
export type TemplateFailureCode = Extract<ErrorCode,
  | 'TEMPLATE_INVALID' // does not parse
  | 'TEMPLATE_FORBIDDEN' // parses, but uses something we do not evaluate
  | 'TEMPLATE_UNDEFINED' // `is_defined` met an undefined value (HA raises there too)
  | 'TEMPLATE_FAILED' // a filter could not apply (from_json on text that is not JSON…)
  | 'TEMPLATE_TOO_LONG' // the source, a string it builds, or its output is over the cap
  | 'TEMPLATE_TOO_COSTLY'>; // the run spent its work budget
export type DiscoveryFailureCode =
  | PayloadFailureCode
  | Extract<ErrorCode, 'DISCOVERY_INVALID' | 'COMPONENT_UNSUPPORTED' | 'DEVICE_ID_RESERVED'>
  // A template is refused at discovery with its own code: compiling only parses and checks.
  | Extract<TemplateFailureCode, 'TEMPLATE_FORBIDDEN' | 'TEMPLATE_INVALID' | 'TEMPLATE_TOO_LONG'>;
export type SystemdEnvProblemCode = Extract<ErrorCode,
  'NOTIFY_SOCKET_INVALID' | 'WATCHDOG_USEC_INVALID' | 'WATCHDOG_PID_INVALID' | 'WATCHDOG_PID_OTHER' | 'WATCHDOG_WITHOUT_SOCKET'>;
/** Codes the HTTP server and its guard answer with, in `{"error":{"code":…}}` bodies. */
export type HttpErrorCode = Extract<ErrorCode,
  'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'RATE_LIMITED' | 'INTERNAL' | 'HTTP_BODY_TIMEOUT'>;

/** Codes that may be sent to voice clients in an `error` frame (PROTOCOL.md §3). */
export const VOICE_ERROR_CODES = [
  'BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED', 'BUSY', 'NO_MATCH', 'NO_STT',
  'PLUGIN_FAILED', 'TIMEOUT', 'INTERNAL', 'STT_FAILED',
] as const satisfies readonly ErrorCode[];
export type VoiceErrorCode = (typeof VOICE_ERROR_CODES)[number];

export interface HubErrorOptions {
  cause?: unknown;
  /** Marks a failure worth retrying (a passing fault), as the voice queue's retry policy reads it. */
  retryable?: boolean;
  /** Extra machine-readable detail (the key path of a config error, the missing scopes…). */
  details?: Record<string, unknown>;
}

export class HubError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: HubErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HubError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

/** A config file or override that does not fit the schema: exit code 2. */
export class ConfigError extends HubError {
  /** One line per problem, each naming the key path, the value and what is allowed. */
  readonly problems: string[];
  constructor(problems: string[], code: ErrorCode = 'CONFIG_INVALID') {
    super(code, problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Something about the machine (data dir, port) that stops the hub: exit code 1. */
export class EnvironmentError extends HubError {
  constructor(code: ErrorCode, message: string, options: HubErrorOptions = {}) {
    super(code, message, options);
    this.name = 'EnvironmentError';
  }
}

export function isHubError(err: unknown): err is HubError {
  return err instanceof HubError;
}

/**
 * The one answer to "whose fault is it": a refusal is the hub turning a request away on purpose (the client
 * asked for something malformed, unauthorised, too much, or that nothing understands; or the hub is busy or
 * stopping), which is expected and logged at debug at most. Every other code is a fault (of the hub, a plugin,
 * a device or the machine) and is worth a warning. For the voice codes this is the line voiceSession has always
 * drawn: only INTERNAL, PLUGIN_FAILED and STT_FAILED (a speech engine that crashed or hung) are warned about.
 */
const REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED', 'BUSY', 'NO_MATCH', 'NO_STT', 'TIMEOUT',
  'AUTH_EXPIRED', 'AUTH_INVALID', 'DEVICE_NOT_FOUND', 'DEVICE_AMBIGUOUS', 'DEVICE_UNSUPPORTED', 'VALUE_OUT_OF_RANGE',
  'SHUTTING_DOWN', 'NOT_FOUND', 'METHOD_NOT_ALLOWED',
]);

/** True when the code means a request was turned away on purpose rather than something going wrong (see REFUSALS). */
export function isRefusal(code: ErrorCode): boolean {
  return REFUSALS.has(code);
}

/** Maps any error to a code a voice client may see; internal ones become INTERNAL. */
export function toVoiceErrorCode(err: unknown): VoiceErrorCode {
  if (isHubError(err)) {
    if ((VOICE_ERROR_CODES as readonly string[]).includes(err.code)) return err.code as VoiceErrorCode;
    if (err.code === 'PLUGIN_TIMEOUT') return 'TIMEOUT';
    if (err.code === 'PLUGIN_PAUSED' || err.code === 'PLUGIN_SCOPE_DENIED') return 'PLUGIN_FAILED';
    if (err.code === 'DEVICE_NOT_FOUND' || err.code === 'DEVICE_AMBIGUOUS') return 'NO_MATCH';
    if (err.code === 'VALUE_OUT_OF_RANGE' || err.code === 'DEVICE_UNSUPPORTED') return 'BAD_REQUEST';
    if (err.code === 'SHUTTING_DOWN') return 'BUSY';
  }
  return 'INTERNAL';
}
