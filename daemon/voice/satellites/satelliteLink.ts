import { connect, type Socket } from 'node:net';
import { Backoff, type BackoffPolicy } from '../../core/backoff.js';
import { HubError, isHubError, type ErrorCode } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { encodeEvent, WyomingDecoder, type WyomingEvent } from '../../speech/wyoming/framing.js';
import { toPlayback, type PlaybackFormat } from '../../speech/playbackFormat.js';
import type { VoiceCore } from '../voiceCore.js';
import type { VoiceSession } from '../voiceSession.js';
import { audioFormat, satelliteCodec, type SatelliteFrame } from './satelliteCodec.js';

/**
 * One Wyoming satellite the hub dials (config `voice.satellites`, PROTOCOL §8), as Home Assistant does with
 * wyoming-satellite: connect, `describe` (its `info` says what it is), `run-satellite`; then each
 * `run-pipeline` it sends (after its wake word or its own VAD) starts an utterance over the voice core, in a
 * session of its own in the satellite's area. Written from the protocol's documentation (rhasspy/wyoming,
 * "Voice Satellite", "Audio", "Audio Output"):
 *
 *   hub → `describe`           ← `info`            hub → `run-satellite`
 *   ← `run-pipeline` {start_stage: asr, end_stage: tts|handle|intent}
 *   ← `audio-start`? `audio-chunk`… (`audio-stop`)   the hub's VAD or `audio-stop` ends the utterance
 *   hub → `transcript` {text}   → `synthesize` {text}   → `audio-start` `audio-chunk`… `audio-stop` (end_stage tts)
 *   ← `played`
 *
 * A plugin's `speak` reaches the satellite the same way (`synthesize`, then the audio). Everything the
 * satellite sends is hostile: framing is bounded (framing.ts: a malformed header or an oversize
 * data_length/payload_length is WYOMING_INVALID and the connection is closed), audio in an unsupported format
 * is refused with an `error` event, and a satellite that stops reading what the hub sends is dropped
 * (SATELLITE_STALLED). Whenever the connection goes, the session closes (its running utterance still
 * finishes) and the hub dials again with the shared backoff (core/backoff.ts). The backoff starts over after
 * a connection that was run and ended without a fault of the satellite's (it restarted: dial it again soon),
 * or that held for `stableMs`; a satellite that cannot be reached or keeps breaking the protocol is dialled
 * less and less often, up to the policy's maximum.
 */
export interface SatelliteConfig {
  name: string;
  host: string;
  port: number;
  area?: string;
}

export interface SatelliteLinkOptions {
  satellite: SatelliteConfig;
  /** Its place in voice.satellites: utterance ids stay unique should two entries share a name. */
  index: number;
  core: VoiceCore;
  log: Logger;
  backoff: BackoffPolicy;
  /** Without `info` by then, `run-satellite` is sent anyway (a satellite that does not answer describe). */
  infoTimeoutMs: number;
  connectTimeoutMs: number;
  /** A connection that held this long resets the backoff. */
  stableMs: number;
  /** The sox binary for converting reply audio to a satellite's snd_format (null: linear interpolation). */
  sox: () => string | null;
}

export type LinkState = 'stopped' | 'connecting' | 'connected' | 'waiting';

export interface LinkStatus {
  name: string;
  area?: string;
  state: LinkState;
  /** ms since the epoch of the last change of state. */
  since: number;
  pipelines: number;
  played: number;
  error?: { code: ErrorCode; message: string };
}

/** Bytes written and not yet taken by the satellite: past it, the satellite is not reading and is dropped. */
const MAX_PENDING_OUT = 4 * 1024 * 1024;
const MIN_RATE = 8000;
const MAX_RATE = 48000;
/** Stages a satellite may ask to end at: the hub always acts on what it hears, so never `asr` alone. */
const END_STAGES = new Set(['intent', 'handle', 'tts']);

/** The area a satellite's `info` names (wyoming: info.satellite.area), when it is a sane one. */
function areaOf(info: Record<string, unknown> | null): string | undefined {
  const sat = info?.satellite;
  if (sat === null || typeof sat !== 'object' || Array.isArray(sat)) return undefined;
  const area = (sat as Record<string, unknown>).area;
  return typeof area === 'string' && area.trim().length > 0 && area.length <= 64 && !/\p{Cc}/u.test(area) ? area.trim() : undefined;
}

/** A satellite's `snd_format` when it is one the hub can make (16-bit, 1 or 2 channels, 8–48 kHz). */
function playbackFormat(value: unknown): PlaybackFormat | null {
  if (value === null || typeof value !== 'object') return null;
  const { rate, width, channels } = value as Record<string, unknown>;
  if (width !== 2 || (channels !== 1 && channels !== 2)) return null;
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < MIN_RATE || rate > MAX_RATE) return null;
  return { rate, channels };
}

interface Pipeline {
  id: string;
  tts: boolean;
  /** The session's audio stream was opened (at the first audio-start or audio-chunk). */
  started: boolean;
}

export class SatelliteLink {
  private state: LinkState = 'stopped';
  private since = Date.now();
  private running = false;
  private socket: Socket | null = null;
  private session: VoiceSession<SatelliteFrame> | null = null;
  private pipeline: Pipeline | null = null;
  private retry: NodeJS.Timeout | null = null;
  private infoTimer: NodeJS.Timeout | null = null;
  private satelliteRunning = false;
  /** This connection broke the protocol or stalled (a fault of the satellite's, not a plain hang-up). */
  private faulted = false;
  private readonly backoff: Backoff;
  private connectedAt = 0;
  private connections = 0;
  private pipelines = 0;
  private played = 0;
  /** Rate of the reply audio under way (from the codec's audio-start), for its audio-chunks. */
  private outRate = 22050;
  /** What the satellite plays (`snd_format` of its run-pipeline); null: whatever the synthesiser made. */
  private sndFormat: PlaybackFormat | null = null;
  /** Reply audio held to be converted to sndFormat (from its audio-start to its audio-stop). */
  private converting: { rate: number; chunks: Buffer[] } | null = null;
  /** What the session sends goes out in order, after any conversion before it. */
  private out: Promise<void> = Promise.resolve();
  private lastError: { code: ErrorCode; message: string } | null = null;
  /** The area its utterances are in: configured, or from its info. */
  private area: string | undefined;
  /** One warning per outage; the retries after it are logged at debug. */
  private warned = false;
  private readonly log: Logger;

  constructor(private readonly options: SatelliteLinkOptions) {
    this.backoff = new Backoff(options.backoff);
    this.log = options.log.child({ satellite: options.satellite.name });
  }

  get name(): string {
    return this.options.satellite.name;
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  status(): LinkStatus {
    const { name } = this.options.satellite;
    const area = this.area ?? this.options.satellite.area;
    return {
      name, ...(area ? { area } : {}), state: this.state, since: this.since, pipelines: this.pipelines, played: this.played,
      ...(this.lastError && this.state !== 'connected' ? { error: this.lastError } : {}),
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.dial();
  }

  /** The running utterance (if any) is answered; nothing new is taken (the core refuses it while stopping). */
  drain(): Promise<void> {
    return this.session?.drain() ?? Promise.resolve();
  }

  stop(): void {
    this.running = false;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const socket = this.socket;
    this.dropConnection();
    socket?.destroy();
    this.setState('stopped');
  }

  private setState(state: LinkState): void {
    if (this.state === state) return;
    this.state = state;
    this.since = Date.now();
  }

  private dial(): void {
    if (!this.running) return;
    this.setState('connecting');
    const { host, port } = this.options.satellite;
    const socket = connect({ host, port });
    this.socket = socket;
    const decoder = new WyomingDecoder();
    const connectTimer = setTimeout(() => socket.destroy(new Error(`no connection within ${this.options.connectTimeoutMs} ms`)), this.options.connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(connectTimer);
      this.onConnect(socket);
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      let events: WyomingEvent[];
      try {
        events = decoder.push(chunk);
      } catch (err) {
        this.fail(socket, isHubError(err) ? err : new HubError('WYOMING_INVALID', String(err)));
        return;
      }
      for (const event of events) {
        if (this.socket !== socket) return;
        try {
          this.onEvent(event);
        } catch (err) {
          // One satellite's event must never take the hub down (a missing run-pipeline stage once did): its
          // connection alone is dropped, with the cause logged.
          this.fail(socket, new HubError('WYOMING_INVALID', `the hub could not handle a ${JSON.stringify(event.type).slice(0, 40)} event: ${(err as Error).message}`));
          return;
        }
      }
    });
    socket.on('error', (err) => {
      if (this.socket !== socket || this.lastErrorFrom(socket)) return;
      this.failedSockets.add(socket); // the close that follows keeps this reason (ECONNREFUSED…)
      this.note(new HubError('SATELLITE_UNREACHABLE', `${host}:${port}: ${err.message}`));
    });
    socket.on('close', () => {
      clearTimeout(connectTimer);
      if (this.socket !== socket) return;
      if (!this.lastErrorFrom(socket)) this.note(new HubError('SATELLITE_UNREACHABLE', `${host}:${port} closed the connection`));
      this.closed(socket);
    });
  }

  /** Whether this connection already recorded why it ends (a decoder or write failure): then that reason stands. */
  private readonly failedSockets = new WeakSet<Socket>();

  private lastErrorFrom(socket: Socket): boolean {
    return this.failedSockets.has(socket);
  }

  private onConnect(socket: Socket): void {
    if (this.socket !== socket || !this.running) return;
    const { satellite, core } = this.options;
    this.connectedAt = Date.now();
    this.connections++;
    this.satelliteRunning = false;
    this.faulted = false;
    this.sndFormat = null;
    this.converting = null;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000); // a satellite that lost power is noticed by TCP, not never
    this.setState('connected');
    if (this.warned) this.log.info({ host: satellite.host, port: satellite.port }, 'satellite connected again');
    else this.log.info({ host: satellite.host, port: satellite.port }, 'satellite connected');
    this.warned = false;
    this.lastError = null;
    this.write('describe');
    this.infoTimer = setTimeout(() => this.runSatellite(null), this.options.infoTimeoutMs);
  }

  /**
   * After its `info` (or the wait for it): the session opens, in the configured area or else the one the
   * satellite names in `info.satellite.area`, and the satellite is told to run.
   */
  private runSatellite(info: Record<string, unknown> | null): void {
    if (this.infoTimer) clearTimeout(this.infoTimer);
    this.infoTimer = null;
    if (!this.socket) return;
    if (this.satelliteRunning) {
      // Its info came after the wait (a loaded machine): the area it names still counts, from the next utterance.
      const late = this.options.satellite.area === undefined && this.area === undefined ? areaOf(info) : undefined;
      if (late && this.pipeline === null) {
        this.session?.close();
        this.openSession(late);
      }
      return;
    }
    this.satelliteRunning = true;
    this.openSession(this.options.satellite.area ?? areaOf(info));
    this.write('run-satellite');
  }

  private openSession(area: string | undefined): void {
    const { satellite, core, index } = this.options;
    this.area = area;
    this.session = core.openSession(satelliteCodec, {
      id: `satellite:${satellite.name}:${index}:${this.connections}`, subject: `satellite:${satellite.name}`, scopes: ['voice'],
      ...(area ? { area } : {}), traceId: `satellite:${satellite.name}`, tts: true,
    }, {
      send: (frame) => { for (const event of frame) this.fromSession(event.type, event.data); },
      sendAudio: (pcm) => {
        if (this.converting) this.converting.chunks.push(pcm);
        else this.emit('audio-chunk', audioFormat(this.outRate), pcm);
      },
    });
  }

  private onEvent(event: WyomingEvent): void {
    switch (event.type) {
      case 'info':
        this.runSatellite(event.data);
        return;
      case 'ping':
        this.write('pong', typeof event.data.text === 'string' && event.data.text.length <= 256 ? { text: event.data.text } : {});
        return;
      case 'run-pipeline':
        if (this.session) this.runPipeline(event.data); // before run-satellite: not yet
        return;
      case 'audio-start':
        if (this.pipeline && !this.pipeline.started) this.openAudio(event.data);
        return;
      case 'audio-chunk':
        this.audioChunk(event);
        return;
      case 'audio-stop':
        this.endAudio();
        return;
      case 'played':
        this.played++;
        return;
      default:
        // detection, voice-started, streaming-started, pong…: the satellite telling what it does; nothing to do.
        return;
    }
  }

  private runPipeline(data: Record<string, unknown>): void {
    this.endAudio(); // a new pipeline ends the one before (the satellite started over)
    const start = data.start_stage;
    const end = data.end_stage;
    if (start !== 'asr') {
      return this.refuse(`start_stage ${shown(start)} is not supported: the hub runs pipelines from asr (the wake word is the satellite's)`);
    }
    if (typeof end !== 'string' || !END_STAGES.has(end)) {
      return this.refuse(`end_stage ${shown(end)} is not supported: the hub acts on what it hears (intent, handle or tts)`);
    }
    this.sndFormat = playbackFormat(data.snd_format) ?? this.sndFormat;
    this.pipelines++;
    this.pipeline = { id: `${this.name}-${this.options.index}-${this.connections}-${this.pipelines}`, tts: end === 'tts', started: false };
  }

  private openAudio(data: Record<string, unknown>): void {
    const pipeline = this.pipeline!;
    const { rate, width, channels } = data;
    if (width !== 2 || channels !== 1 || typeof rate !== 'number' || !Number.isInteger(rate) || rate < MIN_RATE || rate > MAX_RATE) {
      this.pipeline = null;
      return this.refuse('audio must be 16-bit mono PCM (width 2, channels 1) at 8000–48000 Hz');
    }
    pipeline.started = true;
    this.session!.request({ type: 'audio.start', id: pipeline.id, rate, format: 's16le', tts: pipeline.tts });
  }

  private audioChunk(event: WyomingEvent): void {
    const pipeline = this.pipeline;
    if (!pipeline) return; // audio outside a pipeline (a streaming satellite between commands): not ours
    if (!pipeline.started) this.openAudio(event.data);
    // Only into the stream this pipeline opened and the session still holds: once the VAD ended it, or it
    // was refused (rate limit, busy), the rest is dropped here, quietly, as the satellite streams on.
    if (this.pipeline === pipeline && this.session?.openAudioId === pipeline.id && event.payload) this.session.audioChunk(event.payload);
  }

  private endAudio(): void {
    const pipeline = this.pipeline;
    this.pipeline = null;
    if (pipeline?.started && this.session?.openAudioId === pipeline.id) this.session.request({ type: 'audio.end', id: pipeline.id });
  }

  /**
   * An event the session sends. Reply audio for a satellite that plays another format than the synthesiser's
   * is held from its audio-start to its audio-stop and converted; whatever follows waits its turn.
   */
  private fromSession(type: string, data: Record<string, unknown> | undefined): void {
    const snd = this.sndFormat;
    if (type === 'audio-start' && typeof data?.rate === 'number') this.outRate = data.rate; // its chunks follow at once
    if (type === 'audio-start' && typeof data?.rate === 'number' && snd && (snd.rate !== data.rate || snd.channels !== 1)) {
      this.converting = { rate: data.rate, chunks: [] };
      return;
    }
    if (type === 'audio-stop' && this.converting) {
      const { rate, chunks } = this.converting;
      this.converting = null;
      const converted = toPlayback(Buffer.concat(chunks), rate, snd ?? { rate, channels: 1 }, { sox: this.options.sox(), timeoutMs: 10_000 });
      converted.catch(() => {}); // awaited below, in turn
      this.enqueue(async () => {
        const pcm = await converted;
        const format = { rate: snd?.rate ?? rate, width: 2, channels: snd?.channels ?? 1 };
        this.write('audio-start', format);
        const step = 4096 * format.channels;
        for (let at = 0; at < pcm.length; at += step) this.write('audio-chunk', format, pcm.subarray(at, at + step));
        this.write('audio-stop', {});
      });
      return;
    }
    this.emit(type, data);
  }

  private emit(type: string, data?: Record<string, unknown>, payload?: Buffer): void {
    this.enqueue(() => this.write(type, data, payload));
  }

  /** Runs `step` after what was queued before it, on this connection only. */
  private enqueue(step: () => void | Promise<void>): void {
    const socket = this.socket;
    this.out = this.out.then(() => (this.socket === socket ? step() : undefined)).catch((err: unknown) => {
      this.log.warn({ err, code: 'TTS_FAILED' }, 'reply audio could not be converted for the satellite');
    });
  }

  /** An `error` event for the satellite: what it asked cannot be done (its connection goes on). */
  private refuse(message: string): void {
    this.write('error', { text: message, code: 'BAD_REQUEST' });
  }

  private write(type: string, data?: Record<string, unknown>, payload?: Buffer): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    if (socket.writableLength > MAX_PENDING_OUT) {
      this.fail(socket, new HubError('SATELLITE_STALLED', `the satellite has not read ${socket.writableLength} bytes the hub sent; dropping the connection`));
      return;
    }
    socket.write(encodeEvent(type, data ?? {}, payload ?? null));
  }

  /** This connection is over for a reason of the satellite's (garbage, not reading): logged, closed, redialled. */
  private fail(socket: Socket, err: HubError): void {
    this.failedSockets.add(socket);
    if (this.socket === socket) this.faulted = true;
    this.note(err);
    socket.destroy();
  }

  private note(err: HubError): void {
    this.lastError = { code: err.code, message: err.message };
    const at = { code: err.code, err: err.message };
    if (err.code !== 'SATELLITE_UNREACHABLE' || !this.warned) this.log.warn(at, 'satellite connection failed; dialling again with backoff');
    else this.log.debug(at, 'satellite still unreachable');
    this.warned = true;
  }

  /** The session closes (a running utterance still finishes and is cached); a new one opens on the next connection. */
  private dropConnection(): void {
    if (this.infoTimer) clearTimeout(this.infoTimer);
    this.infoTimer = null;
    this.pipeline = null;
    this.session?.close();
    this.session = null;
    this.socket = null;
    this.area = undefined;
  }

  private closed(socket: Socket): void {
    if (this.socket !== socket) return;
    const heldFor = this.connectedAt ? Date.now() - this.connectedAt : 0;
    const restarted = this.satelliteRunning && !this.faulted;
    this.connectedAt = 0;
    this.dropConnection();
    if (!this.running) return;
    if (restarted || heldFor >= this.options.stableMs) this.backoff.reset();
    const delay = this.backoff.next();
    this.setState('waiting');
    this.retry = setTimeout(() => {
      this.retry = null;
      this.dial();
    }, delay);
  }
}

/** A satellite's value in a refusal, short; a missing one (JSON.stringify gives undefined) is named as such. */
function shown(value: unknown): string {
  return (JSON.stringify(value) ?? 'missing').slice(0, 40);
}
