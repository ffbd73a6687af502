import { parseCidr, subnetCidrs } from '@txn-dr/config';

/** The three subnet tiers of a region. */
export const TIERS = ['public', 'private', 'data'] as const;
export type Tier = (typeof TIERS)[number];

/** Each tier starts at a fixed slot so that adding an AZ never renumbers an existing subnet. */
const TIER_OFFSET: Record<Tier, number> = { public: 0, private: 8, data: 16 };

/**
 * Subnet CIDRs per tier and AZ: the VPC split into 32 equal blocks (a /16 gives /21s of 2,043
 * usable addresses), each tier owning 8 slots, so up to 6 AZs (the config's limit) fit with room
 * to grow. Computed here, not in Terraform, so the synthesized JSON shows every block literally.
 */
export function subnetLayout(vpcCidr: string, availabilityZones: number): Record<Tier, string[]> {
  const range = parseCidr(vpcCidr);
  if (!range) throw new Error(`not an IPv4 CIDR block: ${vpcCidr}`);
  const prefix = range.prefix + 5;
  return {
    public: subnetCidrs(vpcCidr, prefix, availabilityZones, TIER_OFFSET.public),
    private: subnetCidrs(vpcCidr, prefix, availabilityZones, TIER_OFFSET.private),
    data: subnetCidrs(vpcCidr, prefix, availabilityZones, TIER_OFFSET.data),
  };
}
