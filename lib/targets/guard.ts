/**
 * The destination guard against server-side request forgery: which URLs a webhook may name and
 * which addresses it may reach. A user who can create a job chooses the URL, and the scheduler runs
 * inside the operator's network, so by default every address that is not on the public internet
 * is refused: loopback, private, link-local (cloud metadata), shared, multicast, reserved, and
 * IPv6 forms that embed one of those (IPv4-mapped, NAT64, 6to4). An operator's allow-list names the
 * internal hosts and ranges that are meant to be reached.
 *
 * Pure apart from resolveDestination(), whose resolver is passed in. Nothing here opens a socket:
 * deliverWebhook() connects only to the addresses resolveDestination() returned.
 */
import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { ValidationError } from '../errors.ts';

/** The environment variable the server reads the allow-list from; messages name it. */
export const ALLOW_VARIABLE = 'SCHEDULER_WEBHOOK_ALLOW';
/** Longest webhook URL accepted. */
export const MAX_URL_LENGTH = 2048;

/** Why an address is refused. */
export const ADDRESS_RULES = [
  'metadata',
  'unspecified',
  'loopback',
  'private',
  'link-local',
  'shared',
  'multicast',
  'broadcast',
  'reserved',
  'documentation',
  'benchmarking',
] as const;
export type AddressRule = (typeof ADDRESS_RULES)[number];

// First match names the rule, so the narrow entries (metadata, broadcast) come before their ranges.
const IPV4_RANGES: readonly (readonly [AddressRule, string])[] = [
  ['metadata', '169.254.169.254/32'], // AWS, GCP, Azure, OCI, DigitalOcean instance metadata
  ['metadata', '169.254.170.2/32'], // AWS ECS task metadata and credentials
  ['metadata', '100.100.100.200/32'], // Alibaba Cloud instance metadata
  ['broadcast', '255.255.255.255/32'],
  ['unspecified', '0.0.0.0/8'],
  ['private', '10.0.0.0/8'],
  ['shared', '100.64.0.0/10'], // carrier-grade NAT (RFC 6598)
  ['loopback', '127.0.0.0/8'],
  ['link-local', '169.254.0.0/16'],
  ['private', '172.16.0.0/12'],
  ['reserved', '192.0.0.0/24'], // IETF protocol assignments
  ['documentation', '192.0.2.0/24'],
  ['reserved', '192.88.99.0/24'], // deprecated 6to4 relay anycast
  ['private', '192.168.0.0/16'],
  ['benchmarking', '198.18.0.0/15'],
  ['documentation', '198.51.100.0/24'],
  ['documentation', '203.0.113.0/24'],
  ['multicast', '224.0.0.0/4'],
  ['reserved', '240.0.0.0/4'],
];

const IPV6_RANGES: readonly (readonly [AddressRule, string])[] = [
  ['metadata', 'fd00:ec2::254/128'], // AWS instance metadata over IPv6
  ['unspecified', '::/128'],
  ['loopback', '::1/128'],
  ['reserved', '::/96'], // deprecated IPv4-compatible addresses
  ['reserved', '100::/64'], // discard-only
  ['private', '64:ff9b:1::/48'], // local-use NAT64
  ['reserved', '2001::/32'], // Teredo: tunnels to an IPv4 address we cannot check
  ['documentation', '2001:db8::/32'],
  ['documentation', '3fff::/20'],
  ['private', 'fc00::/7'], // unique local
  ['link-local', 'fe80::/10'],
  ['private', 'fec0::/10'], // deprecated site-local
  ['multicast', 'ff00::/8'],
];

/**
 * Host names refused before any resolution: names of cloud metadata services, and `localhost`
 * (RFC 6761 lets resolvers answer it, and `*.localhost`, without asking DNS).
 */
export const REFUSED_HOST_NAMES = [
  'localhost',
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
] as const;

interface CompiledRange {
  rule: AddressRule;
  range: string;
  list: BlockList;
}

function compile(ranges: readonly (readonly [AddressRule, string])[], family: 'ipv4' | 'ipv6'): CompiledRange[] {
  return ranges.map(([rule, range]) => {
    const [network, prefix] = range.split('/') as [string, string];
    // One BlockList per range, so a match can say which range it was.
    const list = new BlockList();
    list.addSubnet(network, Number(prefix), family);
    return { rule, range, list };
  });
}
const IPV4 = compile(IPV4_RANGES, 'ipv4');
const IPV6 = compile(IPV6_RANGES, 'ipv6');

/** Why one address is refused. */
export interface AddressRefusal {
  /** The address as checked (for an embedding IPv6 form, the IPv6 address). */
  address: string;
  rule: AddressRule;
  /** The refused range it falls in, e.g. `10.0.0.0/8`. */
  range: string;
  /** For an IPv6 address that embeds an IPv4 address: how, and which. */
  embedded?: { form: 'ipv4-mapped' | 'ipv4-translated' | 'nat64' | '6to4'; ipv4: string };
}

/** The eight 16-bit groups of a valid IPv6 address (net.isIP says 6), zone id dropped. */
function ipv6Groups(text: string): number[] {
  let s = text.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const tail: number[] = [];
  if (s.includes('.')) {
    const colon = s.lastIndexOf(':');
    const [a, b, c, d] = s
      .slice(colon + 1)
      .split('.')
      .map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    s = s.slice(0, colon + 1);
    if (s.endsWith(':') && !s.endsWith('::')) s = s.slice(0, -1);
  }
  const [left = '', right] = s.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const head = parse(left);
  const rest = [...(right === undefined ? [] : parse(right)), ...tail];
  return [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
}

function ipv4Of(high: number, low: number): string {
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/** The IPv4 address an IPv6 address carries in a form that reaches it, if any. */
function embeddedIpv4(groups: number[]): AddressRefusal['embedded'] | null {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const zeroTo = (n: number) => groups.slice(0, n).every((g) => g === 0);
  if (zeroTo(5) && g5 === 0xffff) return { form: 'ipv4-mapped', ipv4: ipv4Of(g6, g7) };
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return { form: 'ipv4-translated', ipv4: ipv4Of(g6, g7) };
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return { form: 'nat64', ipv4: ipv4Of(g6, g7) };
  }
  if (g0 === 0x2002) return { form: '6to4', ipv4: ipv4Of(g1, g2) };
  return null;
}

function match(address: string, ranges: readonly CompiledRange[], family: 'ipv4' | 'ipv6'): CompiledRange | undefined {
  return ranges.find((r) => r.list.check(address, family));
}

/**
 * Why an IP address may not be reached by default, or null when it is a public address. Pure.
 * Throws ValidationError naming `address` when the text is not an IP address.
 */
export function classifyAddress(address: string): AddressRefusal | null {
  const family = isIP(address);
  if (family === 4) {
    const hit = match(address, IPV4, 'ipv4');
    return hit ? { address, rule: hit.rule, range: hit.range } : null;
  }
  if (family !== 6)
    throw new ValidationError({ field: 'address', value: address, expected: 'an IPv4 or IPv6 address' });
  const groups = ipv6Groups(address);
  const embedded = embeddedIpv4(groups);
  if (embedded) {
    // The connection ends at the embedded IPv4 address (directly, or through a translator or relay
    // next to us), so that address is what is judged.
    const hit = match(embedded.ipv4, IPV4, 'ipv4');
    return hit ? { address, rule: hit.rule, range: hit.range, embedded } : null;
  }
  const hit = match(address, IPV6, 'ipv6');
  return hit ? { address, rule: hit.rule, range: hit.range } : null;
}

/** A refusal in words: `10.0.0.5 is private (10.0.0.0/8)`. */
export function describeRefusal(refusal: AddressRefusal): string {
  const via = refusal.embedded ? ` (${refusal.embedded.form} form of ${refusal.embedded.ipv4})` : '';
  return `${refusal.address}${via} is ${refusal.rule === 'metadata' ? 'a cloud metadata address' : refusal.rule} (${refusal.range})`;
}

/** Which internal destinations an operator allows. Build it with parseAllowList(). */
export interface DestinationPolicy {
  /** Host names (lowercase, no trailing dot) that may be reached whatever addresses they resolve to. */
  readonly hosts: ReadonlySet<string>;
  /** Addresses and ranges that may be reached although they are internal. */
  readonly addresses: BlockList;
  /** The entries as given, for display. */
  readonly entries: readonly string[];
  /** Where the entries came from, named in refusals so that the reader knows what to change. */
  readonly variable: string;
}

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/**
 * Parses an allow-list such as `127.0.0.1,localhost,10.0.0.0/8,fd00::/8,hooks.internal`: IPv4 or
 * IPv6 addresses and CIDR ranges, and host names, separated by commas or spaces. A listed name may
 * be reached whatever it resolves to (its DNS is trusted); a listed address or range may be reached
 * under any name. Empty or undefined allows nothing internal. Throws ValidationError naming
 * `variable` and the first bad entry.
 */
export function parseAllowList(text: string | undefined, variable: string = ALLOW_VARIABLE): DestinationPolicy {
  const hosts = new Set<string>();
  const addresses = new BlockList();
  const entries = (text ?? '').split(/[\s,]+/).filter((entry) => entry !== '');
  for (const entry of entries) {
    const bad = (why: string): never => {
      throw new ValidationError({
        field: variable,
        value: entry,
        expected: `host names, IP addresses or CIDR ranges separated by commas: ${JSON.stringify(entry)} ${why}`,
      });
    };
    const slash = entry.indexOf('/');
    if (slash >= 0) {
      const network = entry.slice(0, slash);
      const family = isIP(network);
      if (family === 0) bad('does not start with an IP address');
      const prefixText = entry.slice(slash + 1);
      const max = family === 4 ? 32 : 128;
      if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) bad(`needs a prefix length from 0 to ${max}`);
      addresses.addSubnet(network, Number(prefixText), family === 4 ? 'ipv4' : 'ipv6');
      continue;
    }
    const bare = entry.startsWith('[') && entry.endsWith(']') ? entry.slice(1, -1) : entry;
    const family = isIP(bare);
    if (family !== 0) {
      addresses.addAddress(bare, family === 4 ? 'ipv4' : 'ipv6');
      continue;
    }
    const host = normalizeHost(entry);
    if (!HOST_NAME.test(host))
      bad('is not a host name (a port or scheme does not belong here; IDN names in xn-- form)');
    hosts.add(host);
  }
  return Object.freeze({ hosts, addresses, entries: Object.freeze(entries), variable });
}

/** Allows nothing internal: the policy when no allow-list is configured. */
export const DEFAULT_DESTINATION_POLICY: DestinationPolicy = parseAllowList(undefined);

/** Why `address` may not be reached under `policy`, or null when it may. */
export function checkAddress(address: string, policy: DestinationPolicy): AddressRefusal | null {
  const refusal = classifyAddress(address);
  if (!refusal) return null;
  const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
  // BlockList matches an IPv4-mapped IPv6 address against IPv4 entries by itself; the other
  // embedding forms are matched through their IPv4 address.
  if (policy.addresses.check(address, family)) return null;
  if (refusal.embedded && policy.addresses.check(refusal.embedded.ipv4, 'ipv4')) return null;
  return refusal;
}

function isRefusedName(host: string): boolean {
  return (
    host === 'localhost' || host.endsWith('.localhost') || (REFUSED_HOST_NAMES as readonly string[]).includes(host)
  );
}

/** The host of a URL without IPv6 brackets and trailing dot, lowercase. */
export function urlHost(url: URL): string {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return normalizeHost(host);
}

/**
 * The static check of a webhook URL, at create time: http or https, no credentials, a host, an IP
 * literal that may be reached, a name that is not refused by itself. Names are resolved only at
 * delivery (resolveDestination), since what they resolve to may change. Returns the parsed URL;
 * throws ValidationError naming `field` otherwise.
 */
export function checkWebhookUrl(url: unknown, policy: DestinationPolicy, field = 'target.url'): URL {
  const fail = (expected: string, echo = true): never => {
    throw new ValidationError({ field, expected, ...(echo ? { value: url } : {}) });
  };
  if (typeof url !== 'string' || url.length === 0) return fail('an http or https URL');
  if (url.length > MAX_URL_LENGTH) return fail(`a URL of at most ${MAX_URL_LENGTH} characters`, false);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('an absolute http or https URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return fail('a URL whose scheme is http or https');
  // Credentials in a URL end up in logs and in every display of the job; a header marked secret is
  // the place for them. The value is not echoed, since it holds them.
  if (parsed.username !== '' || parsed.password !== '') {
    return fail('a URL without user name or password (put credentials in a header listed in secret_headers)', false);
  }
  const host = urlHost(parsed);
  if (host === '') return fail('a URL with a host');
  if (isIP(host) !== 0) {
    const refusal = checkAddress(host, policy);
    if (refusal) {
      return fail(`a URL that does not lead to an internal address: ${describeRefusal(refusal)}; ${allowHint(policy)}`);
    }
  } else if (isRefusedName(host) && !policy.hosts.has(host)) {
    return fail(
      `a URL whose host is not ${JSON.stringify(host)}, which names this machine or a cloud metadata service; ${allowHint(policy)}`,
    );
  }
  return parsed;
}

function allowHint(policy: DestinationPolicy): string {
  return `an operator may allow it in ${policy.variable}`;
}

/** One address a name resolved to, as dns.lookup() reports it. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses. Injected, so that tests (and a caching resolver) can stand in for DNS. */
export type WebhookResolver = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

/** The system resolver (getaddrinfo, as connections would use), every address, in its order. */
export const systemResolver: WebhookResolver = (hostname) => dns.lookup(hostname, { all: true, order: 'verbatim' });

/** Where a webhook may be delivered, or why not. */
export type DestinationResult =
  | {
      ok: true;
      url: URL;
      /** The URL's host (name or IP literal) without brackets. */
      host: string;
      /** Every address the host resolved to, each allowed: connect only to these. */
      addresses: readonly ResolvedAddress[];
    }
  | { ok: false; error: 'blocked' | 'dns'; message: string };

/**
 * Resolves a webhook URL's host once and checks every address it resolves to. Refused when ANY
 * address is refused, since which of them a connection would use is not ours to choose; the
 * message names the address and the rule. The caller must connect to the returned addresses only
 * (never resolve the name again: a second answer may differ, which is DNS rebinding). Never throws.
 */
export async function resolveDestination(
  url: string | URL,
  policy: DestinationPolicy,
  resolver: WebhookResolver = systemResolver,
): Promise<DestinationResult> {
  let parsed: URL;
  try {
    parsed = checkWebhookUrl(typeof url === 'string' ? url : url.href, policy, 'url');
  } catch (error) {
    return { ok: false, error: 'blocked', message: (error as Error).message };
  }
  const host = urlHost(parsed);
  const family = isIP(host);
  if (family !== 0) return { ok: true, url: parsed, host, addresses: [{ address: host, family: family as 4 | 6 }] };

  let answers: readonly { address: string; family: number }[];
  try {
    answers = await resolver(host);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return {
      ok: false,
      error: 'dns',
      message: `${host} did not resolve: ${typeof code === 'string' ? `${code} ` : ''}${(error as Error)?.message ?? String(error)}`,
    };
  }
  const addresses: ResolvedAddress[] = [];
  for (const answer of answers ?? []) {
    const answerFamily = isIP(answer?.address ?? '');
    if (answerFamily === 0)
      return {
        ok: false,
        error: 'dns',
        message: `${host} resolved to ${JSON.stringify(answer?.address)}, which is not an IP address`,
      };
    addresses.push({ address: answer.address, family: answerFamily as 4 | 6 });
  }
  if (addresses.length === 0) return { ok: false, error: 'dns', message: `${host} resolved to no address` };
  if (!policy.hosts.has(host)) {
    for (const { address } of addresses) {
      const refusal = checkAddress(address, policy);
      if (refusal) {
        return {
          ok: false,
          error: 'blocked',
          message: `${host} resolves to ${describeRefusal(refusal)}, which webhooks may not reach; ${allowHint(policy)}`,
        };
      }
    }
  }
  return { ok: true, url: parsed, host, addresses };
}
