import { alertIssues } from './alerts';
import { backupIssues } from './backup';
import { acmCertificateRegion } from './certificates';
import { cidrsOverlap, parseCidr } from './cidr';
import { DEPLOYED_ENVIRONMENTS } from './defaults';
import { undeployableZoneReason } from './domains';
import type { FieldPath } from './field-issues';
import { describeRtoBudget, rtoBudget } from './rto';
import type { DrRole, ParsedEnvironment } from './schema';

/** A problem a rule found, at the field to change. */
export interface RuleIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * A check across fields, which no one field's schema can make. It runs whenever every field it
 * `reads` is well-formed, whatever is wrong elsewhere, so that one run reports every problem; and
 * never over a malformed one, which is reported once, at its own field.
 */
export interface CrossFieldRule {
  /**
   * Dotted paths of the fields the check reads; a path covers everything under it. A list read
   * entry by entry ends in `[]`: only the list itself must be well-formed, and the check asks
   * `wellFormed` about each entry.
   */
  readonly reads: readonly string[];
  readonly check: (env: ParsedEnvironment, wellFormed: (path: FieldPath) => boolean) => RuleIssue[];
}

const ROLES: readonly DrRole[] = ['primary', 'secondary'];
const isDeployed = (name: string) => (DEPLOYED_ENVIRONMENTS as readonly string[]).includes(name);

/** The rules, in the order their issues are found; the report orders issues by field. */
export const CROSS_FIELD_RULES: readonly CrossFieldRule[] = [
  {
    reads: ['name', 'accountId'],
    check: (env) =>
      isDeployed(env.name) && env.accountId === undefined
        ? [{ path: ['accountId'], message: `is required for ${env.name}: set it to the 12-digit id of the AWS account ${env.name} deploys to, so that no provider can touch another` }]
        : [],
  },
  {
    reads: ['name', 'dns.zoneName'],
    check: (env) => {
      if (!isDeployed(env.name)) return [];
      const zoneName = env.dns.zoneName;
      const reason = zoneName === undefined ? 'is not set, so it would be the example.com placeholder' : undeployableZoneReason(zoneName);
      return reason === undefined ? [] : [{ path: ['dns', 'zoneName'], message: `${reason}; ${env.name} needs a domain you own: set dns.zoneName to it` }];
    },
  },
  {
    reads: ['name', 'loadBalancer.https'],
    check: (env) =>
      !env.loadBalancer.https && isDeployed(env.name)
        ? [{ path: ['loadBalancer', 'https'], message: `must not be false in ${env.name}: ${env.name} serves HTTPS only (port 80 only redirects to it)` }]
        : [],
  },
  ...ROLES.map(
    (role): CrossFieldRule => ({
      reads: [`loadBalancer.certificates.${role}`, 'loadBalancer.https'],
      check: (env) =>
        env.loadBalancer.certificates[role] !== undefined && !env.loadBalancer.https
          ? [{ path: ['loadBalancer', 'certificates', role], message: 'is set, but loadBalancer.https is false: remove one of them' }]
          : [],
    }),
  ),
  ...ROLES.map(
    (role): CrossFieldRule => ({
      reads: [`loadBalancer.certificates.${role}`, `regions.${role}.region`],
      check: (env) => {
        const arn = env.loadBalancer.certificates[role];
        const region = arn === undefined ? undefined : acmCertificateRegion(arn);
        const expected = env.regions[role].region;
        // ACM certificates are regional: a load balancer can use only one of its own region.
        // https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html
        return region !== undefined && region !== expected
          ? [
              {
                path: ['loadBalancer', 'certificates', role],
                message: `is a certificate in ${region}, but regions.${role}.region is ${expected}: a load balancer can use only an ACM certificate of its own region (request or import one in ${expected})`,
              },
            ]
          : [];
      },
    }),
  ),
  {
    reads: ['regions.primary.region', 'regions.secondary.region'],
    check: ({ regions: { primary, secondary } }) =>
      primary.region === secondary.region ? [{ path: ['regions', 'secondary', 'region'], message: `must differ from regions.primary.region (both are ${primary.region})` }] : [],
  },
  {
    reads: ['regions.primary.vpcCidr', 'regions.secondary.vpcCidr'],
    check: ({ regions: { primary, secondary } }) => {
      const a = parseCidr(primary.vpcCidr);
      const b = parseCidr(secondary.vpcCidr);
      return a && b && cidrsOverlap(a, b)
        ? [
            {
              path: ['regions', 'secondary', 'vpcCidr'],
              message: `${secondary.vpcCidr} overlaps regions.primary.vpcCidr ${primary.vpcCidr} (the two VPCs are peered, which needs disjoint blocks)`,
            },
          ]
        : [];
    },
  },
  ...(['active', 'standby'] as const).flatMap((duty): CrossFieldRule[] => [
    {
      reads: [`capacity.${duty}.min`, `capacity.${duty}.desired`],
      check: (env) => {
        const { min, desired } = env.capacity[duty];
        return min > desired ? [{ path: ['capacity', duty, 'min'], message: `min ${min} is greater than desired ${desired}` }] : [];
      },
    },
    {
      reads: [`capacity.${duty}.desired`, `capacity.${duty}.max`],
      check: (env) => {
        const { desired, max } = env.capacity[duty];
        return desired > max ? [{ path: ['capacity', duty, 'desired'], message: `desired ${desired} is greater than max ${max}` }] : [];
      },
    },
  ]),
  ...ROLES.map(
    (role): CrossFieldRule => ({
      reads: [`regions.${role}.natGateways`, `regions.${role}.availabilityZones`],
      check: (env) => {
        const { natGateways, availabilityZones } = env.regions[role];
        return natGateways > availabilityZones
          ? [{ path: ['regions', role, 'natGateways'], message: `${natGateways} NAT gateways for ${availabilityZones} availability zones (at most one per zone)` }]
          : [];
      },
    }),
  ),
  {
    reads: ['capacity.standby.min'],
    check: (env) =>
      env.capacity.standby.min < 1
        ? [{ path: ['capacity', 'standby', 'min'], message: 'must be at least 1: a warm standby with no instance is a cold one, and cannot meet the RTO' }]
        : [],
  },
  {
    reads: ['activeRegion', 'regions.primary.region', 'regions.secondary.region'],
    check: ({ activeRegion, regions: { primary, secondary } }) =>
      activeRegion !== undefined && activeRegion !== primary.region && activeRegion !== secondary.region
        ? [{ path: ['activeRegion'], message: `must be ${primary.region} or ${secondary.region}, got ${activeRegion}` }]
        : [],
  },
  {
    reads: ['compute.targetHealth.timeoutSeconds', 'compute.targetHealth.intervalSeconds'],
    check: (env) => {
      const { timeoutSeconds, intervalSeconds } = env.compute.targetHealth;
      return timeoutSeconds >= intervalSeconds
        ? [{ path: ['compute', 'targetHealth', 'timeoutSeconds'], message: `timeout ${timeoutSeconds}s must be shorter than the interval ${intervalSeconds}s` }]
        : [];
    },
  },
  { reads: ['backup.retentionDays', 'backup.vaultLock'], check: (env) => backupIssues(env.backup) },
  {
    reads: ['name', 'alerts.subscriptions[]'],
    // Over the well-formed entries, each at its own position: a malformed one is reported at its own field.
    check: (env, wellFormed) => alertIssues(env.name, env.alerts.subscriptions, (index) => wellFormed(['alerts', 'subscriptions', index])),
  },
  {
    reads: [
      'healthCheck.intervalSeconds',
      'healthCheck.failureThreshold',
      'compute.targetHealth.intervalSeconds',
      'compute.targetHealth.healthyThreshold',
      'capacity.active.desired',
      'capacity.standby.desired',
      'objectives.rtoSeconds',
    ],
    check: (env) => {
      const budget = rtoBudget(env);
      return budget.marginSeconds < 0
        ? [
            {
              path: ['objectives', 'rtoSeconds'],
              message: `the worst-case RTO budget is ${budget.totalSeconds} s (${describeRtoBudget(budget)}), over the ${budget.objectiveSeconds} s objective`,
            },
          ]
        : [];
    },
  },
];

function isPrefix(prefix: FieldPath, path: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((key, i) => key === path[i]);
}

/**
 * The issues of every rule whose fields are well-formed: those with no schema issue at, above or
 * below them (`malformed` lists where the schema issues are). The value may be malformed
 * elsewhere: a rule touches only what it reads.
 */
export function crossFieldIssues(env: ParsedEnvironment, malformed: readonly FieldPath[], rules: readonly CrossFieldRule[] = CROSS_FIELD_RULES): RuleIssue[] {
  const wellFormed = (path: FieldPath) => !malformed.some((bad) => isPrefix(bad, path) || isPrefix(path, bad));
  const readable = (field: string) => {
    if (!field.endsWith('[]')) return wellFormed(field.split('.'));
    const list = field.slice(0, -'[]'.length).split('.');
    return !malformed.some((bad) => isPrefix(bad, list));
  };
  return rules.filter((rule) => rule.reads.every(readable)).flatMap((rule) => rule.check(env, wellFormed));
}
