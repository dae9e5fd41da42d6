/*
 * The SSRF guard. Relais connects to hosts its users name: an SFTP server, a per-accountant API base
 * URL. Without a check, a tenant could make Relais reach what only Relais can reach: its own loopback
 * services, the private network it runs in, the cloud's metadata service (169.254.169.254). So a
 * user-supplied host must resolve to public internet addresses only, checked on the addresses DNS
 * returns (a public-looking name may point anywhere), unless the operator allow-lists the host or a
 * range in RELAIS_NETWORK_ALLOW (the tests do, for their fakes on 127.0.0.1).
 */
import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { ConnectorError } from '../errors';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** What may be reached although not public. The empty policy allows public addresses only. */
export interface NetworkPolicy {
  /** Host names trusted whatever they resolve to: lower case, without a trailing dot. */
  readonly hosts: readonly string[];
  /** Address ranges trusted although not public, e.g. 127.0.0.0/8. */
  readonly ranges: readonly (readonly [Address, number])[];
  /**
   * Single services trusted although not public, as `address:port` (`[address]:port` for IPv6): only
   * that address written exactly so, on that port (the sandbox SFTP server on 127.0.0.1:2222, not the
   * other names of loopback nor its other ports).
   */
  readonly endpoints?: readonly string[];
  /** Certificate authorities (PEM) trusted besides the system's, for https through the guard. */
  readonly ca?: string;
}

export const publicOnly: NetworkPolicy = { hosts: [], ranges: [], endpoints: [] };

/**
 * ipaddr.js reads every IPv6 address written with a dotted quad as IPv4-mapped (::10.0.0.1 is not:
 * it is IPv4-compatible, and glibc prints such addresses that way), so IPv6 is parsed from the hex
 * form the URL standard writes. A zone id (%eth0) only occurs on link-local addresses; it is dropped.
 */
function parseAddress(address: string): Address {
  if (isIP(address) !== 6) return ipaddr.parse(address);
  const bare = address.split('%')[0]!;
  return ipaddr.parse(new URL(`http://[${bare}]`).hostname.slice(1, -1));
}

const hostNamePattern =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** `host:port` as the allow-list writes an endpoint: IPv6 addresses in brackets. */
const endpointKey = (address: string, port: number) =>
  isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;

/**
 * `host, 10.0.0.0/8, 2001:db8::/32, 192.0.2.7, 127.0.0.1:2222`: a comma list of host names, addresses,
 * CIDR ranges and endpoints (one address and one port).
 */
export function parseNetworkAllowList(list: string): NetworkPolicy {
  const hosts: string[] = [];
  const ranges: [Address, number][] = [];
  const endpoints: string[] = [];
  for (const entry of list
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean)) {
    const endpoint = /^(?:\[([0-9a-f:.]+)\]|(\d+\.\d+\.\d+\.\d+)):(\d{1,5})$/.exec(entry);
    if (endpoint) {
      const address = endpoint[1] ?? endpoint[2]!;
      const port = Number(endpoint[3]);
      if (!isIP(address) || port < 1 || port > 65535) {
        throw new Error(`"${entry}": an endpoint is an IP address and a port from 1 to 65535`);
      }
      endpoints.push(endpointKey(address, port));
      continue;
    }
    const [address = '', bits, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family && rest.length === 0) {
      const maxBits = family === 4 ? 32 : 128;
      const prefix = bits === undefined ? maxBits : Number(bits);
      if (!/^\d{1,3}$/.test(bits ?? String(maxBits)) || prefix > maxBits) {
        throw new Error(`"${entry}": the prefix length must be a number from 0 to ${maxBits}`);
      }
      ranges.push([parseAddress(address), prefix]);
    } else if (bits === undefined && hostNamePattern.test(entry.replace(/\.$/, ''))) {
      hosts.push(entry.replace(/\.$/, ''));
    } else {
      throw new Error(`"${entry}" is neither a host name, an IP address, a CIDR range nor an address:port`);
    }
  }
  return { hosts, ranges, endpoints };
}

/**
 * The configuration piece every connector that connects to user-supplied hosts spreads into its
 * configSchema, so the operator's allow-list reaches it the same way as its other settings.
 */
export const networkPolicyConfig = {
  RELAIS_NETWORK_ALLOW: z
    .string()
    .optional()
    .transform((list, context) => {
      try {
        return parseNetworkAllowList(list ?? '');
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
};

const reasons: Record<string, string> = {
  unspecified: 'an unspecified address (0.0.0.0/8 or ::)',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address (this includes the cloud metadata service 169.254.169.254)',
  loopback: 'a loopback address (this machine itself)',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  private: 'a private network address',
  uniqueLocal: 'a unique-local (private) IPv6 address',
  teredo: 'a Teredo tunnel address',
};
const reserved = 'a reserved or special-purpose address';

/** The IPv4 address an IPv6 address carries in its last 32 bits or, for 6to4, in bits 16 to 48. */
function embeddedIPv4(address: ipaddr.IPv6, from: number): ipaddr.IPv4 {
  return new ipaddr.IPv4(address.toByteArray().slice(from, from + 4));
}

/** Prefixes that translate to IPv4: the IPv4 address inside is what is finally reached. */
const translating: Record<string, [ipaddr.IPv6, number, number, string]> = {
  mapped: [ipaddr.IPv6.parse('::ffff:0:0'), 96, 12, 'an IPv4-mapped'],
  translated: [ipaddr.IPv6.parse('::ffff:0:0:0'), 96, 12, 'an IPv4-translated'],
  nat64: [ipaddr.IPv6.parse('64:ff9b::'), 96, 12, 'a NAT64'],
  sixToFour: [ipaddr.IPv6.parse('2002::'), 16, 2, 'a 6to4'],
};
const ipv4Compatible: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('::'), 96];
const globalUnicast: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('2000::'), 3];

/** Why `address` is not a public internet address, in words; undefined when it is one. */
export function nonPublicReason(address: string): string | undefined {
  const parsed = parseAddress(address);
  if (parsed.kind() === 'ipv4') {
    const range = parsed.range();
    return range === 'unicast' ? undefined : (reasons[range] ?? reserved);
  }
  const v6 = parsed as ipaddr.IPv6;
  for (const [prefix, bits, offset, name] of Object.values(translating)) {
    if (v6.match(prefix, bits)) {
      const inner = nonPublicReason(embeddedIPv4(v6, offset).toString());
      return inner && `${inner} inside ${name} IPv6 address`;
    }
  }
  const range = v6.range();
  if (range !== 'unspecified' && range !== 'loopback' && v6.match(ipv4Compatible)) {
    return 'an IPv4-compatible IPv6 address (deprecated, never public)';
  }
  if (range === 'unicast' && v6.match(globalUnicast)) return undefined;
  return reasons[range] ?? reserved;
}

function allowedRange(address: string, policy: NetworkPolicy): boolean {
  const given = parseAddress(address);
  // ::ffff:127.0.0.1 is 127.0.0.1 for an allow-list of IPv4 ranges.
  const parsed = given instanceof ipaddr.IPv6 && given.isIPv4MappedAddress() ? given.toIPv4Address() : given;
  return policy.ranges.some(
    ([range, bits]) => range.kind() === parsed.kind() && parsed.match(range as never, bits),
  );
}

/**
 * Resolves `host` (a name or an address) and returns its addresses when every one of them is public
 * or allow-listed; connect to one of these, not to the name again, so a second DNS answer cannot
 * differ from the checked one. A refused host throws ConnectorError `misconfigured`; a name that does
 * not resolve rejects with the resolver's error (code ENOTFOUND, ...), for the client to classify like
 * any other network failure.
 */
export async function assertPublicHost(
  host: string,
  policy: NetworkPolicy,
  /** The port that will be connected to, for the allow-list's endpoints. */
  port?: number,
): Promise<LookupAddress[]> {
  const name = host
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  const family = isIP(name);
  // An endpoint admits its address as written there only: not 127.1, 2130706433 or localhost, which
  // reach the same address through the resolver, nor ::ffff:127.0.0.1.
  if (family && port !== undefined && policy.endpoints?.includes(endpointKey(name, port))) {
    return [{ address: name, family }];
  }
  const addresses = family ? [{ address: name, family }] : await lookup(name, { all: true, verbatim: true });
  if (policy.hosts.includes(name)) return addresses;
  for (const { address } of addresses) {
    const reason = allowedRange(address, policy) ? undefined : nonPublicReason(address);
    if (reason) {
      throw new ConnectorError(
        'misconfigured',
        `${family ? `${host} is` : `${host} resolves to`} ${reason}. Relais connects only to public ` +
          'internet addresses: use the public host name or address of the server.',
      );
    }
  }
  return addresses;
}

/**
 * Checks a user-supplied URL before any connection: https only, then its host as `assertPublicHost`.
 * Returns the parsed URL.
 */
export async function assertPublicUrl(url: string | URL, policy: NetworkPolicy): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConnectorError('misconfigured', `"${String(url)}" is not a web address.`);
  }
  if (parsed.protocol !== 'https:') {
    throw new ConnectorError(
      'misconfigured',
      `Relais connects only over https, not to ${parsed.protocol}//${parsed.host}.`,
    );
  }
  await assertPublicHost(parsed.hostname, policy);
  return parsed;
}
