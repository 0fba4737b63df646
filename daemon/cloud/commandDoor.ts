import { HubError, isHubError, isRefusal, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { RateLimiter } from '../core/rateLimiter.js';
import type { DeviceCommand } from '../../devices/model.js';
import type { VoiceErrorCode } from '../core/errors.js';
import type { VoiceReply } from '../voice/handlerStage.js';
import type { VoiceCodec } from '../voice/voiceCodec.js';
import type { VoiceCore } from '../voice/voiceCore.js';
import type { VoiceSession } from '../voice/voiceSession.js';
import type { CloudFrame } from './cloudFrames.js';
import type { AnsweredIds, ResultFrame } from './answeredIds.js';
import { toDeviceCommand } from './deviceCommand.js';

/** The device path voice uses (DeviceService.command): the cloud's commands go through nothing else. */
export interface DeviceCommander {
  command(id: string, command: DeviceCommand, options: { traceId?: string; source: string }): Promise<void>;
}

type CommandFrame = Extract<CloudFrame, { type: 'command' }>;
type UtteranceFrame = Extract<CloudFrame, { type: 'utterance' }>;

/** The cloud door's events: only answers matter here (the session's states stay inside the hub). */
type CloudEvent =
  | { readonly kind: 'reply'; readonly id: string; readonly reply: VoiceReply; readonly ms: number }
  | { readonly kind: 'error'; readonly id: string | null; readonly code: VoiceErrorCode; readonly message: string }
  | { readonly kind: 'other' };

const OTHER = { kind: 'other' } as const;
/** One codec for the door, so its sessions share the voice core's idempotency cache for this wire. */
const cloudCodec: VoiceCodec<CloudEvent> = {
  state: () => OTHER,
  pong: () => OTHER,
  speak: () => OTHER,
  transcript: () => OTHER,
  speechStart: () => OTHER,
  speechEnd: () => OTHER,
  reply: (id, reply, ms) => ({ kind: 'reply', id, reply, ms }),
  error: (id, code, message) => ({ kind: 'error', id, code, message }),
};

/** Sessions by area kept at once (an utterance's `area` picks its room, as a satellite's token does). */
const MAX_AREA_SESSIONS = 32;

export interface CommandDoorOptions {
  devices: DeviceCommander;
  core: VoiceCore;
  allow: readonly string[];
  answered: AnsweredIds;
  limiter: RateLimiter;
  log: Logger;
}

/**
 * The cloud's front door: `command` frames run through the hub's one device-command path (the one the devices
 * plugin uses for voice) with the frame's trace id, `utterance` frames are sessions on the voice core like any
 * other door's. Each id runs once (AnsweredIds, persisted); what the cloud may do is `cloud.allow`; every
 * refusal is a result with a coded error, never a dropped frame.
 */
export class CommandDoor {
  private readonly sessions = new Map<string, VoiceSession<CloudEvent>>();
  private readonly waiting = new Map<string, (event: CloudEvent) => void>();
  private seq = 0;

  constructor(private readonly options: CommandDoorOptions) {}

  handle(frame: CommandFrame | UtteranceFrame, reply: (frame: ResultFrame) => void): void {
    const key = `${frame.type}:${frame.id}`;
    const run = frame.type === 'command' ? () => this.runCommand(frame) : () => this.runUtterance(frame);
    this.options.answered.answer(key, run, remembered).then(reply, (err: unknown) => {
      this.options.log.error({ err, id: frame.id }, 'cloud request failed');
    });
  }

  close(): void {
    for (const session of this.sessions.values()) session.close();
    this.sessions.clear();
    for (const resolve of this.waiting.values()) resolve({ kind: 'error', id: null, code: 'BUSY', message: 'the hub is stopping' });
    this.waiting.clear();
  }

  private async runCommand(frame: CommandFrame): Promise<ResultFrame> {
    const traceId = frame.traceId ?? `cloud-${frame.id}`;
    const log = this.options.log.child({ traceId });
    try {
      if (!this.options.allow.includes('devices:control')) throw new HubError('FORBIDDEN', 'cloud.allow does not include devices:control');
      if (!this.options.limiter.take('command')) throw new HubError('RATE_LIMITED', 'too many commands from the cloud; slow down');
      const command = toDeviceCommand(frame.command, frame.params);
      await this.options.devices.command(frame.device, command, { traceId, source: 'cloud' });
      log.info({ id: frame.id, device: frame.device, command: frame.command }, 'cloud command done');
      return { type: 'command.result', id: frame.id, ok: true };
    } catch (err) {
      const code: ErrorCode = isHubError(err) ? err.code : 'INTERNAL';
      const message = isHubError(err) ? err.message : 'the command failed inside the hub';
      if (isRefusal(code)) log.info({ id: frame.id, device: frame.device, command: frame.command, code }, `cloud command refused: ${message}`);
      else log.warn({ id: frame.id, device: frame.device, command: frame.command, code, err }, `cloud command failed: ${message}`);
      const result: ResultFrame = { type: 'command.result', id: frame.id, ok: false, error: { code, message } };
      // The broker was away and nothing was published: the cloud may send this id again once it is back.
      if (isHubError(err) && err.details?.sent === false) notSent.add(result);
      return result;
    }
  }

  private async runUtterance(frame: UtteranceFrame): Promise<ResultFrame> {
    if (!this.options.allow.includes('voice')) {
      return { type: 'utterance.result', id: frame.id, error: { code: 'FORBIDDEN', message: 'cloud.allow does not include voice' } };
    }
    // The voice core answers each request id once per session: a fresh internal id per run, the cloud's id outside.
    const internal = `${frame.id}#${++this.seq}`;
    const answered = new Promise<CloudEvent>((resolve) => this.waiting.set(internal, resolve));
    this.session(frame.area).request({ type: 'utterance', id: internal, text: frame.text, ...(frame.lang ? { lang: frame.lang } : {}) });
    const event = await answered;
    if (event.kind === 'reply') {
      const { reply, ms } = event;
      return { type: 'utterance.result', id: frame.id, reply: { type: 'reply', id: frame.id, text: reply.text, intent: reply.intent, handledBy: reply.handledBy, actions: reply.actions, ms } };
    }
    const error = event.kind === 'error' ? { code: event.code, message: event.message } : { code: 'INTERNAL', message: 'no answer' };
    return { type: 'utterance.result', id: frame.id, error };
  }

  private session(area: string | undefined): VoiceSession<CloudEvent> {
    const key = area ?? '';
    let session = this.sessions.get(key);
    if (!session) {
      if (this.sessions.size >= MAX_AREA_SESSIONS) {
        const [oldestKey, oldest] = this.sessions.entries().next().value as [string, VoiceSession<CloudEvent>];
        this.sessions.delete(oldestKey);
        oldest.close();
      }
      session = this.options.core.openSession(cloudCodec, {
        id: `cloud-${this.sessions.size + 1}`, subject: 'cloud', scopes: this.options.allow, traceId: 'cloud', ...(area ? { area } : {}),
      }, { send: (event) => this.received(event) });
      this.sessions.set(key, session);
    }
    return session;
  }

  private received(event: CloudEvent): void {
    if (event.kind === 'other' || event.id === null) return;
    const resolve = this.waiting.get(event.id);
    if (!resolve) return;
    this.waiting.delete(event.id);
    resolve(event);
  }
}

/** Results of commands refused before anything was published (MQTT_UNAVAILABLE while the broker is away). */
const notSent = new WeakSet<ResultFrame>();

/**
 * Refusals where nothing ran are not remembered: the cloud may send the same id again later. So is a command
 * the hub refused while its broker was away (issue 18: remembered, a resend after the outage got the old
 * refusal for 24 h and the command never ran); one the broker may have had (not acknowledged in time) is.
 */
function remembered(result: ResultFrame): boolean {
  if (notSent.has(result)) return false;
  const code = (result.error as { code?: string } | undefined)?.code;
  return code !== 'BAD_REQUEST' && code !== 'FORBIDDEN' && code !== 'RATE_LIMITED' && code !== 'BUSY' && code !== 'SHUTTING_DOWN';
}
