import { BlockList, SocketAddress, isIPv4 } from 'node:net';
import { ConfigError } from './errors.js';

/**
 * A set of addresses and CIDR ranges from the config: whose MQTT clients may connect without a user
 * (`mqtt.anonymousFrom`), which addresses skip the HTTP rate limit (`http.rateLimit.exempt`). Node's
 * BlockList does the CIDR matching; this module only turns config strings into it and normalises addresses.
 */
export class AddressPolicy {
  private constructor(private readonly list: BlockList, readonly size: number) {}

  /** Builds the policy from addresses and CIDR ranges; a malformed entry is a config error naming it. */
  static fromConfig(entries: readonly string[], key: string): AddressPolicy {
    const list = new BlockList();
    const problems: string[] = [];
    entries.forEach((entry, index) => {
      const problem = addEntry(list, entry.trim());
      if (problem) problems.push(`${key}[${index}]: ${JSON.stringify(entry)} ${problem}; allowed: an IPv4/IPv6 address or a CIDR range such as 127.0.0.0/8 or fd00::/8`);
    });
    if (problems.length > 0) throw new ConfigError(problems);
    return new AddressPolicy(list, entries.length);
  }

  /** True when the remote address is in the list. IPv4-mapped IPv6 (`::ffff:127.0.0.1`) counts as its IPv4 address. */
  allows(address: string | undefined): boolean {
    if (!address || this.size === 0) return false;
    const plain = unmapIPv4(address);
    const family = ipFamily(plain);
    if (family === 0) return false;
    return this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}

function addEntry(list: BlockList, entry: string): string | null {
  const slash = entry.indexOf('/');
  const address = unmapIPv4(slash === -1 ? entry : entry.slice(0, slash));
  const family = ipFamily(address);
  if (family === 0) return 'is not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash === -1) {
    list.addAddress(address, type);
    return null;
  }
  const prefixText = entry.slice(slash + 1);
  const prefix = Number(prefixText);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || prefix > max) return `has a prefix length outside 0..${max}`;
  list.addSubnet(address, prefix, type);
  return null;
}

/** `::ffff:a.b.c.d` → `a.b.c.d` (a dual-stack listener reports IPv4 peers this way). */
export function unmapIPv4(address: string): string {
  if (address.length > 7 && address.slice(0, 7).toLowerCase() === '::ffff:') {
    const rest = address.slice(7);
    if (isIPv4(rest)) return rest;
  }
  return address;
}

/**
 * 4, 6 or 0 (not an address), like net.isIP, but an IPv6 address is checked by libuv's inet_pton (through
 * SocketAddress) instead of Node's IPv6 regular expression: compiling that expression the first time costs
 * 13–15 ms of CPU on a PC and about three times that on a Pi, and the default `mqtt.anonymousFrom` ('::1')
 * made every start-up pay it before `listening`.
 */
export function ipFamily(address: string): 0 | 4 | 6 {
  if (isIPv4(address)) return 4;
  if (!address.includes(':')) return 0;
  // libuv drops a zone id ("%eth0") unread; net.isIP allows only a non-empty one of these characters.
  const zone = address.indexOf('%');
  if (zone !== -1 && !/^%[0-9a-zA-Z.:-]+$/.test(address.slice(zone))) return 0;
  try {
    new SocketAddress({ address, family: 'ipv6' });
    return 6;
  } catch {
    return 0;
  }
}
