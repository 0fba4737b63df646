import { HubError } from '../../core/errors.js';

/**
 * Wyoming's framing (rhasspy/wyoming, "Event format"): each event is one line of JSON (the header:
 * `type`, optional `data`, `data_length`, `payload_length`, `version`), then `data_length` bytes of UTF-8
 * JSON whose object is merged into `data`, then `payload_length` bytes of payload (audio). Written from the
 * protocol's documentation. Every peer is hostile: the header line, the data and the payload are bounded,
 * and anything malformed is WYOMING_INVALID, after which the connection is to be closed (the decoder
 * refuses further input).
 */
export interface WyomingEvent {
  type: string;
  data: Record<string, unknown>;
  payload: Buffer | null;
}

export interface WyomingLimits {
  /** Longest header line, newline excluded. */
  maxHeaderBytes: number;
  maxDataBytes: number;
  /** Largest payload (an audio chunk: Wyoming peers send ~1 KB–64 KB). */
  maxPayloadBytes: number;
}

export const DEFAULT_WYOMING_LIMITS: WyomingLimits = { maxHeaderBytes: 16 * 1024, maxDataBytes: 256 * 1024, maxPayloadBytes: 1024 * 1024 };

const TYPE = /^[a-z][a-z0-9-]{0,63}$/;

/** One event as bytes. */
export function encodeEvent(type: string, data: Record<string, unknown> = {}, payload: Buffer | null = null): Buffer {
  const body = Object.keys(data).length ? Buffer.from(JSON.stringify(data), 'utf8') : null;
  const header: Record<string, unknown> = { type, version: '1.5.2' };
  if (body) header.data_length = body.length;
  if (payload) header.payload_length = payload.length;
  const parts: Buffer[] = [Buffer.from(JSON.stringify(header) + '\n', 'utf8')];
  if (body) parts.push(body);
  if (payload) parts.push(payload);
  return Buffer.concat(parts);
}

type Stage = { k: 'header' } | { k: 'data'; header: WyomingEvent; need: number; payload: number } | { k: 'payload'; event: WyomingEvent; need: number };

/** Bytes in (as they arrive, cut anywhere), events out. */
export class WyomingDecoder {
  private buffered: Buffer[] = [];
  private size = 0;
  private stage: Stage = { k: 'header' };
  private failed = false;

  constructor(private readonly limits: WyomingLimits = DEFAULT_WYOMING_LIMITS) {}

  /** The events `chunk` completes; throws WYOMING_INVALID (and refuses every later chunk). */
  push(chunk: Buffer): WyomingEvent[] {
    if (this.failed) throw new HubError('WYOMING_INVALID', 'the connection already sent a malformed event');
    this.buffered.push(chunk);
    this.size += chunk.length;
    const out: WyomingEvent[] = [];
    try {
      for (;;) {
        const event = this.step();
        if (event === undefined) break;
        if (event) out.push(event);
      }
    } catch (err) {
      this.failed = true;
      this.buffered = [];
      this.size = 0;
      throw err;
    }
    return out;
  }

  /** One step: an event, null when a stage was passed without one, undefined when more bytes are needed. */
  private step(): WyomingEvent | null | undefined {
    const stage = this.stage;
    if (stage.k === 'header') {
      const all = this.joined();
      const nl = all.indexOf(0x0a);
      if (nl < 0) {
        if (all.length > this.limits.maxHeaderBytes) throw invalid(`a header line over ${this.limits.maxHeaderBytes} bytes`);
        return undefined;
      }
      if (nl > this.limits.maxHeaderBytes) throw invalid(`a header line over ${this.limits.maxHeaderBytes} bytes`);
      const header = parseHeader(all.subarray(0, nl), this.limits);
      this.take(nl + 1);
      const event: WyomingEvent = { type: header.type, data: header.data, payload: null };
      if (header.dataLength > 0) this.stage = { k: 'data', header: event, need: header.dataLength, payload: header.payloadLength };
      else if (header.payloadLength > 0) this.stage = { k: 'payload', event, need: header.payloadLength };
      else return event;
      return null;
    }
    if (this.size < stage.need) return undefined;
    const bytes = this.take(stage.need);
    if (stage.k === 'data') {
      let data: unknown;
      try {
        data = JSON.parse(bytes.toString('utf8'));
      } catch {
        throw invalid('its data is not JSON');
      }
      if (!isObject(data)) throw invalid('its data is not a JSON object');
      const event = { ...stage.header, data: { ...stage.header.data, ...data } };
      if (stage.payload > 0) {
        this.stage = { k: 'payload', event, need: stage.payload };
        return null;
      }
      this.stage = { k: 'header' };
      return event;
    }
    this.stage = { k: 'header' };
    return { ...stage.event, payload: Buffer.from(bytes) };
  }

  private joined(): Buffer {
    if (this.buffered.length > 1) this.buffered = [Buffer.concat(this.buffered, this.size)];
    return this.buffered[0] ?? Buffer.alloc(0);
  }

  private take(n: number): Buffer {
    const all = this.joined();
    const head = all.subarray(0, n);
    const rest = all.subarray(n);
    this.buffered = rest.length ? [rest] : [];
    this.size = rest.length;
    return head;
  }
}

function parseHeader(line: Buffer, limits: WyomingLimits): { type: string; data: Record<string, unknown>; dataLength: number; payloadLength: number } {
  let header: unknown;
  try {
    header = JSON.parse(line.toString('utf8'));
  } catch {
    throw invalid('a header line that is not JSON');
  }
  if (!isObject(header)) throw invalid('a header that is not a JSON object');
  const { type, data } = header;
  if (typeof type !== 'string' || !TYPE.test(type)) throw invalid('a header without a valid type');
  if (data !== undefined && data !== null && !isObject(data)) throw invalid('inline data that is not an object');
  const dataLength = length(header.data_length, limits.maxDataBytes, 'data_length');
  const payloadLength = length(header.payload_length, limits.maxPayloadBytes, 'payload_length');
  return { type, data: isObject(data) ? data : {}, dataLength, payloadLength };
}

function length(value: unknown, max: number, name: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalid(`${name} is not a whole number of bytes`);
  if (value > max) throw invalid(`${name} ${value} is over the ${max}-byte limit`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(what: string): HubError {
  return new HubError('WYOMING_INVALID', `a Wyoming peer sent ${what}`);
}
