import type { AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import type { Logger } from '../core/log.js';
import { unmapIPv4, type AddressPolicy } from '../core/addressPolicy.js';
import type { LoginGate } from './loginGate.js';
import type { RetainedLedger, RetainedRefusal } from './retainedLedger.js';
import { coveredByAny } from './topicFilter.js';
import type { UserDirectory } from './userDirectory.js';

/**
 * The embedded broker's auth hooks, one small named function per aedes hook (as aedes itself writes them).
 * - authenticate: no user name → anonymous, accepted only from `mqtt.anonymousFrom`; with a user name →
 *   the password is checked against the users file (scrypt). A password without a user name is refused
 *   [MQTT-3.1.2-22].
 * - authorizePublish / authorizeSubscribe: anonymous clients may do anything but publish under `$SYS` and,
 *   unless `mqtt.anonymousCommands`, publish to a known device's command topic (a plugin's loopback socket
 *   must not reach a device its scopes do not grant; Zigbee2MQTT and Tasmota publish state, not other
 *   devices' commands); users only under their `--allow` patterns. A refused SUBSCRIBE gets return code 0x80 in its SUBACK
 *   [MQTT-3.9.3]; a refused PUBLISH closes the connection, as MQTT 3.1.1 has no negative PUBACK
 *   [MQTT-3.3.5-2]. A retained PUBLISH past the retained limits (retainedLedger.ts) is refused the same way.
 * Password checks go through the login gate (loginGate.ts): fair per address, bounded, with backoff after
 * failed logins; a login it turns away gets CONNACK 3 ("server unavailable").
 * Refusals are logged with client id, address and topic, never with the password.
 */

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3). */
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
/**
 * The longest client id taken (MQTT 3.1.1 §3.1.3.1: a server must allow 1-23 bytes and may allow more). aedes took
 * 64 KB ones, kept per client and written into each line that names the client (issue 18, red team); real
 * clients' ids (Zigbee2MQTT, Home Assistant, ESPHome, Tasmota) are under 64.
 */
export const MAX_CLIENT_ID_BYTES = 256;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

type Identity = { kind: 'anonymous' } | { kind: 'user'; name: string };
const ANONYMOUS: Identity = Object.freeze({ kind: 'anonymous' });

export interface AuthHooks {
  authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (error: AuthenticateError | null, success: boolean | null) => void): void;
  authorizePublish(client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void): void;
  authorizeSubscribe(client: Client, subscription: Subscription, callback: (error: Error | null, subscription?: Subscription | null) => void): void;
  /** Counts of refusals since start, for the health check. */
  readonly refusals: { connect: number; publish: number; subscribe: number };
}

/** Why a login or publish was turned away, as counted in `voicehub_mqtt_refused_total{reason}`. */
export type AuthRefusal = 'login_busy' | 'login_backoff' | 'login_failed' | 'anonymous_command' | RetainedRefusal;

/** Client ids whose refused anonymous command was logged; past this many the set starts again. */
const MAX_LOGGED_COMMAND_CLIENTS = 1024;

export interface AuthHookOptions {
  anonymous: AddressPolicy;
  users: UserDirectory;
  gate: LoginGate;
  retained: RetainedLedger;
  log: Logger;
  onRefused?: (reason: AuthRefusal) => void;
  /** Whether a topic is a known device's command topic (the device registry's index; false before it starts). */
  isDeviceCommandTopic?: (topic: string) => boolean;
  /** `mqtt.anonymousCommands`: anonymous clients may publish to device command topics too. */
  anonymousCommands?: boolean;
}

export function createAuthHooks({ anonymous, users, gate, retained, log, onRefused, isDeviceCommandTopic, anonymousCommands = false }: AuthHookOptions): AuthHooks {
  const identities = new WeakMap<Client, Identity>();
  const commandRefusalsLogged = new Set<string>();
  const refusals = { connect: 0, publish: 0, subscribe: 0 };

  function refuseConnect(client: Client, code: number, why: string, user?: string): AuthenticateError {
    refusals.connect++;
    log.warn({ clientId: client.id, address: remoteAddress(client), user }, `mqtt connection refused: ${why}`);
    return Object.assign(new Error(why), { returnCode: code }) as AuthenticateError;
  }

  function authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (error: AuthenticateError | null, success: boolean | null) => void): void {
    if (Buffer.byteLength(client.id ?? '') > MAX_CLIENT_ID_BYTES) {
      const why = `client id over ${MAX_CLIENT_ID_BYTES} bytes`;
      refusals.connect++;
      log.warn({ clientId: `${client.id.slice(0, 64)}…`, address: remoteAddress(client) }, `mqtt connection refused: ${why}`);
      return done(Object.assign(new Error(why), { returnCode: IDENTIFIER_REJECTED }) as AuthenticateError, false);
    }
    if (!username) {
      if (password !== undefined) return done(refuseConnect(client, BAD_USERNAME_OR_PASSWORD, 'password without a user name'), false);
      if (anonymous.allows(remoteAddress(client))) {
        identities.set(client, ANONYMOUS);
        return done(null, true);
      }
      return done(refuseConnect(client, NOT_AUTHORIZED, 'anonymous clients are accepted only from mqtt.anonymousFrom'), false);
    }
    const address = unmapIPv4(remoteAddress(client) ?? '');
    const turnedAway = gate.refusal(username, address);
    if (turnedAway) {
      onRefused?.(turnedAway.refused === 'busy' ? 'login_busy' : 'login_backoff');
      const why = turnedAway.refused === 'busy' ? 'too many logins waiting; try again'
        : `too many failed logins from this address; try again in ${Math.ceil(turnedAway.retryInMs / 1000)} s`;
      return done(refuseConnect(client, SERVER_UNAVAILABLE, why, username), false);
    }
    gate.run(username, address, () => users.authenticate(username, password ?? Buffer.alloc(0))).then((outcome) => {
      if (outcome === 'ok') {
        identities.set(client, { kind: 'user', name: username });
        done(null, true);
      } else if (outcome === 'busy') {
        onRefused?.('login_busy');
        done(refuseConnect(client, SERVER_UNAVAILABLE, 'too many logins waiting; try again', username), false);
      } else {
        onRefused?.('login_failed');
        done(refuseConnect(client, BAD_USERNAME_OR_PASSWORD, 'bad user name or password', username), false);
      }
    }, (err: unknown) => {
      log.error({ err, clientId: client.id }, 'mqtt login check failed');
      done(refuseConnect(client, SERVER_UNAVAILABLE, 'login check failed', username), false);
    });
  }

  function authorizePublish(client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void): void {
    const topic = packet.topic;
    // $SYS is the broker's own namespace (MQTT 3.1.1 §4.7.2); nobody publishes there, not even loopback.
    if (topic === '$SYS' || topic.startsWith('$SYS/')) return callback(refusePublish(client, topic, '$SYS topics are reserved for the broker'));
    // A will published for a client that is already gone (aedes passes null): its topic was checked at publish time of its owner's session.
    if (client === null) return callback(null);
    const identity = identities.get(client);
    if (identity === ANONYMOUS) {
      if (!anonymousCommands && isDeviceCommandTopic?.(topic)) return callback(refuseAnonymousCommand(client, topic));
    } else if (!(identity?.kind === 'user' && coveredByAny(users.allowOf(identity.name) ?? [], topic))) {
      return callback(refusePublish(client, topic, 'topic is outside the user\'s allowed patterns'));
    }
    if (packet.retain) {
      // Checked last, so only a publish that will really be stored is charged to its client.
      const over = retained.admit(client.id, topic, byteLength(packet.payload));
      if (over) {
        onRefused?.(over);
        return callback(refusePublish(client, topic, `retained message over the limit (${over.replaceAll('_', ' ')})`));
      }
    }
    callback(null);
  }

  function refusePublish(client: Client | null, topic: string, why: string): Error {
    refusals.publish++;
    log.warn({ clientId: client?.id, user: userOf(client), topic }, `mqtt publish refused: ${why}`);
    return new Error(why);
  }

  /** Logged once per client id (a client retrying would otherwise log a line per reconnect). */
  function refuseAnonymousCommand(client: Client, topic: string): Error {
    refusals.publish++;
    onRefused?.('anonymous_command');
    const why = 'anonymous clients may not publish to a device\'s command topic (mqtt.anonymousCommands)';
    if (!commandRefusalsLogged.has(client.id)) {
      if (commandRefusalsLogged.size >= MAX_LOGGED_COMMAND_CLIENTS) commandRefusalsLogged.clear();
      commandRefusalsLogged.add(client.id);
      log.warn({ clientId: client.id, address: remoteAddress(client), topic }, `mqtt publish refused: ${why}`);
    } else {
      log.debug({ clientId: client.id, topic }, `mqtt publish refused: ${why}`);
    }
    return new Error(why);
  }

  function authorizeSubscribe(client: Client, subscription: Subscription, callback: (error: Error | null, subscription?: Subscription | null) => void): void {
    const identity = identities.get(client);
    if (identity === ANONYMOUS) return callback(null, subscription);
    if (identity?.kind === 'user' && coveredByAny(users.allowOf(identity.name) ?? [], subscription.topic)) return callback(null, subscription);
    refusals.subscribe++;
    log.warn({ clientId: client.id, user: userOf(client), topic: subscription.topic }, 'mqtt subscription refused: filter is not covered by the user\'s allowed patterns');
    callback(null, null); // negated: SUBACK carries 0x80 for this filter
  }

  function userOf(client: Client | null): string | undefined {
    const identity = client ? identities.get(client) : undefined;
    return identity?.kind === 'user' ? identity.name : undefined;
  }

  return { authenticate, authorizePublish, authorizeSubscribe, refusals };
}

/** The peer address; aedes' conn is our GuardedConnection (or a plain socket), both expose remoteAddress. */
function remoteAddress(client: Client): string | undefined {
  return (client.conn as { remoteAddress?: string }).remoteAddress;
}

function byteLength(payload: string | Buffer): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
}
