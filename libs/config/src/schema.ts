import { z } from 'zod';
import { alertSubscriptionSchema } from './alerts';
import { backupSchema } from './backup';
import { ACM_CERTIFICATE_ARN_PATTERN } from './certificates';
import { parseCidr } from './cidr';
import type { FieldPath } from './field-issues';
import { crossFieldIssues } from './rules';

/** The two regional roles of the warm-standby pair. */
export const DR_ROLES = ['primary', 'secondary'] as const;
export type DrRole = (typeof DR_ROLES)[number];

/** Default Aurora MySQL engine: 3.10 is the long-term-support line (standard support to 2028-04-30). */
export const DEFAULT_ENGINE_VERSION = '8.0.mysql_aurora.3.10.4';

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const SUFFIX_PATTERN = /^[a-z](?:[a-z0-9-]{0,10}[a-z0-9])?$/;
/** An AWS region code (us-east-1, us-gov-west-1, us-isob-east-1): the one pattern every project checks regions with. */
export const AWS_REGION_PATTERN = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/;
/** Family (t3, m6i, c7gn, u-6tb1) then size (micro, 2xlarge, metal, metal-24xl). */
const INSTANCE_TYPE_PATTERN = /^[a-z][a-z0-9-]*\d[a-z0-9-]*\.(?:nano|micro|small|medium|large|xlarge|\d+xlarge|metal(?:-\d+xl)?)$/;
const DB_INSTANCE_CLASS_PATTERN = /^db\.(?:serverless|[a-z][a-z0-9-]*\d[a-z0-9-]*\.(?:micro|small|medium|large|xlarge|\d+xlarge))$/;
const ENGINE_VERSION_PATTERN = /^8\.0\.mysql_aurora\.3\.\d{2}\.\d+$/;
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DNS_NAME_PATTERN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const LABEL_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** The id alone, as Route 53 prints it in the console and `aws route53 list-hosted-zones` gives it after `/hostedzone/`. */
const HOSTED_ZONE_ID_PATTERN = /^[A-Z0-9]{1,32}$/;

const awsRegion = z.string().regex(AWS_REGION_PATTERN, 'must be an AWS region code such as us-east-1');
const cidrBlock = z
  .string()
  .refine((value) => parseCidr(value) !== undefined, 'must be an IPv4 CIDR block such as 10.0.0.0/16, with no host bits set')
  .refine((value) => {
    const prefix = parseCidr(value)?.prefix ?? 0;
    return prefix >= 16 && prefix <= 23;
  }, 'must have a prefix between /16 and /23 (the VPC is split into 32 subnets, the smallest a /28)');
const count = (min: number, max: number) => z.int().min(min).max(max);

const capacitySchema = z.strictObject({
  /** ASG minimum size. */
  min: count(0, 100),
  /** ASG desired capacity; min <= desired <= max. */
  desired: count(0, 100),
  /** ASG maximum size. */
  max: count(1, 100),
});

const regionSchema = z.strictObject({
  /** AWS region code. */
  region: awsRegion,
  /**
   * VPC CIDR; must not overlap the other region's: the two VPCs are peered, and a peering
   * connection between overlapping blocks fails at once.
   * https://docs.aws.amazon.com/vpc/latest/peering/create-vpc-peering-connection.html
   */
  vpcCidr: cidrBlock,
  /** Availability zones to spread subnets across. @default 2 */
  availabilityZones: count(2, 6).default(2),
  /** NAT gateways; 0 means private subnets reach AWS APIs through VPC endpoints only. @default 0 */
  natGateways: count(0, 6).default(0),
  /** Aurora instances in this region's cluster (the first is the writer in the primary). */
  databaseInstances: count(1, 16),
});

/**
 * Everything that describes one environment. Input fields are optional where a default exists;
 * the parsed type has every default filled.
 */
export const environmentSchema = z
  .strictObject({
    /** Environment suffix (ENVIRONMENT_SUFFIX): part of every name and of the state key. */
    name: z.string().regex(SUFFIX_PATTERN, 'must be 1-12 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen'),
    /**
     * The AWS account this environment lives in (12 digits). Every AWS provider of every stack
     * refuses any other (`allowed_account_ids`), and the stack runner compares it with the
     * caller's account (STS GetCallerIdentity) before a diff or deploy. Required for the
     * environments the pipelines deploy (DEPLOYED_ENVIRONMENTS); optional elsewhere, where the
     * providers then accept whatever account the credentials belong to.
     */
    accountId: z.string().regex(ACCOUNT_ID_PATTERN, 'must be a 12-digit AWS account id such as 123456789012, digits only').optional(),
    /** Short project prefix of every resource name. @default 'txdr' */
    project: z.string().regex(/^[a-z][a-z0-9]{1,7}$/, 'must be 2-8 lowercase letters or digits, starting with a letter').default('txdr'),
    /** Extra tags on every resource, on top of the default tags. @default {} */
    tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),
    /** The region that takes traffic and writes. Changes only after a failover or switchover. @default regions.primary.region */
    activeRegion: awsRegion.optional(),
    /** Both regions; their defaults come from the reference environment (defaults.ts). */
    regions: z.strictObject({ primary: regionSchema, secondary: regionSchema }),
    /**
     * Auto Scaling Group sizes of the service by what a region is doing, not by which region it
     * is: the region named by activeRegion runs `active`, the other `standby`. After a failover
     * only activeRegion changes and the sizes follow.
     */
    capacity: z.strictObject({
      /** @default min 2, desired 2, max 4 (defaults.ts) */
      active: capacitySchema,
      /** @default min 1, desired 1, max 4 (defaults.ts) */
      standby: capacitySchema,
    }),
    compute: z
      .strictObject({
        /** EC2 instance type of the service. @default 't3.micro' */
        instanceType: z.string().regex(INSTANCE_TYPE_PATTERN, 'must be an EC2 instance type such as t3.micro or m6i.2xlarge').default('t3.micro'),
        /** Port the service listens on behind the ALB. @default 8080 */
        appPort: z.int().min(1024).max(65535).default(8080),
        /** Target group health check. */
        targetHealth: z
          .strictObject({
            intervalSeconds: count(5, 300).default(15),
            timeoutSeconds: count(2, 120).default(5),
            healthyThreshold: count(2, 10).default(2),
            unhealthyThreshold: count(2, 10).default(2),
          })
          .prefault({}),
        /** Target-tracking scaling on average CPU. @default 60 */
        targetCpuPercent: count(10, 90).default(60),
        /** Node.js major version installed on the instances. @default 22 */
        nodeMajorVersion: z.union([z.literal(22), z.literal(24)]).default(22),
      })
      .prefault({}),
    loadBalancer: z
      .strictObject({
        /**
         * Serve the service over HTTPS: a listener on 443 with each region's certificate, port 80
         * only redirecting to it, and Route 53 checking each region over HTTPS. Staging and
         * production refuse false; dev may turn it off for a deploy without a delegated zone.
         * @default true
         */
        https: z.boolean().default(true),
        /**
         * Certificates you bring, per role, each an ACM certificate in that role's region (a load
         * balancer can use only a certificate of its own region). A region named here gets no ACM
         * resources; the others request their own, validated by DNS in the hosted zone. A
         * certificate should name the service (`<recordName>.<zoneName>`) and the region's own
         * name (`<role>.<recordName>.<zoneName>`, which its Route 53 health check asks).
         * @default {} (each region requests its certificate from ACM)
         */
        certificates: z
          .strictObject({
            primary: z.string().regex(ACM_CERTIFICATE_ARN_PATTERN, 'must be an ACM certificate ARN').optional(),
            secondary: z.string().regex(ACM_CERTIFICATE_ARN_PATTERN, 'must be an ACM certificate ARN').optional(),
          })
          .prefault({}),
        /** @default true */
        deletionProtection: z.boolean().default(true),
      })
      .prefault({}),
    database: z
      .strictObject({
        /** Same version in both regions: managed switchover and failover require it. */
        engineVersion: z.string().regex(ENGINE_VERSION_PATTERN, 'must be an Aurora MySQL 3 version such as 8.0.mysql_aurora.3.10.4').default(DEFAULT_ENGINE_VERSION),
        /** @default 'db.r6g.large' (global databases need r-class or larger instances) */
        instanceClass: z.string().regex(DB_INSTANCE_CLASS_PATTERN, 'must be an RDS instance class such as db.r6g.large').default('db.r6g.large'),
        databaseName: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a MySQL identifier of lowercase letters, digits and underscores').default('transactions'),
        masterUsername: z.string().regex(/^[a-z][a-z0-9_]{0,15}$/, 'must be 1-16 lowercase letters, digits or underscores').default('dradmin'),
        /** @default 7 */
        backupRetentionDays: count(1, 35).default(7),
        /** Turn off only for throwaway environments. @default true */
        deletionProtection: z.boolean().default(true),
        /** Bump to rotate the master password (write-only arguments rotate on a version change). @default 1 */
        passwordVersion: count(1, 1_000_000).default(1),
      })
      .prefault({}),
    dns: z
      .strictObject({
        /**
         * The public hosted zone's domain: one the user owns (or a subdomain of one), delegated to
         * the zone's name servers after the first deploy of the global stack.
         * @default `dr-<name>.example.com`, a placeholder (example.com is reserved, see domains.ts)
         * that synth accepts and a deploy refuses; staging and production must set their own.
         */
        zoneName: z.string().regex(DNS_NAME_PATTERN, 'must be a lowercase DNS name such as dr.payments.acme.com').optional(),
        /**
         * An existing public hosted zone for zoneName (its id, such as Z0123456789ABCDEFGHIJ), to
         * use instead of creating one: the global stack then reads it and publishes its id and name
         * servers as it would its own, and never creates or deletes a zone.
         * @default undefined (the global stack creates the zone)
         */
        existingZoneId: z.string().regex(HOSTED_ZONE_ID_PATTERN, 'must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (without /hostedzone/)').optional(),
        /** Label of the service record inside the zone. @default 'app' */
        recordName: z.string().regex(LABEL_PATTERN, 'must be a single lowercase DNS label').default('app'),
      })
      .prefault({}),
    /** Each region's Route 53 health check (of the service's writable endpoint): it alone moves traffic between regions. */
    healthCheck: z
      .strictObject({
        /**
         * Route 53 request interval: only 10 or 30 s exist, and it is fixed when the check is
         * created (a change replaces the check). 10 s, the "fast interval", detects in a third
         * of the time and is billed as an optional feature on top of the basic check ($1.00 per
         * feature per health check per month for AWS endpoints, as of 2026-09).
         * https://aws.amazon.com/route53/pricing/
         * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
         * https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/route53/aws.sdk.kotlin.services.route53.model/-health-check-config/request-interval.html
         * @default 10
         */
        intervalSeconds: z.union([z.literal(10), z.literal(30)], { error: 'must be 10 or 30 (the only Route 53 request intervals)' }).default(10),
        /**
         * Consecutive checks an endpoint must fail, or pass, before Route 53 changes its status,
         * in both directions.
         * https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/servicediscovery/aws.sdk.kotlin.services.servicediscovery.model/-health-check-config/failure-threshold.html
         * @default 3
         */
        failureThreshold: count(1, 10).default(3),
      })
      .prefault({}),
    alerts: z
      .strictObject({
        /**
         * Endpoints subscribed to every alert topic (each region's and the writable-region alarms'
         * in us-east-1), each confirmed by its owner before SNS delivers to it. At least one in the
         * environments the pipelines deploy, and no placeholder outside dev (alerts.ts). @default []
         */
        subscriptions: z.array(alertSubscriptionSchema).default([]),
      })
      .prefault({}),
    objectives: z
      .strictObject({
        /** Recovery time objective. @default 300 */
        rtoSeconds: count(60, 3600).default(300),
        /** Recovery point objective; also the replication-lag alarm threshold. @default 60 */
        rpoSeconds: count(1, 3600).default(60),
      })
      .prefault({}),
    logs: z
      .strictObject({
        /** CloudWatch Logs retention of every log group. @default 30 */
        retentionDays: z
          .int()
          .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), `must be one of the CloudWatch Logs periods: ${LOG_RETENTION_DAYS.join(', ')}`)
          .default(30),
      })
      .prefault({}),
    /** AWS Backup in each region, each copying to the other's vault (libs/infra/backup). */
    backup: backupSchema.prefault({}),
    state: z
      .strictObject({
        /** S3 bucket of the Terraform state (TERRAFORM_STATE_BUCKET); local state when absent. */
        bucket: z.string().regex(BUCKET_PATTERN, 'must be an S3 bucket name').optional(),
        /** Region of the state bucket (TERRAFORM_STATE_BUCKET_REGION). @default 'us-east-1' */
        region: awsRegion.default('us-east-1'),
      })
      .prefault({}),
  })
  // Zod skips a refinement once parsing found an aborting issue (a wrong type, a missing field):
  // `when` runs the rules anyway, over whatever did parse, so that one run reports every problem.
  // Each rule reads only fields that parsed (rules.ts). https://zod.dev/api#when
  .superRefine(
    (env, ctx) => {
      for (const issue of crossFieldIssues(env, malformedFields(ctx.issues))) ctx.addIssue({ code: 'custom', ...issue });
    },
    { when: () => true },
  );

/** Where the schema found a problem: an unknown key at its own path, every other issue at its field. */
function malformedFields(issues: readonly z.core.$ZodRawIssue[]): FieldPath[] {
  return issues.flatMap((issue): FieldPath[] => {
    const path = (issue.path ?? []).map((key) => (typeof key === 'number' ? key : String(key)));
    return issue.code === 'unrecognized_keys' ? (issue.keys as string[]).map((key) => [...path, key]) : [path];
  });
}

/** What an environment file or a test may give: every defaulted field optional. */
export type EnvironmentInput = z.input<typeof environmentSchema>;
/** What the schema gives, before the derived values (activeRegion, the placeholder zone) are filled. */
export type ParsedEnvironment = z.output<typeof environmentSchema>;
type Parsed = ParsedEnvironment;
export type RegionConfig = Parsed['regions'][DrRole];

/** A validated environment with every default and derived value filled in. */
export interface Environment extends Omit<Parsed, 'activeRegion' | 'dns'> {
  readonly activeRegion: string;
  readonly dns: {
    readonly zoneName: string;
    readonly recordName: string;
    readonly existingZoneId?: string;
    /** Whether zoneName is the example.com placeholder because config named no zone: fine for synth, refused by a deploy. */
    readonly placeholder: boolean;
  };
}
