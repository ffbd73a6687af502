import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DR_ROLES, type DrRole, type Environment, capacityFor } from '@txn-dr/config';
import { Names, SERVICE_DB_USER, SERVICE_ENV, SERVICE_ENV_PARAMETERS, parameterName, renderServiceEnv, serviceEnvValues } from '@txn-dr/contracts';
import { ServiceRole, awsContext } from '@txn-dr/infra-core';
import type { ITerraformDependable } from 'cdktf';
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
  readonly env: Environment;
  readonly role: DrRole;
  readonly provider: AwsProvider;
  /** Private subnets, one per AZ. */
  readonly subnetIds: string[];
  readonly securityGroupId: string;
  readonly targetGroupArn: string;
  /** This region's key: the service log group. */
  readonly kmsKeyArn: string;
  readonly artifact: ServiceArtifact;
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
 * Both regions: reads and writes go through the global writer endpoint, which leads to whichever
 * region's cluster is the writer, and the region in the ARN is the cluster's. The cluster resource
 * id is `*`: RDS generates it (`cluster-...`) when it creates the cluster, and the other region's
 * cluster is made by a stack deployed after this one, so no stack can name both; the user name and
 * the account still bind it, and only clusters with IAM authentication enabled and that user
 * accept the token.
 */
export function databaseUserArns(env: Environment, partition: string, accountId: string, user: string = SERVICE_DB_USER): string[] {
  return DR_ROLES.map((role) => `arn:${partition}:rds-db:${env.regions[role].region}:${accountId}:dbuser:*/${user}`);
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
    const { env, role, provider, artifact } = props;
    const names = new Names(env);
    const context = awsContext(this, provider);
    const { accountId, partition, region } = context;
    const envValues = serviceEnvValues({ envName: env.name, role, region: env.regions[role].region, appPort: env.compute.appPort });
    const envFile = renderServiceEnv(artifact.envTemplate, envValues);
    // The role grants what this env file makes the service do, and the service logs in as its own
    // user with IAM tokens: an env file that says otherwise would leave it unable to connect.
    const auth = environmentValue(envFile, SERVICE_ENV.dbAuth);
    if (auth !== 'iam') {
      throw new Error(`the service's env template must set ${SERVICE_ENV.dbAuth}=iam (it sets ${auth ?? 'nothing'}): the instance role may connect to the database as ${SERVICE_DB_USER} with IAM tokens, and reads no database secret`);
    }
    const user = environmentValue(envFile, SERVICE_ENV.dbUser) ?? SERVICE_DB_USER;
    const artifactBucketParameter = parameterName(env.name, role, 'artifactBucket');
    // Exactly what the instances read: the parameters the env file names (data through the global
    // writer endpoint, probes on the region's cluster, port, name; with IAM authentication, not the
    // secret's ARN), and the artifact bucket the user data reads. Not the rest of the prefix (the
    // health Lambda's state, the reader endpoint, the master secret).
    const readableParameters = [...SERVICE_ENV_PARAMETERS.filter((name) => environmentValue(envFile, name) === envValues[name]).map((name) => envValues[name]), artifactBucketParameter];

    // Literal, not the resource's attribute: it goes into the agent config, which must stay free of references.
    const logGroupName = `/${env.project}/${env.name}/${role}/transaction-api`;
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      provider,
      name: logGroupName,
      retentionInDays: env.logs.retentionDays,
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
        { sid: 'ConnectAsServiceUser', actions: ['rds-db:connect'], resources: databaseUserArns(env, partition, accountId, user) },
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

    const image = new DataAwsSsmParameter(this, 'image', { provider, name: amazonLinuxParameter(env.compute.instanceType) });

    this.userData = renderUserData({
      REGION: env.regions[role].region,
      DR_ROLE: role,
      ARTIFACT_BUCKET_PARAMETER: artifactBucketParameter,
      ARTIFACT_KEY: artifact.key,
      ARTIFACT_SHA256: artifact.sha256,
      NODE_MAJOR: String(env.compute.nodeMajorVersion),
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
      instanceType: env.compute.instanceType,
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

    const capacity = capacityFor(env, role);
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
        targetValue: env.compute.targetCpuPercent,
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
