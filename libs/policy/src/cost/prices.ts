/** A page a price was read on. */
export interface PriceSource {
  readonly label: string;
  readonly url: string;
}

/** One list price, US East (N. Virginia) unless it says otherwise, on-demand, before tax. */
export interface Price {
  /** What is priced, as the estimate names it. */
  readonly name: string;
  readonly usd: number;
  /** What one `usd` buys: `instance-hour`, `GB-month`. */
  readonly per: string;
  /** Where the figure was read; AWS's own page first where its stored copy showed it. */
  readonly sources: readonly PriceSource[];
  /** What the figure assumes, or why a weaker source had to do. */
  readonly note?: string;
}

/** When every price below was read. */
export const PRICES_READ_ON = '2026-11-30';

const AWS_TOOLKIT_AURORA: PriceSource = {
  label: 'AWS agent toolkit, Aurora pricing tables',
  url: 'https://github.com/aws/agent-toolkit-for-aws/blob/main/skills/specialized-skills/database-skills/amazon-aurora-mysql/references/serverless-advisory-formulas-and-examples.md',
};
const AWS_TOOLKIT_COSTS: PriceSource = {
  label: 'AWS agent toolkit, service optimization',
  url: 'https://github.com/aws/agent-toolkit-for-aws/blob/main/skills/core-skills/aws-billing-and-cost-management/references/service-optimization.md',
};
const ELB_PAGE: PriceSource = {
  label: 'ELB pricing page, as transcribed 2026-09-20',
  url: 'https://github.com/api-evangelist/amazon-elastic-load-balancing/blob/main/plans/amazon-elastic-load-balancing-plans-pricing.yml',
};
const CLOUDWATCH_PAGE: PriceSource = { label: 'CloudWatch pricing', url: 'https://aws.amazon.com/cloudwatch/pricing/' };
const ROUTE53_PAGE: PriceSource = { label: 'Route 53 pricing', url: 'https://aws.amazon.com/route53/pricing/' };
const SAME_IN_OHIO = 'us-east-2 assumed at the us-east-1 rate: no us-east-2 figure was found';

/** A price that depends on a class or type: one figure per class, the rest as for `Price`. */
export interface PriceByClass extends Omit<Price, 'usd'> {
  readonly byClass: Readonly<Record<string, number>>;
}

/**
 * Aurora instance-hours by class, Aurora Standard (not I/O-Optimized), MySQL and PostgreSQL alike.
 * AWS's pricing page renders its rate table in the browser, so its stored copy has none; these are
 * the us-east-1 fallback figures AWS publishes in its agent toolkit.
 */
export const AURORA_INSTANCE: PriceByClass = {
  name: 'Aurora instances',
  byClass: {
    'db.r6g.large': 0.26,
    'db.r6g.xlarge': 0.519,
    'db.r6g.2xlarge': 1.038,
    'db.r6g.4xlarge': 2.076,
    'db.r7g.large': 0.276,
    'db.r7g.xlarge': 0.553,
    'db.r8g.large': 0.276,
    'db.r8g.xlarge': 0.552,
    'db.t4g.medium': 0.073,
    'db.t4g.large': 0.146,
    'db.r5.large': 0.29,
  },
  per: 'instance-hour',
  sources: [AWS_TOOLKIT_AURORA, { label: 'Aurora pricing', url: 'https://aws.amazon.com/rds/aurora/pricing/' }],
  note: SAME_IN_OHIO,
};

/** EC2 Linux on-demand instance-hours by type (a third party: AWS's table is not in its page's stored copy). */
export const EC2_INSTANCE: PriceByClass = {
  name: 'EC2 instances',
  byClass: { 't3.micro': 0.0104, 't3.small': 0.0208 },
  per: 'instance-hour',
  sources: [{ label: 'CloudBench, t3.micro vs t3.small (third party)', url: 'https://cloud-bench.com/blog/aws-t3-micro-vs-t3-small' }],
  note: SAME_IN_OHIO,
};

/** Metrics an instance with detailed monitoring publishes every minute, each billed as a custom metric. */
export const DETAILED_MONITORING_METRICS = 7;

export const PRICES = {
  interfaceEndpointAz: {
    name: 'Interface VPC endpoints',
    usd: 0.01,
    per: 'endpoint per AZ per hour',
    sources: [{ label: 'PrivateLink pricing', url: 'https://aws.amazon.com/privatelink/pricing/' }, AWS_TOOLKIT_COSTS],
    note: 'billed for every hour an endpoint exists in each AZ, whatever it carries',
  },
  loadBalancer: { name: 'Application Load Balancers', usd: 0.0225, per: 'ALB-hour', sources: [ELB_PAGE] },
  publicIpv4: {
    name: 'Public IPv4 addresses',
    usd: 0.005,
    per: 'public IPv4 address-hour',
    sources: [{ label: 'AWS agent toolkit, cost audit', url: 'https://github.com/aws/agent-toolkit-for-aws/blob/main/skills/core-skills/aws-billing-and-cost-management/references/cost-audit.md' }],
    note: 'each internet-facing ALB is counted at one address per zone it spans, an assumption: how many addresses an ALB holds was not found',
  },
  gp3: { name: 'EBS gp3 volumes', usd: 0.08, per: 'GB-month of gp3', sources: [{ label: 'CloudBench, EC2 free tier (third party)', url: 'https://cloud-bench.com/blog/aws-free-tier-ec2' }] },
  customMetric: {
    name: 'Custom metrics',
    usd: 0.3,
    per: 'metric-month (first 10,000)',
    sources: [CLOUDWATCH_PAGE, AWS_TOOLKIT_COSTS],
    note: 'the first 10 custom or detailed-monitoring metrics of an account are free',
  },
  detailedMonitoring: {
    name: 'EC2 detailed monitoring',
    usd: 2.1,
    per: `instance-month (${DETAILED_MONITORING_METRICS} metrics at $0.30)`,
    sources: [{ label: 'ryuzoji.com, EC2 detailed monitoring (third party)', url: 'https://ryuzoji.com/archives/969' }, CLOUDWATCH_PAGE],
  },
  natGateway: { name: 'NAT gateways', usd: 0.045, per: 'NAT gateway-hour', sources: [{ label: 'VPC pricing', url: 'https://aws.amazon.com/vpc/pricing/' }, AWS_TOOLKIT_COSTS] },
  kmsKey: {
    name: 'KMS keys',
    usd: 1,
    per: 'key-month',
    sources: [
      { label: 'KMS key pricing example (third party)', url: 'https://gist.github.com/dasgoll/b88d5be05dcc0deb052ad40446c2fb40' },
      { label: 'ReplicateKey: pricing applies to each replica', url: 'https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html' },
    ],
    note: 'the first 20,000 requests a month are free, then $0.03 per 10,000',
  },
  hostedZone: {
    name: 'Route 53 hosted zones',
    usd: 0.5,
    per: 'hosted zone-month (first 25)',
    sources: [ROUTE53_PAGE, { label: 'eatsip365, Route 53 costs (third party)', url: 'https://eatsip365.com/common-hidden-costs-of-aws-route-53' }],
  },
  healthCheck: {
    name: 'Route 53 health checks',
    usd: 0.5,
    per: 'health check-month on an AWS endpoint',
    sources: [ROUTE53_PAGE, { label: 'wewantcode, Route 53 health checks (third party)', url: 'https://wewantcode.com/en/course/aws/lesson/7-84-health-checks-status-check.html' }],
  },
  healthCheckFeature: {
    name: 'Route 53 health check options',
    usd: 1,
    per: 'optional feature per health check-month (fast interval, HTTPS, string matching, latency measurement)',
    sources: [ROUTE53_PAGE],
    note: 'recorded from this page in 2026-09 (healthCheck.intervalSeconds in libs/config); its stored copy renders no table, so not re-read today',
  },
  alarmMetric: {
    name: 'CloudWatch alarms',
    usd: 0.1,
    per: 'standard-resolution alarm metric-month',
    sources: [CLOUDWATCH_PAGE, { label: 'c3x, aws_cloudwatch_metric_alarm (third party)', url: 'https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm' }],
    note: 'the unit is the alarm metric (the free tier is "10 alarm metrics"), so a metric-math alarm is counted at one per metric it fetches, which the page does not spell out; the price of a Metrics Insights query alarm was not found',
  },
  dashboard: {
    name: 'CloudWatch dashboards',
    usd: 3,
    per: 'dashboard-month',
    sources: [{ label: 'FactualMinds, CloudWatch pricing 2026-06 (third party)', url: 'https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/' }, CLOUDWATCH_PAGE],
    note: 'the first 3 dashboards of an account are free',
  },
  secret: {
    name: 'Secrets Manager secrets',
    usd: 0.4,
    per: 'secret-month, each replica a secret',
    sources: [{ label: 'Secrets Manager pricing, as transcribed 2026-09-20', url: 'https://github.com/api-evangelist/amazon-secrets-manager/blob/main/plans/amazon-secrets-manager-plans-pricing.yml' }],
  },
  lambdaRequests: {
    name: 'Lambda requests',
    usd: 0.2,
    per: 'million requests',
    sources: [{ label: 'Lambda cost notes (third party)', url: 'https://git.mcrn.ar/mariano/lambda_local_runner/src/commit/957e45b8adae23ce50b966346229585b5df18b4d/docs/lambdas-md/lambda-13-cost.md' }],
    note: 'the first million requests a month are free',
  },
} as const satisfies Record<string, Price>;

/** A price paid by use; `usd` is absent where no figure was found. */
export interface UsagePrice extends Omit<Price, 'usd'> {
  /** Key of what the estimate counts for it. */
  readonly id: UsageId;
  readonly usd?: number;
}

export type UsageId =
  | 'auroraStorage'
  | 'auroraIo'
  | 'auroraBackup'
  | 'globalWrites'
  | 'interRegion'
  | 'endpointData'
  | 'lcu'
  | 'natData'
  | 'logIngestion'
  | 'logStorage'
  | 'lambdaDuration'
  | 's3Rtc';

/** Prices paid by use: the traffic and the data decide them, so no monthly figure is given. */
export const USAGE_PRICES: readonly UsagePrice[] = [
  { id: 'auroraStorage', name: 'Aurora storage (Standard)', usd: 0.1, per: 'GB-month, in each region', sources: [AWS_TOOLKIT_AURORA] },
  { id: 'auroraIo', name: 'Aurora I/O (Standard)', usd: 0.2, per: 'million requests', sources: [AWS_TOOLKIT_AURORA] },
  { id: 'auroraBackup', name: 'Aurora backup storage beyond the cluster size', usd: 0.021, per: 'GB-month', sources: [AWS_TOOLKIT_AURORA] },
  {
    id: 'globalWrites', name: 'Aurora global database replicated writes',
    usd: 0.2,
    per: 'million replicated write I/Os',
    sources: [{ label: 'Bytebase, Aurora pricing 2026 (third party, "~")', url: 'https://github.com/bytebase/bytebase.com/blob/main/content/blog/understanding-aws-aurora-pricing.md' }],
  },
  {
    id: 'interRegion', name: 'Data transfer between us-east-1 and us-east-2',
    usd: 0.01,
    per: 'GB, charged to the sending region',
    sources: [{ label: 'Redress Compliance, inter-region transfer (third party)', url: 'https://www.redresscompliance.com/aws-inter-region-transfer-costs-multiregion.html' }],
  },
  { id: 'endpointData', name: 'Interface endpoint data processed', usd: 0.01, per: 'GB', sources: [AWS_TOOLKIT_COSTS] },
  { id: 'lcu', name: 'ALB capacity units', usd: 0.008, per: 'LCU-hour', sources: [ELB_PAGE] },
  { id: 'natData', name: 'NAT gateway data processed', usd: 0.045, per: 'GB', sources: [AWS_TOOLKIT_COSTS] },
  {
    id: 'logIngestion', name: 'CloudWatch Logs ingestion',
    usd: 0.5,
    per: 'GB',
    sources: [{ label: 'FactualMinds, CloudWatch pricing 2026-06 (third party)', url: 'https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/' }],
  },
  { id: 'logStorage', name: 'CloudWatch Logs storage', usd: 0.03, per: 'GB-month', sources: [AWS_TOOLKIT_COSTS] },
  {
    id: 'lambdaDuration', name: 'Lambda duration (arm64)',
    usd: 0.0000133334,
    per: 'GB-second',
    sources: [{ label: 'Lambda cost notes (third party)', url: 'https://git.mcrn.ar/mariano/lambda_local_runner/src/commit/957e45b8adae23ce50b966346229585b5df18b4d/docs/lambdas-md/lambda-13-cost.md' }],
  },
  {
    id: 's3Rtc', name: 'S3 Replication Time Control',
    per: 'GB replicated',
    sources: [{ label: 'S3 pricing', url: 'https://aws.amazon.com/s3/pricing/' }],
    note: 'the stored copy of the page shows no RTC figure',
  },
];
