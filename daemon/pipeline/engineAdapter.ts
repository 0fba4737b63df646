import { deepFreeze } from '../core/deepFreeze.js';
import { HubError } from '../core/errors.js';
import {
  commandReply, slotsPerDevice, DEVICE_INTENTS, displayName, errorReply, isResolveError, queryReply, render, targetPhrase, toRequestSlots,
  type IntentEngine, type IntentLists, type IntentMatch, type Lang, type ResolveSuccess, type ResponseKey, type StateReader,
} from '../intents/index.js';
import { intentCommand } from '../../devices/kinds/index.js';
import { isBrightnessStep, steppedBrightness, type BrightnessStep } from '../intents/brightnessStep.js';
import { EN_RESPONSES } from '../intents/responses/en.js';
import { ZH_RESPONSES } from '../intents/responses/zh.js';
import type { DecidedTargets, DeviceRefusal, IntentRequest, SentenceSet } from '../../plugins/sdk/intents.js';
import type { EngineTargets, IntentEnginePort } from '../plugins/ports.js';
import type { IntentMatcher } from './intentPipeline.js';
import { FollowUps } from './followUps.js';
import type { HubQuestion } from '../../plugins/sdk/intents.js';

/**
 * What a match resolved to: the decision handed to the plugin with the request (`request.targets`), the
 * targets `api.devices.resolve` answers, and the engine's resolution for answers about state.
 */
interface Resolved {
  handed: DecidedTargets;
  targets: EngineTargets;
  resolution: ResolveSuccess;
  /** The device types it names, once each, for "…too" (followUps.ts): made once per decision, not per utterance. */
  types?: string[];
}

/**
 * Why a match resolved to no devices: the engine's refusal, handed with the request (`request.refused`) and
 * thrown by `resolve` as a fresh HubError each time it is asked for.
 */
interface Refused {
  refused: DeviceRefusal;
  details: Record<string, unknown>;
  /** For DEVICE_AMBIGUOUS: the devices the hub asks about (the answer is a follow-up). */
  candidates?: string[];
}

type Decision = Resolved | Refused;

/** Intents whose answer is a question about state, not a command. */
const QUESTIONS = new Set(['HassGetState', 'HassClimateGetTemperature']);

/**
 * The local intent engine (daemon/intents) as the pipeline and the plugin host see it: `match` turns an
 * utterance into the request a plugin gets (slots flattened by `toRequestSlots`), and `resolve` finds the
 * devices a request means, with the engine's wording, so a plugin never imports the engine. The engine's
 * own match is kept with each request it made (a WeakMap: it goes when the request does); a request made
 * elsewhere (a test, another plugin) is matched again from its text, limited to its intent.
 *
 * For a sentence heard before, the engine hands back the same frozen match (engine.ts), so the request
 * made from it and the targets worked out for it are kept with it too (WeakMaps keyed by the match): they
 * go when the engine drops the match, which it does whenever the devices, areas or sentences change.
 * Answers about state are not kept; they read the devices' state each time.
 *
 * One way through the engine: for a device intent, `match` resolves the match at once (the engine is entered
 * once per utterance, for both) and the request carries the decision (`targets`, or `refused`), so the
 * devices plugin executes what it is handed. A `resolve` of that request only picks up what was decided,
 * refusal included; it is asked only for what depends on the devices' state when the reply is made (a
 * question's answer, "a bit brighter") and by third-party plugins. The command each device is given is its
 * kind's decision (devices/kinds).
 */
export class EngineAdapter implements IntentMatcher, IntentEnginePort {
  private readonly matches = new WeakMap<IntentRequest, IntentMatch>();
  /** Decisions for the engine's shared frozen matches (they live as long as the match is cached). */
  private readonly resolved = new WeakMap<IntentMatch, Decision>();
  /** Decisions for requests of a match made afresh (not shared): they go with the request. */
  private readonly decided = new WeakMap<IntentRequest, Decision>();
  private readonly requests = new WeakMap<IntentMatch, IntentRequest>();
  private stale = false;

  /**
   * `stateOf`: the current state of a device (the registry's), for answers to questions. `lists`: builds the
   * engine's device and area lists; after `invalidate()` they are rebuilt once, at the next utterance, however
   * many devices were announced in between.
   */
  /** Follow-ups per voice session (followUps.ts): answers to the hub's questions, "…too". */
  private readonly followUps: FollowUps;

  constructor(private readonly engine: IntentEngine, private readonly stateOf?: StateReader, private readonly lists?: () => IntentLists, now: () => number = Date.now) {
    this.followUps = new FollowUps(now);
  }

  /** The device list changed (added, removed, renamed): rebuild the engine's lists before the next match. */
  invalidate(): void {
    this.stale = this.lists !== undefined;
  }

  match(text: string, options: { lang: string; area?: string; session?: string }): IntentRequest | null {
    this.refresh();
    const found = this.engine.match(text, { lang: options.lang, ...(options.area ? { area: options.area } : {}) });
    // Text no sentence matches may answer the hub's last question, or repeat the last command elsewhere.
    const match = found ?? (options.session ? this.followUps.read(options.session, text, this.engine.deviceLists) : null);
    if (!match) return null;
    const request = this.requestFor(match, text, options);
    if (options.session) this.remember(options.session, match, request);
    return request;
  }

  /** What a session's follow-ups need: the command carried out, the question asked back, or never mind. */
  private remember(session: string, match: IntentMatch, request: IntentRequest): void {
    if (match.intent === 'HassNevermind') return this.followUps.forget(session);
    if (!DEVICE_INTENTS.has(match.intent)) return;
    const decision = Object.isFrozen(match) ? this.resolved.get(match) : this.decided.get(request);
    if (!decision) return;
    if ('targets' in decision) {
      if (!QUESTIONS.has(match.intent)) this.followUps.done(session, match, decision.types ??= [...new Set(decision.resolution.devices.map((d) => d.type))]);
    } else if (decision.refused.code === 'DEVICE_AMBIGUOUS' && decision.candidates) this.followUps.asked(session, match, decision.candidates, decision.refused.message);
  }

  /**
   * The hub's unanswered question in this session ("Which lamp do you mean: …?"), with the utterance that
   * led to it and the devices it named, for a fallback to read the next unmatched text as its answer.
   */
  openQuestion(session: string): HubQuestion | null {
    const open = this.followUps.openQuestion(session);
    if (!open) return null;
    const lists = this.engine.deviceLists;
    const candidates = open.candidates.flatMap((id) => {
      const d = lists.device(id);
      return d ? [{ id, name: d.name }] : [];
    });
    return { text: open.text, asked: open.asked, candidates };
  }

  /** A fallback acted on the answer to the open question: a later "the desk one" is not read as its answer again. */
  questionTaken(session: string): void {
    this.followUps.questionTaken(session);
  }

  private requestFor(match: IntentMatch, text: string, options: { lang: string; area?: string }): IntentRequest {
    // A device intent is decided now, with the match in hand (the engine is entered once per utterance), and
    // the request carries the decision to its handler. A frozen match is the engine's one for this text and
    // area: its decision and request are made once and shared, frozen.
    const shared = Object.isFrozen(match);
    let request = shared ? this.requests.get(match) : undefined;
    if (request) return request;
    let decision: Decision | undefined;
    if (DEVICE_INTENTS.has(match.intent)) {
      decision = shared ? this.resolved.get(match) : undefined;
      if (!decision) {
        decision = this.decide(match, options.area);
        if (shared) this.resolved.set(match, decision);
      }
    }
    request = {
      intent: match.intent, text, lang: match.lang, slots: toRequestSlots(match), ...(options.area ? { area: options.area } : {}),
      ...handedWith(match, decision),
    };
    this.matches.set(request, match);
    if (shared) this.requests.set(match, deepFreeze(request));
    else if (decision) this.decided.set(request, decision);
    return request;
  }

  resolve(request: IntentRequest): EngineTargets {
    this.refresh();
    const match = this.matches.get(request) ?? this.engine.match(request.text, { lang: request.lang, intents: new Set([request.intent]) });
    if (!match) throw new HubError('DEVICE_NOT_FOUND', render(request.lang, 'no_match'), { details: { intent: request.intent } });
    // The engine hands out one frozen match per recent text and area, and empties that cache when the lists
    // change: the targets and their wording, worked out once per such match, stay right as long as it lives.
    const reusable = Object.isFrozen(match) && match.sessionArea === request.area;
    let decision = reusable ? this.resolved.get(match) : this.decided.get(request);
    if (!decision) {
      decision = this.decide(match, request.area);
      if (reusable) this.resolved.set(match, decision);
    }
    if (!('targets' in decision)) throw new HubError(decision.refused.code, decision.refused.message, { details: decision.details });
    const { targets, resolution } = decision;
    // "A bit brighter": the level depends on each light's state now, so it is worked out every time.
    if (dependsOnStateNow(match)) return this.stepped(match, resolution, targets);
    // An answer about state reads the state now, every time.
    if (!QUESTIONS.has(match.intent) || targets.ids.length === 0) return targets;
    return { ...targets, answer: queryReply(match, resolution, this.engine.deviceLists, this.stateOf) };
  }

  respond(key: string, vars: Record<string, unknown>, lang: string): string | null {
    // Own keys only: `key in` also finds Object.prototype's ('constructor', 'toString'), which are not
    // templates and made render() throw a TypeError. Both tables, as render() picks one by language.
    if (typeof key !== 'string' || !Object.hasOwn(EN_RESPONSES, key) || !Object.hasOwn(ZH_RESPONSES, key)) return null;
    const flat: Record<string, string | number> = {};
    if (vars !== null && typeof vars === 'object') {
      for (const [k, v] of Object.entries(vars)) if (typeof v === 'string' || typeof v === 'number') flat[k] = v;
    }
    return render(lang as Lang, key as ResponseKey, flat);
  }

  responseTemplates(): Record<string, Record<string, string>> {
    return { en: { ...EN_RESPONSES }, zh: { ...ZH_RESPONSES } };
  }

  addSentences(set: SentenceSet, owner: string, options: { trusted?: boolean } = {}): void {
    this.engine.addSentences(set.lang, set.intent, set.sentences, { owner, trusted: options.trusted === true });
  }

  removeOwner(owner: string): void {
    this.engine.removeOwner(owner);
  }

  /** The devices a match means, their commands and the reply wording, or the engine's refusal. */
  private decide(match: IntentMatch, area: string | undefined): Decision {
    const resolution = this.engine.resolve(match, area ? { sessionArea: area } : {});
    const lists = this.engine.deviceLists;
    if (isResolveError(resolution)) {
      return {
        refused: deepFreeze({ code: resolution.error, message: errorReply(resolution, match, lists) }),
        details: { reason: resolution.reason, slot: resolution.slot, value: resolution.value },
        ...(resolution.error === 'DEVICE_AMBIGUOUS' && resolution.candidates ? { candidates: resolution.candidates.map((d) => d.id) } : {}),
      };
    }
    // The device command is the device kind's decision (devices/kinds/<kind>.ts `commandFor`), from the slots as
    // each device takes them (daemon/intents/deviceSlots.ts): a set-point in each thermostat's own unit and step,
    // "low" as a fan's preset or 33 %, a mode in the device's own spelling. The reply says the first one's value
    // as sent ("21.3" to a thermostat stepping by 0.5 is 21.5).
    const perDevice = slotsPerDevice(match, resolution.devices);
    const commands = resolution.devices.map((d, i) => intentCommand(d.type, match.intent, perDevice ? perDevice[i] : match.slots));
    const said = perDevice?.[0] ? { ...match, slots: perDevice[0] } : match;
    const handed: DecidedTargets = deepFreeze({
      ids: resolution.devices.map((d) => d.id),
      commands,
      scope: resolution.scope,
      ...(resolution.area ? { area: resolution.area } : {}),
      phrase: resolution.devices.length > 0 ? targetPhrase(match, resolution, lists) : '',
      names: resolution.devices.map((d) => displayName(d, lists, match.lang, false)),
      done: commands.some((c) => c !== null) ? commandReply(said, resolution, lists) : '',
    });
    // What api.devices.resolve answers for a command: the same, with no answer (a question's is read when asked).
    const targets: EngineTargets = deepFreeze({ ...handed, answer: '' });
    return { handed, targets, resolution };
  }

  /** Commands and reply for a relative brightness change, from each light's current brightness. */
  private stepped(match: IntentMatch, resolution: ResolveSuccess, targets: EngineTargets): EngineTargets {
    const step = match.slots.brightness_step as BrightnessStep;
    const levels = resolution.devices.map((d) => steppedBrightness(this.stateOf?.(d.id) ?? d.state, step));
    const commands = resolution.devices.map((d, i) => intentCommand(d.type, match.intent, { ...match.slots, brightness: levels[i] }));
    const first = { ...match, slots: { ...match.slots, brightness: levels[0] } };
    return { ...targets, commands, done: commands.some((c) => c !== null) ? commandReply(first, resolution, this.engine.deviceLists) : '' };
  }

  private refresh(): void {
    if (!this.stale) return;
    this.stale = false;
    this.engine.setLists(this.lists!());
  }
}

/** Changes relative to the state now ("a bit brighter") are worked out when carried out, not when heard. */
function dependsOnStateNow(match: IntentMatch): boolean {
  return isBrightnessStep(match.slots.brightness_step) && typeof match.slots.brightness !== 'number';
}

/**
 * What a matched request carries: the decision (`targets`), the refusal (`refused`), or nothing — for other
 * intents and for a change that depends on the state when it is carried out, which `resolve` works out then.
 */
function handedWith(match: IntentMatch, decision: Decision | undefined): Pick<IntentRequest, 'targets' | 'refused'> {
  if (decision === undefined) return {};
  if (!('handed' in decision)) return { refused: decision.refused };
  return dependsOnStateNow(match) ? {} : { targets: decision.handed };
}
