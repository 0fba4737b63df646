import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DEVICE_TYPES, KIND_CONFIG, type KindConfigKeys } from '../../devices/kinds/index.js';

/**
 * The configuration schema: the one place that names every key, its type, range and default.
 * `npm run build` also writes it out as voicehub.schema.json so editors can complete voicehub.yaml.
 */
const Port = (def: number) => Type.Integer({ minimum: 0, maximum: 65535, default: def, description: 'TCP port; 0 picks a free one' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()], { default: null });
const Strict = { additionalProperties: false, default: {} } as const;

export const ScopeSchema = Type.Union([
  Type.Literal('devices:read'), Type.Literal('devices:control'), Type.Literal('voice:speak'),
  Type.Literal('cloud:request'), Type.Literal('geo:read'), Type.Literal('schedule'), Type.Literal('storage'),
]);

const HttpSchema = Type.Object({
  host: Type.String({ default: '0.0.0.0', minLength: 1 }),
  port: Port(8080),
  rateLimit: Type.Object({
    perSecond: Type.Number({ exclusiveMinimum: 0, default: 20, description: 'HTTP requests and WebSocket upgrades per second per remote address; more are answered 429 RATE_LIMITED' }),
    burst: Type.Integer({ minimum: 1, default: 100, description: 'how many may come at once from one address after a quiet spell' }),
    exempt: Type.Array(Type.String({ minLength: 1 }), { default: ['127.0.0.0/8'], description: 'addresses or CIDR ranges never rate limited (a reverse proxy on this machine should limit by itself); add "::1" when http.host listens on IPv6' }),
  }, Strict),
  headersTimeoutMs: Type.Integer({ minimum: 500, maximum: 60000, default: 5000, description: 'a connection that has not sent a complete request head (or WebSocket upgrade) within this is closed; a request body must then arrive whole within it as well (else 408, HTTP_BODY_TIMEOUT)' }),
  maxPendingPerAddress: Type.Integer({ minimum: 1, default: 32, description: 'connections from one address still sending their first request head; more are answered 429 and closed at once (addresses in http.rateLimit.exempt are not counted)' }),
}, Strict);

const MqttSchema = Type.Object({
  host: Type.String({ default: '::', minLength: 1, description: 'embedded broker bind address; the default :: takes IPv6 and IPv4 (falls back to 0.0.0.0 where IPv6 is off)' }),
  port: Port(1883),
  anonymousFrom: Type.Array(Type.String({ minLength: 1 }), { default: ['127.0.0.0/8', '::1'], description: 'addresses or CIDR ranges whose clients may connect without a user' }),
  anonymousCommands: Type.Boolean({ default: false, description: 'embedded broker: let anonymous clients publish to known devices\' command topics (off: only the hub and MQTT users whose --allow covers the topic may command a device)' }),
  url: Nullable(Type.String({ pattern: '^(mqtts?|wss?|tcp|ssl)://' })),
  username: Nullable(Type.String()),
  password: Nullable(Type.String()),
  clientId: Nullable(Type.String({ minLength: 1 })),
  ca: Nullable(Type.String({ description: 'path to a CA certificate (PEM) for mqtts:// or wss://' })),
  cert: Nullable(Type.String({ description: 'path to a client certificate (PEM)' })),
  key: Nullable(Type.String({ description: 'path to the client key (PEM)' })),
  rejectUnauthorized: Type.Boolean({ default: true }),
  discoveryPrefix: Type.String({ default: 'homeassistant', minLength: 1 }),
  zigbee2mqttBaseTopic: Type.String({ default: 'zigbee2mqtt', minLength: 1 }),
  maxPacketBytes: Type.Integer({ minimum: 1024, maximum: 268435455, default: 262144 }),
  connectionsPerSecond: Type.Integer({ minimum: 1, default: 50, description: 'new broker connections accepted per second' }),
  maxRetainedMessages: Type.Integer({ minimum: 1, default: 20000, description: 'retained messages the embedded broker keeps in all; more are refused' }),
  maxRetainedBytes: Type.Integer({ minimum: 1024, default: 33554432, description: 'bytes (topic + payload) of all retained messages the embedded broker keeps' }),
  maxRetainedMessagesPerClient: Type.Integer({ minimum: 1, default: 5000, description: 'retained messages one client (by client id) may have set' }),
  maxRetainedBytesPerClient: Type.Integer({ minimum: 1024, default: 8388608, description: 'bytes of retained messages one client (by client id) may have set' }),
  maxQueuedMessages: Type.Integer({ minimum: 1, default: 1000, description: 'QoS 1/2 messages the embedded broker keeps for one persistent session (offline or unacknowledged), as Mosquitto\'s max_queued_messages' }),
  maxQueuedBytes: Type.Integer({ minimum: 1024, default: 4194304, description: 'bytes kept for one persistent session, as Mosquitto\'s max_queued_bytes' }),
  commandMaxAgeMs: Type.Integer({ minimum: 0, maximum: 600000, default: 3000, description: 'external broker: a device command the broker has not acknowledged within this is given up (MQTT_UNAVAILABLE) and never sent late; while disconnected a command waits this long for the reconnect, then is refused (0: refused at once)' }),
  keepaliveSeconds: Type.Integer({ minimum: 1, maximum: 65535, default: 30, description: 'external broker: the MQTT keep-alive the hub asks for; a broker that answers nothing for 1.5 times this (a black-holed path that keeps TCP open) is taken as gone and dialled again' }),
}, Strict);

const VoiceSchema = Type.Object({
  maxTextLength: Type.Integer({ minimum: 1, maximum: 10000, default: 500 }),
  maxFrameBytes: Type.Integer({ minimum: 256, maximum: 16777216, default: 65536 }),
  maxAudioBytes: Type.Integer({ minimum: 1024, maximum: 67108864, default: 1048576 }),
  sessionQueue: Type.Integer({ minimum: 0, maximum: 1024, default: 16 }),
  rateLimit: Type.Object({
    perSecond: Type.Number({ exclusiveMinimum: 0, default: 20 }),
    burst: Type.Integer({ minimum: 1, default: 40 }),
  }, Strict),
  idempotencyTtlSeconds: Type.Integer({ minimum: 0, maximum: 86400, default: 600, description: 'how long an utterance id is remembered (its first answer replayed); 0 turns it off' }),
  idempotencyMaxEntries: Type.Integer({ minimum: 1, default: 20000, description: 'most utterance ids remembered at once; the most recent half always are' }),
  concurrency: Type.Integer({ minimum: 1, maximum: 4096, default: 64, description: 'utterances handled at once across all sessions' }),
  maxClients: Type.Integer({ minimum: 1, default: 1000 }),
  maxClientsPerSubject: Type.Integer({ minimum: 1, default: 16, description: 'connections one token subject may hold at once; more are refused with 429' }),
  maxBufferedAudioBytes: Type.Integer({ minimum: 1024, maximum: 1073741824, default: 67108864, description: 'audio bytes held across all open streams; past it the stream idle the longest is refused (BUSY) first' }),
  audioIdleMs: Type.Integer({ minimum: 100, maximum: 600000, default: 10000, description: 'an open audio stream with no binary frame for this long is ended with TIMEOUT' }),
  heartbeatMs: Type.Integer({ minimum: 100, default: 30000 }),
  retries: Type.Integer({ minimum: 0, maximum: 3, default: 3, description: 'retries of retryable failures' }),
  satellites: Type.Array(Type.Object({
    name: Type.String({ minLength: 1, maxLength: 64 }),
    host: Type.String({ minLength: 1, maxLength: 253 }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 10700 }),
    area: Type.Optional(Type.String({ minLength: 1 })),
  }, Strict), { default: [], maxItems: 64, description: 'Wyoming satellites the hub dials (PROTOCOL §8)' }),
}, Strict);

/** `tcp://host:port` of a Wyoming service. */
const WyomingUrl = Type.Union([Type.Null(), Type.String({ pattern: '^tcp://[^/:\\s]+:[0-9]{1,5}$' })], { default: null });

const SpeechSchema = Type.Object({
  stt: Type.Object({
    provider: Type.Union([Type.Literal('grammar'), Type.Literal('wyoming'), Type.Literal('none')], { default: 'grammar', description: 'grammar: Debian\'s pocketsphinx with a grammar built from the hub\'s sentences and devices; wyoming: a Wyoming ASR service at url' }),
    url: WyomingUrl,
    timeoutMs: Type.Integer({ minimum: 100, maximum: 120000, default: 10000, description: 'a recogniser that has not answered within this is killed (STT_FAILED)' }),
    grammarDebounceMs: Type.Integer({ minimum: 0, maximum: 600000, default: 1000, description: 'device changes within this are folded into one grammar rebuild' }),
    warm: Type.Boolean({ default: true, description: 'keep the next recogniser loaded and waiting (one idle pocketsphinx process); false starts one per utterance' }),
  }, Strict),
  tts: Type.Object({
    provider: Type.Union([Type.Literal('espeak-ng'), Type.Literal('wyoming'), Type.Literal('none')], { default: 'espeak-ng' }),
    url: WyomingUrl,
    voice: Type.Union([Type.Null(), Type.String({ pattern: '^[A-Za-z0-9_+-]{1,64}$' })], { default: null, description: 'espeak-ng voice (default: en-us for English, cmn for Chinese) or the Wyoming voice name' }),
    timeoutMs: Type.Integer({ minimum: 100, maximum: 120000, default: 10000 }),
  }, Strict),
  vad: Type.Object({
    silenceMs: Type.Integer({ minimum: 100, maximum: 10000, default: 600, description: 'speech followed by this much silence ends an audio stream without audio.end' }),
    maxSpeechMs: Type.Integer({ minimum: 500, maximum: 120000, default: 15000, description: 'an utterance is cut off after this much audio' }),
  }, Strict),
}, Strict);

const StorageSchema = Type.Object({
  flushIntervalMs: Type.Integer({ minimum: 10, maximum: 3600000, default: 1000 }),
}, Strict);

/**
 * An isolated plugin's CPU budget (issue 18, plugins under fire): at most `percent` of one core, averaged over
 * `windowMs`; a process over it is stopped with PLUGIN_CPU_QUOTA and restarted with back-off, and one that spins
 * synchronously in a call (no heartbeat answered for `stuckMs` while it burns a core) with PLUGIN_STUCK. Above
 * 100 allows more than one core (a speech-to-text plugin that decodes on two); 0 sets no budget. An object with
 * defaults rather than a nullable one: Ajv fills defaults only outside anyOf.
 */
const CpuQuota = (options: { default?: object }) => Type.Object({
  percent: Type.Number({ minimum: 0, maximum: 800, default: 50, description: 'share of one core an isolated plugin may use, averaged over windowMs (100 = a whole core; 0: no budget)' }),
  windowMs: Type.Integer({ minimum: 1000, maximum: 600000, default: 5000, description: 'the window the share is averaged over: a plugin is stopped (PLUGIN_CPU_QUOTA) once it has used percent of windowMs of CPU within one window' }),
  stuckMs: Type.Integer({ minimum: 0, maximum: 600000, default: 1000, description: 'a plugin process that answers no heartbeat for this long while a call is in flight, and has burnt half of it in CPU time since, is in a synchronous loop: stopped at once (PLUGIN_STUCK); 0: off' }),
}, { additionalProperties: false, ...options });
/** How much lower an isolated plugin's process is scheduled than the hub: added to the hub's own niceness (0-19). */
const PluginNice = (def?: number) => Type.Integer({ minimum: 0, maximum: 19, ...(def === undefined ? {} : { default: def }), description: 'added to the hub\'s niceness for an isolated plugin\'s process (capped at 19): the hub and its voice path come first when CPU is short; 0 runs it at the hub\'s priority' });

const PluginEntrySchema = Type.Object({
  enabled: Type.Boolean({ default: true }),
  grant: Type.Array(ScopeSchema, { default: [] }),
  config: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
  // Unset: plugins.isolation for third-party plugins, none for the hub's built-ins. `worker` is left out until it
  // exists, so a config asking for it is refused when it is loaded (CONFIG_INVALID naming the key and the choices).
  isolation: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('process')])),
  // Unset: plugins.nice and plugins.cpuQuota (isolated plugins only; an in-process plugin has the hub's watchdog).
  nice: Type.Optional(PluginNice()),
  // No default object here: an entry without the key takes plugins.cpuQuota.
  cpuQuota: Type.Optional(CpuQuota({})),
}, Strict);

const PluginsSchema = Type.Object({
  dir: Nullable(Type.String({ minLength: 1 })),
  timeoutMs: Type.Integer({ minimum: 10, maximum: 600000, default: 5000 }),
  failuresBeforePause: Type.Integer({ minimum: 1, default: 5 }),
  pauseMs: Type.Integer({ minimum: 10, default: 60000 }),
  /** How plugins other than the hub's own built-ins run unless plugins.<id>.isolation says otherwise: each in its own process (the default, issue 11), or in the hub (`none`: full powers of the hub process). */
  isolation: Type.Union([Type.Literal('none'), Type.Literal('process')], { default: 'process' }),
  nice: PluginNice(5),
  /** Every isolated plugin's CPU budget unless plugins.<id>.cpuQuota says otherwise. */
  cpuQuota: CpuQuota({ default: {} }),
}, {
  default: {},
  // Keys with a dot are plugin ids (reverse-DNS); anything else must be one of the keys above.
  patternProperties: { '^[a-z0-9-]+(\\.[a-z0-9-]+)+$': PluginEntrySchema },
  additionalProperties: false,
});

// The kinds come from the one table of kinds (devices/kinds/index.ts).
const DeviceType = Type.Union(DEVICE_TYPES.map((t) => Type.Literal(t)));

/** The keys every `devices:` entry may set, whatever its kind. */
const COMMON_DEVICE_KEYS = {
  id: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_.:-]+$' }),
  name: Type.Optional(Type.String({ minLength: 1 })),
  aliases: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  area: Type.Optional(Type.String({ minLength: 1 })),
  type: Type.Optional(DeviceType),
  commandTopic: Type.Optional(Type.String({ minLength: 1 })),
  stateTopic: Type.Optional(Type.String({ minLength: 1 })),
  availabilityTopic: Type.Optional(Type.String({ minLength: 1 })),
  schema: Type.Optional(Type.Union([Type.Literal('default'), Type.Literal('json')])),
  payloadOn: Type.Optional(Type.String()),
  payloadOff: Type.Optional(Type.String()),
  stateOn: Type.Optional(Type.String()),
  stateOff: Type.Optional(Type.String()),
  valueTemplate: Type.Optional(Type.String()),
  unit: Type.Optional(Type.String()),
  deviceClass: Type.Optional(Type.String()),
  sensitive: Type.Optional(Type.Boolean({ description: 'the assistant runs a command for this device only after a spoken confirmation (locks, garage doors and alarms always need one)' })),
};

/**
 * A `devices:` entry: the common keys and the keys the kinds declare (devices/kinds/<kind>.ts `config`: a
 * light's brightness and colour topics, a thermostat's range and modes, a humidifier's humidity range…). One
 * flat object, as before the kinds brought their own: any entry may set any of them.
 */
const DeviceSchema = Type.Object({ ...COMMON_DEVICE_KEYS, ...KIND_CONFIG.properties } as typeof COMMON_DEVICE_KEYS, { additionalProperties: false });

const AreaSchema = Type.Object({
  aliases: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
  /** The key of its floor under `floors:` ("turn off the lights upstairs"). */
  floor: Nullable(Type.String({ minLength: 1 })),
}, Strict);

const FloorSchema = Type.Object({
  aliases: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
  /** 0 the ground floor, 1 the one above, -1 a basement: "upstairs" is every floor above 0, "downstairs" level 0. */
  level: Type.Integer({ minimum: -10, maximum: 200, default: 0 }),
}, Strict);

const LocationSchema = Type.Object({
  latitude: Nullable(Type.Number({ minimum: -90, maximum: 90 })),
  longitude: Nullable(Type.Number({ minimum: -180, maximum: 180 })),
  timezone: Nullable(Type.String({ minLength: 1 })),
}, Strict);

const CloudSchema = Type.Object({
  url: Nullable(Type.String({ pattern: '^(wss?|https?)://' })),
  token: Nullable(Type.String({ minLength: 1 })),
  hubId: Nullable(Type.String({ minLength: 1 })),
  heartbeatMs: Type.Integer({ minimum: 100, default: 25000, description: 'the sync link pings this often; a link with no answer for two intervals is dead and dialled again' }),
  backoffMaxMs: Type.Integer({ minimum: 100, default: 60000, description: 'the longest wait between reconnects (capped exponential backoff with jitter; a 401 waits this long at once)' }),
  outboxMax: Type.Integer({ minimum: 10, maximum: 1_000_000, default: 10000, description: 'events kept for the cloud until acknowledged; past it state events of one device fold to the latest, then the oldest are dropped' }),
  shareTranscripts: Type.Boolean({ default: false, description: 'voice interaction events carry the spoken text (off: intent, outcome and latency only)' }),
  allow: Type.Array(Type.Union([Type.Literal('devices:control'), Type.Literal('voice')]), { default: ['devices:control', 'voice'], uniqueItems: true, description: 'what the cloud may do through the link: devices:control (command frames), voice (utterance frames)' }),
  ca: Nullable(Type.String({ minLength: 1, description: 'path to a CA certificate (PEM) trusted for wss:// and https:// besides the system ones (a private CA)' })),
  pool: Type.Object({
    maxConnections: Type.Integer({ minimum: 1, maximum: 1000, default: 50, description: 'cloud HTTP connections at most (per origin)' }),
    minIdle: Type.Integer({ minimum: 0, maximum: 1000, default: 10, description: 'connections to the cloud opened at start, so the first requests do not pay for TCP and TLS' }),
    maxWaitMs: Type.Integer({ minimum: 1, maximum: 600000, default: 2000, description: 'a request waiting longer than this for a connection or the rate limit fails with CLOUD_BUSY' }),
    perSecond: Type.Number({ exclusiveMinimum: 0, default: 500, description: 'cloud HTTP requests per second at most (token bucket, burst of one second)' }),
  }, Strict),
  assist: Type.Object({
    url: Nullable(Type.String({ pattern: '^https?://' })),
    apiKey: Nullable(Type.String({ minLength: 1 })),
    model: Nullable(Type.String({ minLength: 1 })),
    timeoutMs: Type.Integer({ minimum: 100, default: 15000 }),
  }, Strict),
}, Strict);

/** PROTOCOL §7: the assistant (plugins/builtin/assistant), off until `url` or `apiKey` is set. */
const AssistantSchema = Type.Object({
  mode: Type.Union([Type.Literal('fallback'), Type.Literal('always'), Type.Literal('off')], { default: 'fallback', description: 'fallback: utterances no local intent matched go to the assistant; always: every utterance; off: none' }),
  url: Nullable(Type.String({ pattern: '^https?://', description: 'an Anthropic-Messages-compatible endpoint (POST {url}/v1/messages); null: https://api.anthropic.com when apiKey is set' })),
  apiKey: Nullable(Type.String({ minLength: 1, description: 'the API key (VOICEHUB_ASSISTANT_API_KEY overrides it); never logged' })),
  model: Nullable(Type.String({ minLength: 1, maxLength: 200, description: 'model name; null: claude-haiku-4-5' })),
  maxTokens: Type.Integer({ minimum: 16, maximum: 8192, default: 1024 }),
  timeoutMs: Type.Integer({ minimum: 500, maximum: 120000, default: 8000, description: 'the whole answer, tool calls included; past it the user hears that the assistant took too long' }),
  maxPerHour: Type.Integer({ minimum: 0, default: 60, description: 'assistant requests per token subject per hour' }),
  perMinute: Type.Integer({ minimum: 1, default: 30, description: 'assistant requests per minute for the whole hub' }),
  maxToolCalls: Type.Integer({ minimum: 0, maximum: 32, default: 8, description: 'tool calls per utterance' }),
}, Strict);

const LogSchema = Type.Object({
  level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
}, Strict);

export const ConfigSchema = Type.Object({
  $schema: Type.Optional(Type.String()),
  dataDir: Type.String({ default: './data', minLength: 1 }),
  http: HttpSchema,
  mqtt: MqttSchema,
  voice: VoiceSchema,
  storage: StorageSchema,
  plugins: PluginsSchema,
  devices: Type.Array(DeviceSchema, { default: [] }),
  areas: Type.Record(Type.String({ minLength: 1 }), AreaSchema, { default: {} }),
  floors: Type.Record(Type.String({ minLength: 1 }), FloorSchema, { default: {} }),
  location: LocationSchema,
  cloud: CloudSchema,
  assistant: AssistantSchema,
  speech: SpeechSchema,
  log: LogSchema,
}, { additionalProperties: false, title: 'voicehub.yaml' });

export type ConfigInput = Static<typeof ConfigSchema>;
export type PluginEntryConfig = Static<typeof PluginEntrySchema>;
export type DeviceConfig = Static<typeof DeviceSchema> & KindConfigKeys;
export type Scope = Static<typeof ScopeSchema>;

/** The validated config: every default filled in, plugin entries typed, frozen. */
export type HubConfig = Readonly<ConfigInput & { plugins: ConfigInput['plugins'] & Record<string, unknown> }>;
