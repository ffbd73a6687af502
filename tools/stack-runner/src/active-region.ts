import { DescribeGlobalClustersCommand, type RDSClient } from '@aws-sdk/client-rds';
import { accessProblem, describeAwsError } from './aws-errors';
import { PreflightError } from './preflight';

/** The flag that deploys a config whose activeRegion disagrees with the live writer, on purpose. */
export const ALLOW_MISMATCH_FLAG = '--allow-active-region-mismatch';
/** The same, as a variable for pipelines. */
export const ALLOW_MISMATCH_ENV = 'ALLOW_ACTIVE_REGION_MISMATCH';

/** The deploy would contradict the live database: refused before any plan. */
export class ActiveRegionMismatchError extends PreflightError {
  override readonly name = 'ActiveRegionMismatchError';
}

/** Neither region answered: the check could not be made (as opposed to a refusal of our credentials). */
export class GlobalClusterUnreachableError extends PreflightError {
  override readonly name = 'GlobalClusterUnreachableError';
}

/** RDS in one region of the pair. */
export interface RegionalRds {
  readonly region: string;
  readonly rds: RDSClient;
}

/** What the global cluster says about its writer. */
export type GlobalWriter =
  | {
      readonly state: 'writer';
      readonly region: string;
      readonly clusterArn: string;
      readonly askedIn: string;
      /** Regions whose member is not connected (`pending-resync`: an old primary rebuilt after a failover). */
      readonly rebuilding: readonly { readonly region: string; readonly status: string }[];
    }
  /** No global cluster of that name: nothing is deployed yet. */
  | { readonly state: 'absent'; readonly askedIn: string }
  /** The global cluster exists with no writer member yet (created empty; the primary stack adds it). */
  | { readonly state: 'no-writer'; readonly askedIn: string }
  /** A switchover or failover is under way: the writer is moving. */
  | { readonly state: 'moving'; readonly status: string; readonly askedIn: string };

// arn:aws:rds:<region>:<account>:cluster:<identifier>
const regionOfArn = (arn: string): string => arn.split(':')[3] ?? 'an unknown region';

const ACCESS_FIX = {
  credentials: 'Refresh the AWS credentials (for example `aws sso login`, or new keys for the profile in use) and run again.',
  permission: 'The deploying role needs rds:DescribeGlobalClusters in both regions of the pair.',
};

/**
 * Asks RDS which region writes, in each region in turn until one answers: the global cluster is
 * described from any of its regions, so an impaired primary region does not block the answer.
 * A credentials or permission error stops at once: it says nothing about the cluster.
 */
export async function findGlobalWriter(globalCluster: string, regions: readonly RegionalRds[]): Promise<GlobalWriter> {
  const failures: string[] = [];
  for (const { region, rds } of regions) {
    try {
      const result = await rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalCluster }));
      const cluster = result.GlobalClusters?.[0];
      if (!cluster) return { state: 'absent', askedIn: region };
      // FailoverState is set only while a switchover or failover is scheduled or under way:
      // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
      const moving = cluster.FailoverState?.Status;
      if (moving) return { state: 'moving', status: moving, askedIn: region };
      const writer = cluster.GlobalClusterMembers?.find((member) => member.IsWriter)?.DBClusterArn;
      if (!writer) return { state: 'no-writer', askedIn: region };
      // SynchronizationStatus: connected | pending-resync
      // (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html).
      const rebuilding = (cluster.GlobalClusterMembers ?? [])
        .filter((member) => !member.IsWriter && member.DBClusterArn && member.SynchronizationStatus && member.SynchronizationStatus !== 'connected')
        .map((member) => ({ region: regionOfArn(member.DBClusterArn!), status: member.SynchronizationStatus! }));
      return { state: 'writer', region: regionOfArn(writer), clusterArn: writer, askedIn: region, rebuilding };
    } catch (error) {
      // "The GlobalClusterIdentifier doesn't refer to an existing global database cluster":
      // https://docs.aws.amazon.com/botocore/latest/reference/services/rds/client/exceptions/GlobalClusterNotFoundFault.html
      if ((error as Error)?.name === 'GlobalClusterNotFoundFault') return { state: 'absent', askedIn: region };
      const access = accessProblem(error);
      if (access) {
        throw new PreflightError(`Cannot read the global cluster ${globalCluster} in ${region} (${describeAwsError(error)}). ${ACCESS_FIX[access]}`);
      }
      failures.push(`${region}: ${describeAwsError(error)}`);
    }
  }
  throw new GlobalClusterUnreachableError(`No region answered DescribeGlobalClusters for ${globalCluster} (${failures.join('; ')}).`);
}

export interface ActiveRegionInput {
  readonly globalCluster: string;
  /** Config `activeRegion`. */
  readonly activeRegion: string;
  /** The two regions of the pair, primary first: the order they are asked in. */
  readonly regions: readonly RegionalRds[];
  /** The environment file that sets activeRegion, relative to the workspace root. */
  readonly environmentFile: string;
  readonly environmentFileExists: boolean;
  /** Deploy even when config and the live writer disagree. @default false */
  readonly allowMismatch?: boolean;
  /** The region of the stack being deployed. @default not checked against a rebuild */
  readonly deployingRegion?: string;
}

/**
 * Compares config `activeRegion` with the live global writer before a regional stack is planned,
 * since the stack sizes and weights each region from activeRegion: deployed against the live
 * writer it would shrink the region that writes and send traffic to the one that cannot.
 * Returns what to tell the operator when the deploy may go on; throws ActiveRegionMismatchError
 * when it may not.
 */
export async function checkActiveRegion(input: ActiveRegionInput): Promise<string> {
  const override = `To deploy this config as it is on purpose, pass ${ALLOW_MISMATCH_FLAG} (or set ${ALLOW_MISMATCH_ENV}=true).`;
  let writer: GlobalWriter;
  try {
    writer = await findGlobalWriter(input.globalCluster, input.regions);
  } catch (error) {
    // Without an answer the check cannot be made: an explicit override may still go ahead. A refusal
    // of the credentials is passed on as it is: the deploy could not succeed with them either.
    if (!(error instanceof GlobalClusterUnreachableError)) throw error;
    if (input.allowMismatch) {
      return `WARNING: ${error.message} Deploying without comparing activeRegion ${input.activeRegion} with the live writer (${ALLOW_MISMATCH_FLAG}).`;
    }
    throw new GlobalClusterUnreachableError(`${error.message} Cannot tell whether activeRegion ${input.activeRegion} matches the live writer: try again when RDS answers. ${override}`);
  }

  switch (writer.state) {
    case 'absent':
      return `Global cluster ${input.globalCluster} does not exist yet (asked in ${writer.askedIn}): a first deploy, with no live writer to compare activeRegion ${input.activeRegion} with.`;
    case 'no-writer':
      return `Global cluster ${input.globalCluster} has no writer yet (asked in ${writer.askedIn}): nothing to compare activeRegion ${input.activeRegion} with.`;
    case 'moving': {
      const message = `A switchover or failover of ${input.globalCluster} is under way (status ${writer.status}, asked in ${writer.askedIn}): the writer is moving.`;
      if (input.allowMismatch) return `WARNING: ${message} Deploying anyway (${ALLOW_MISMATCH_FLAG}).`;
      throw new ActiveRegionMismatchError(`${message} Wait for it to finish, set activeRegion to the new writer's region, then deploy. ${override}`);
    }
    case 'writer': {
      const where = `${writer.region} (${writer.clusterArn}, asked in ${writer.askedIn})`;
      const rebuilt = writer.rebuilding.find((member) => member.region === input.deployingRegion);
      if (rebuilt && writer.region === input.activeRegion) {
        // `dr failover` fenced this region (capacity zero) so that its old writer acknowledges
        // nothing; this stack would give it the standby's capacity back before Aurora has made its
        // cluster a reader again.
        const message = `The cluster in ${rebuilt.region} is ${rebuilt.status}: after a failover Aurora is rebuilding it as a secondary, and its region stays fenced until then.`;
        if (input.allowMismatch) return `WARNING: ${message} Deploying anyway (${ALLOW_MISMATCH_FLAG}).`;
        throw new ActiveRegionMismatchError(`Refusing to deploy: ${message} Deploying now would start its instances again. Wait until \`npx dr status\` shows it connected, then deploy. ${override}`);
      }
      if (writer.region === input.activeRegion) return `Config activeRegion ${input.activeRegion} agrees with the live global writer in ${where}.`;
      if (input.allowMismatch) {
        return `WARNING: config activeRegion ${input.activeRegion} disagrees with the live global writer in ${where}. Deploying anyway (${ALLOW_MISMATCH_FLAG}).`;
      }
      const known = input.regions.some((r) => r.region === writer.region);
      const fix = known
        ? `set "activeRegion": "${writer.region}" in ${input.environmentFile}${input.environmentFileExists ? '' : ' (create the file if it does not exist)'}, then deploy again.`
        : `${writer.region} is neither region of this environment's config, so the config does not describe this global cluster: check ENVIRONMENT_SUFFIX and the regions in ${input.environmentFile}.`;
      throw new ActiveRegionMismatchError(
        `Refusing to deploy: config activeRegion is ${input.activeRegion} but the live global writer is in ${where}. ` +
          `Deploying would size and weight the regions for a writer that is not there. Fix: ${fix} ${override}`,
      );
    }
  }
}
