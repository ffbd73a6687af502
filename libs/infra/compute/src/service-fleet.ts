import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { Capacity, DrRole } from '@txn-dr/config';
import { type Names, SERVICE_DB_USER, SERVICE_ENV, SERVICE_ENV_PARAMETERS, parameterName, renderServiceEnv, serviceEnvValues } from '@txn-dr/contracts';
import { ServiceRole, awsContext } from '@txn-dr/infra-core';
import { type ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import type { ServiceArtifact } from './artifact';
import { environmentFileOf, environmentValue, renderUserData } from './user-data';

/** CloudWatch agent metrics namespace; the instance role may publish to it and nothing else. */
export const AGENT_NAMESPACE = 'CWAgent';

/** Graviton families (t4g, m7g, c7gn, ...) need the arm64 image. */
export function architectureOf(instanceType: string): 'arm64' | 'x86_64' {
  return /^[a-z]+\d+[a-z]*g[a-z]*\./.test(instanceType) ? 'arm64' : 'x86_64';
}

/** The public parameter AWS keeps pointed at the latest Amazon Linux 2023 image. */
export function amazonLinuxParameter(instanceType: string): string {
  return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architectureOf(instanceType)}`;
}

export interface ServiceFleetProps {
  /** The environment's deterministic names: the instance role and profile, launch template, group and scaling policy. */
  readonly names: Names;
  /** Short project prefix (config `project`): the first segment of the service's log group. */
  readonly project: string;
  /** Environment name (ENVIRONMENT_SUFFIX): the `<env>` of the parameters the instances read, and of the log group. */
  readonly environmentName: string;
  /** The region this fleet serves. */
  readonly role: DrRole;
  /** Provider of the role's region. */
  readonly provider: AwsProvider;
  /** AWS region code of the role's region: the service's and the user data's, literal at synth; the provider must be for it. */
  readonly region: string;
  /**
   * Regions of the global database's clusters, both roles': the service logs in through the global
   * writer endpoint, which leads to whichever is the writer, so the instance role may connect in
   * each. Includes `region`.
   */
  readonly databaseRegions: readonly string[];
  /** Private subnets, one per AZ. */
  readonly subnetIds: string[];
  /** The service's security group. */
  readonly securityGroupId: string;
  /** The load balancer's target group the instances register with. */
  readonly targetGroupArn: string;
  /** This region's key: the service log group. */
  readonly kmsKeyArn: string;
  /** The bundle the instances download and run, with the unit and env template it ships. */
  readonly artifact: ServiceArtifact;
  /** Port the service listens on behind the load balancer (config `compute.appPort`). */
  readonly appPort: number;
  /** EC2 instance type (config `compute.instanceType`): its architecture picks the image. */
  readonly instanceType: string;
  /** Node.js major version installed on the instances (config `compute.nodeMajorVersion`). @default 22 */
  readonly nodeMajorVersion?: number;
  /**
   * Sizes of the group: the active capacity where `activeRegion` is, the standby capacity elsewhere
   * (`capacityFor(env, role)` of config).
   */
  readonly capacity: Capacity;
  /** Average CPU the scaling policy holds the group at, in percent (config `compute.targetCpuPercent`). @default 60 */
  readonly targetCpuPercent?: number;
  /** Days the service's log group keeps its events: one of CloudWatch Logs' retention periods (config `logs.retentionDays`). */
  readonly logRetentionDays: number;
  /**
   * What must be done before instances start, beyond the artifact: in the primary, the schema
   * migration's invocation, so that the first instances find their schema and database user, and
   * an instance refresh for a new bundle waits for that bundle's migration. @default []
   */
  readonly bootAfter?: ITerraformDependable[];
}

/**
 * The ARNs `rds-db:connect` needs to log in as `user` with IAM database authentication, in the
 * format `arn:aws:rds-db:region:account-id:dbuser:DbClusterResourceId/db-user-name`
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html).
 * One per region of `regions`, which should be both of the global database's: reads and writes go
 * through the global writer endpoint, which leads to whichever region's cluster is the writer, and
 * the region in the ARN is the cluster's. The cluster resource
 * id is `*`: RDS generates it (`cluster-...`) when it creates the cluster, and the other region's
 * cluster is made by a stack deployed after this one, so no stack can name both; the user name and
 * the account still bind it, and only clusters with IAM authentication enabled and that user
 * accept the token.
 */
export function databaseUserArns(regions: readonly string[], partition: string, accountId: string, user: string = SERVICE_DB_USER): string[] {
  return regions.map((region) => `arn:${partition}:rds-db:${region}:${accountId}:dbuser:*/${user}`);
}

interface Resolved {
  readonly nodeMajorVersion: number;
  readonly targetCpuPercent: number;
}

/** Defaults filled in one place, then every contradiction named; throws at synth. */
function resolveProps(props: ServiceFleetProps): Resolved {
  const { region } = props;
  const { min, desired, max } = props.capacity;
  const resolved: Resolved = { nodeMajorVersion: props.nodeMajorVersion ?? 22, targetCpuPercent: props.targetCpuPercent ?? 60 };
  const providerRegion = props.provider.region !== undefined && !Token.isUnresolved(props.provider.region) ? props.provider.region : undefined;
  const rules: [boolean, string][] = [
    [providerRegion !== undefined && providerRegion !== region, `provider: is for ${providerRegion}, but region is ${region}`],
    [
      !props.databaseRegions.includes(region),
      `databaseRegions: ${props.databaseRegions.join(', ') || 'none'} leave out region ${region}, where the global writer is whenever this region is active`,
    ],
    [
      !([min, desired, max].every(Number.isInteger) && min >= 0 && min <= desired && desired <= max && max >= 1),
      `capacity: min ${min}, desired ${desired}, max ${max} are not whole numbers with 0 <= min <= desired <= max and max at least 1`,
    ],
    [!(resolved.targetCpuPercent > 0 && resolved.targetCpuPercent < 100), `targetCpuPercent: ${resolved.targetCpuPercent} is not a percentage above 0 and below 100`],
  ];
  const problems = rules.filter(([broken]) => broken).map(([, message]) => message);
  if (problems.length > 0) throw new Error(`ServiceFleet (${props.role}): ${problems.join('; ')}`);
  return resolved;
}

/**
 * The instances of the service: Amazon Linux 2023 with IMDSv2 only, an encrypted gp3 root
 * volume and no public address, an instance role that reads only the SSM parameters its env file
 * names and the artifact, logs in to the database as the service's own user with IAM tokens (no
 * secret), and writes only its logs and agent metrics; an Auto Scaling Group sized by the region's
 * duty (active or standby), health-checked by the ALB, refreshed when the launch template
 * changes, scaled on CPU.
 */
export class ServiceFleet extends Construct {
  readonly launchTemplate: LaunchTemplate;
  readonly group: AutoscalingGroup;
  readonly role: ServiceRole;
  readonly logGroup: CloudwatchLogGroup;
  /** The user data exactly as the instances run it (before base64). */
  readonly userData: string;

  constructor(scope: Construct, id: string, props: ServiceFleetProps) {
    super(scope, id);
    const resolved = resolveProps(props);
    const { names, environmentName, role, provider, artifact } = props;
    const context = awsContext(this, provider);
    const { accountId, partition, region } = context;
    const envValues = serviceEnvValues({ envName: environmentName, role, region: props.region, appPort: props.appPort });
    const envFile = renderServiceEnv(artifact.envTemplate, envValues);
    // The role grants what this env file makes the service do, and the service logs in as its own
    // user with IAM tokens: an env file that says otherwise would leave it unable to connect.
    const auth = environmentValue(envFile, SERVICE_ENV.dbAuth);
    if (auth !== 'iam') {
      throw new Error(`the service's env template must set ${SERVICE_ENV.dbAuth}=iam (it sets ${auth ?? 'nothing'}): the instance role may connect to the database as ${SERVICE_DB_USER} with IAM tokens, and reads no database secret`);
    }
    const user = environmentValue(envFile, SERVICE_ENV.dbUser) ?? SERVICE_DB_USER;
    const artifactBucketParameter = parameterName(environmentName, role, 'artifactBucket');
    // Exactly what the instances read: the parameters the env file names (data through the global
    // writer endpoint, probes on the region's cluster, port, name; with IAM authentication, not the
    // secret's ARN), and the artifact bucket the user data reads. Not the rest of the prefix (the
    // health Lambda's state, the reader endpoint, the master secret).
    const readableParameters = [...SERVICE_ENV_PARAMETERS.filter((name) => environmentValue(envFile, name) === envValues[name]).map((name) => envValues[name]), artifactBucketParameter];

    // Literal, not the resource's attribute: it goes into the agent config, which must stay free of references.
    const logGroupName = `/${props.project}/${environmentName}/${role}/transaction-api`;
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      provider,
      name: logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });

    this.role = new ServiceRole(this, 'instance', {
      provider,
      name: names.regional(role, 'service'),
      description: `Instances of the transaction service in the ${role} region`,
      service: 'ec2.amazonaws.com',
      // EC2 sends no source account or ARN when an instance assumes its role.
      trustConditions: [],
      statements: [
        {
          sid: 'ReadOwnParameters',
          actions: ['ssm:GetParameter', 'ssm:GetParameters'],
          resources: readableParameters.map((name) => `arn:${partition}:ssm:${region}:${accountId}:parameter${name}`),
        },
        { sid: 'ConnectAsServiceUser', actions: ['rds-db:connect'], resources: databaseUserArns(props.databaseRegions, partition, accountId, user) },
        { sid: 'ReadArtifact', actions: ['s3:GetObject'], resources: [`${artifact.bucket.arn}/${artifact.key}`] },
        {
          sid: 'DecryptArtifact',
          actions: ['kms:Decrypt'],
          resources: [props.kmsKeyArn],
          condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${region}.amazonaws.com`] }],
        },
        {
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [`${this.logGroup.arn}:*`],
        },
        {
          sid: 'PutAgentMetrics',
          actions: ['cloudwatch:PutMetricData'],
          // PutMetricData has no resource-level permissions; the namespace condition is the scope.
          resources: ['*'],
          condition: [{ test: 'StringEquals', variable: 'cloudwatch:namespace', values: [AGENT_NAMESPACE] }],
        },
      ],
    });
    const profile = new IamInstanceProfile(this, 'profile', { provider, name: names.regional(role, 'service'), role: this.role.name });

    const image = new DataAwsSsmParameter(this, 'image', { provider, name: amazonLinuxParameter(props.instanceType) });

    this.userData = renderUserData({
      REGION: props.region,
      DR_ROLE: role,
      ARTIFACT_BUCKET_PARAMETER: artifactBucketParameter,
      ARTIFACT_KEY: artifact.key,
      ARTIFACT_SHA256: artifact.sha256,
      NODE_MAJOR: String(resolved.nodeMajorVersion),
      ENV_FILE_PATH: environmentFileOf(artifact.unitFile),
      ENV_FILE: envFile.trimEnd(),
      UNIT_FILE: artifact.unitFile.trimEnd(),
      AGENT_CONFIG: agentConfig(logGroupName),
    });

    this.launchTemplate = new LaunchTemplate(this, 'template', {
      provider,
      name: names.launchTemplate(role),
      description: `Transaction service, ${role} region`,
      imageId: image.value,
      instanceType: props.instanceType,
      iamInstanceProfile: { arn: profile.arn },
      networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: 'false', deleteOnTermination: 'true', securityGroups: [props.securityGroupId] }],
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          // The account's default EBS key: a customer key here would also need a grant for the
          // Auto Scaling service-linked role, or every launch fails.
          ebs: { volumeSize: 16, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
        },
      ],
      monitoring: { enabled: true },
      // Encoded here, not by Terraform: the script stays out of Terraform's string templating.
      userData: Buffer.from(this.userData, 'utf8').toString('base64'),
      updateDefaultVersion: true,
      tagSpecifications: [
        { resourceType: 'instance', tags: { Name: names.regional(role, 'service') } },
        { resourceType: 'volume', tags: { Name: names.regional(role, 'service') } },
      ],
    });

    const { capacity } = props;
    this.group = new AutoscalingGroup(this, 'group', {
      provider,
      name: names.autoScalingGroup(role),
      minSize: capacity.min,
      desiredCapacity: capacity.desired,
      maxSize: capacity.max,
      vpcZoneIdentifier: props.subnetIds,
      targetGroupArns: [props.targetGroupArn],
      // Replace an instance the ALB finds unhealthy, not only one EC2 finds stopped.
      healthCheckType: 'ELB',
      healthCheckGracePeriod: 180,
      defaultInstanceWarmup: 120,
      launchTemplate: { id: this.launchTemplate.id, version: this.launchTemplate.latestVersion.toString() },
      instanceRefresh: {
        strategy: 'Rolling',
        preferences: { minHealthyPercentage: 50, instanceWarmup: '120', skipMatching: true },
      },
      enabledMetrics: ['GroupDesiredCapacity', 'GroupInServiceInstances', 'GroupMinSize', 'GroupMaxSize', 'GroupPendingInstances', 'GroupTotalInstances'],
      tag: [{ key: 'Name', value: names.regional(role, 'service'), propagateAtLaunch: true }],
      // Instances read the artifact's location at boot.
      dependsOn: [artifact.bucketParameter, ...(props.bootAfter ?? [])],
      lifecycle: {
        // After creation the scaling policy and the DR tooling own the desired count; an apply must
        // not undo a scale-out in the middle of an incident. Min and max stay under Terraform.
        ignoreChanges: ['desired_capacity'],
      },
    });

    new AutoscalingPolicy(this, 'cpu-tracking', {
      provider,
      name: names.regional(role, 'cpu-tracking'),
      autoscalingGroupName: this.group.name,
      policyType: 'TargetTrackingScaling',
      targetTrackingConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: 'ASGAverageCPUUtilization' },
        targetValue: resolved.targetCpuPercent,
      },
    });
  }
}

/** CloudWatch agent: the service's log file and the user-data log, plus memory and disk use. */
function agentConfig(logGroupName: string): string {
  const file = (path: string, stream: string) => ({ file_path: path, log_group_name: logGroupName, log_stream_name: `{instance_id}/${stream}` });
  return JSON.stringify(
    {
      agent: { metrics_collection_interval: 60 },
      logs: { logs_collected: { files: { collect_list: [file('/var/log/transaction-api/service.log', 'service'), file('/var/log/user-data.log', 'user-data')] } } },
      metrics: {
        namespace: AGENT_NAMESPACE,
        append_dimensions: { InstanceId: '${aws:InstanceId}' },
        metrics_collected: { mem: { measurement: ['mem_used_percent'] }, disk: { measurement: ['used_percent'], resources: ['/'] } },
      },
    },
    null,
    2,
  );
}
