import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/**
 * The kind of address it is when it may not be sent to (`loopback`, `private`…), or undefined for
 * a public one. Only ipaddr.js's `unicast`
 * range is public: loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local
 * (169.254/16, the cloud metadata address among them, fe80::/10), CGNAT (100.64/10), multicast,
 * reserved and unspecified are refused; an IPv4 address written as IPv6 counts as IPv4.
 */
export function refusedAddress(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? undefined : range;
}

/**
 * The host's addresses that may be sent to, or why none may: resolved here, so that the caller
 * connects to an address it checked (a host that resolves elsewhere a moment later changes
 * nothing). Every address must pass, so that a host cannot mix a public one with a private one.
 */
export async function allowedAddresses(
  host: string,
  allowPrivate: boolean,
): Promise<{ addresses: { address: string; family: number }[] } | { refused: string }> {
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  let addresses: { address: string; family: number }[];
  try {
    addresses = ipaddr.isValid(bare)
      ? [{ address: bare, family: bare.includes(':') ? 6 : 4 }]
      : await lookup(bare, { all: true, verbatim: true });
  } catch (error) {
    return {
      refused: `${bare} does not resolve (${(error as { code?: string }).code ?? 'error'})`,
    };
  }
  if (addresses.length === 0) return { refused: `${bare} does not resolve` };
  if (!allowPrivate) {
    for (const { address } of addresses) {
      const range = refusedAddress(address);
      if (!range) continue;
      const what = address === bare ? bare : `${bare} resolves to ${address}, which`;
      return { refused: `${what} is a ${range} address (WEBHOOK_ALLOW_PRIVATE is off)` };
    }
  }
  return { addresses };
}
