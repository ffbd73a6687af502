/** An IPv4 CIDR block as an inclusive range of 32-bit addresses. */
export interface CidrRange {
  readonly first: number;
  readonly last: number;
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns undefined for anything else, including host bits set. */
export function parseCidr(cidr: string): CidrRange | undefined {
  const match = CIDR_PATTERN.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) return undefined;
  return { first: address, last: address + size - 1, prefix };
}

export function cidrsOverlap(a: CidrRange, b: CidrRange): boolean {
  return a.first <= b.last && b.first <= a.last;
}

function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

/**
 * Splits a block into `count` consecutive subnets of `newPrefix`, starting at subnet `offset`.
 * Used to lay out public and private subnets deterministically from the VPC CIDR.
 */
export function subnetCidrs(cidr: string, newPrefix: number, count: number, offset = 0): string[] {
  const range = parseCidr(cidr);
  if (!range) throw new Error(`not an IPv4 CIDR block: ${cidr}`);
  if (newPrefix < range.prefix || newPrefix > 28) {
    throw new Error(`cannot split ${cidr} into /${newPrefix} subnets`);
  }
  const size = 2 ** (32 - newPrefix);
  const available = 2 ** (newPrefix - range.prefix);
  if (offset + count > available) {
    throw new Error(`${cidr} holds ${available} /${newPrefix} subnets, ${offset + count} requested`);
  }
  return Array.from({ length: count }, (_, i) => `${formatAddress(range.first + (offset + i) * size)}/${newPrefix}`);
}
