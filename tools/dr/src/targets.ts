import { type Capacity, DR_ROLES, type DrRole, type Environment, activeCapacity, activeRole, standbyCapacity } from '@txn-dr/config';
import { Names } from '@txn-dr/contracts';

export interface RegionTargets {
  readonly role: DrRole;
  readonly region: string;
  readonly cluster: string;
  readonly autoScalingGroup: string;
  readonly targetGroup: string;
  readonly loadBalancer: string;
  /** SetIdentifier of the region's weighted record. */
  readonly setIdentifier: string;
}

/**
 * Everything the CLI acts on, named from config by the same rules the stacks create them with, so
 * the operator never types an identifier.
 */
export interface DrTargets {
  readonly environment: string;
  readonly globalCluster: string;
  readonly zoneName: string;
  readonly fqdn: string;
  readonly healthUrl: string;
  readonly regions: Record<DrRole, RegionTargets>;
  /** The sizes the active region runs at. */
  readonly activeCapacity: Capacity;
  /** The sizes the warm standby runs at. */
  readonly standbyCapacity: Capacity;
  /** `activeRegion` of the config, which Terraform deploys the weights from. */
  readonly configActiveRegion: string;
  readonly configActiveRole: DrRole;
}

export function resolveTargets(env: Environment): DrTargets {
  const names = new Names(env);
  const region = (role: DrRole): RegionTargets => ({
    role,
    region: env.regions[role].region,
    cluster: names.cluster(role),
    autoScalingGroup: names.autoScalingGroup(role),
    targetGroup: names.targetGroup(role),
    loadBalancer: names.loadBalancer(role),
    setIdentifier: names.recordSetIdentifier(role),
  });
  const fqdn = names.serviceFqdn();
  // With HTTPS on (the default, and the only choice in staging and production) port 80 only
  // redirects, so ask HTTPS directly.
  const scheme = env.loadBalancer.https ? 'https' : 'http';
  return {
    environment: env.name,
    globalCluster: names.globalCluster(),
    zoneName: env.dns.zoneName,
    fqdn,
    healthUrl: `${scheme}://${fqdn}/health`,
    regions: { primary: region('primary'), secondary: region('secondary') },
    activeCapacity: activeCapacity(env),
    standbyCapacity: standbyCapacity(env),
    configActiveRegion: env.activeRegion,
    configActiveRole: activeRole(env),
  };
}

/** The role of a region of the pair, or undefined for any other region. */
export function roleOfRegion(targets: DrTargets, region: string): DrRole | undefined {
  return DR_ROLES.find((role) => targets.regions[role].region === region);
}
