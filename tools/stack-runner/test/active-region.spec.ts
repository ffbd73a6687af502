import { DescribeGlobalClustersCommand, type FailoverStatus, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { ActiveRegionMismatchError, GlobalClusterUnreachableError, PreflightError, checkActiveRegion } from '../src';
import { clusterArn, globalCluster, notFound, rdsError, timeout } from './rds-fixtures';

const primary = new RDSClient({ region: 'us-east-1' });
const secondary = new RDSClient({ region: 'us-east-2' });
const primaryMock = mockClient(primary);
const secondaryMock = mockClient(secondary);

const input = (extra: Partial<Parameters<typeof checkActiveRegion>[0]> = {}) => ({
  globalCluster: 'txdr-staging-global',
  activeRegion: 'us-east-1',
  regions: [
    { region: 'us-east-1', rds: primary },
    { region: 'us-east-2', rds: secondary },
  ],
  environmentFile: 'libs/config/environments/staging.json',
  environmentFileExists: true,
  ...extra,
});
const asked = (mock: typeof primaryMock) => mock.commandCalls(DescribeGlobalClustersCommand).map((call) => call.args[0].input.GlobalClusterIdentifier);

beforeEach(() => {
  primaryMock.reset();
  secondaryMock.reset();
});

describe('config and the live writer agree', () => {
  it('goes on, asking the primary region only', async () => {
    primaryMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster('us-east-1')] });

    await expect(checkActiveRegion(input())).resolves.toBe(
      `Config activeRegion us-east-1 agrees with the live global writer in us-east-1 (${clusterArn('us-east-1', 'txdr-staging-primary-aurora')}, asked in us-east-1).`,
    );
    expect(asked(primaryMock)).toEqual(['txdr-staging-global']);
    expect(asked(secondaryMock)).toEqual([]);
  });
});

describe('config and the live writer disagree', () => {
  beforeEach(() => {
    primaryMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster('us-east-2')] });
  });

  it('refuses with the exact config change', async () => {
    const error = await checkActiveRegion(input()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ActiveRegionMismatchError);
    expect((error as Error).message).toBe(
      'Refusing to deploy: config activeRegion is us-east-1 but the live global writer is in us-east-2 ' +
        `(${clusterArn('us-east-2', 'txdr-staging-secondary-aurora')}, asked in us-east-1). ` +
        'Deploying would size and weight the regions for a writer that is not there. ' +
        'Fix: set "activeRegion": "us-east-2" in libs/config/environments/staging.json, then deploy again. ' +
        'To deploy this config as it is on purpose, pass --allow-active-region-mismatch (or set ALLOW_ACTIVE_REGION_MISMATCH=true).',
    );
  });

  it('says to create the environment file when there is none', async () => {
    await expect(checkActiveRegion(input({ environmentFile: 'libs/config/environments/dev.json', environmentFileExists: false }))).rejects.toThrow(
      'set "activeRegion": "us-east-2" in libs/config/environments/dev.json (create the file if it does not exist), then deploy again.',
    );
  });

  it('goes on with a warning when the mismatch is deliberate', async () => {
    await expect(checkActiveRegion(input({ allowMismatch: true }))).resolves.toMatch(
      /^WARNING: config activeRegion us-east-1 disagrees with the live global writer in us-east-2 .* Deploying anyway \(--allow-active-region-mismatch\)\.$/,
    );
  });

  it('refuses a writer in neither configured region as a config that describes another cluster', async () => {
    primaryMock.on(DescribeGlobalClustersCommand).resolves({
      GlobalClusters: [{ GlobalClusterMembers: [{ DBClusterArn: clusterArn('eu-west-1', 'txdr-staging-primary-aurora'), IsWriter: true }] }],
    });
    await expect(checkActiveRegion(input())).rejects.toThrow(/Fix: eu-west-1 is neither region of this environment's config/);
  });
});

describe('after a failover, while Aurora rebuilds the old primary', () => {
  const rebuilding = () =>
    globalCluster('us-east-2', 'staging', {
      GlobalClusterMembers: [
        { DBClusterArn: clusterArn('us-east-1', 'txdr-staging-primary-aurora'), IsWriter: false, SynchronizationStatus: 'pending-resync' },
        { DBClusterArn: clusterArn('us-east-2', 'txdr-staging-secondary-aurora'), IsWriter: true },
      ],
    });

  beforeEach(() => {
    primaryMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [rebuilding()] });
  });

  it('refuses to deploy the fenced region: its instances would start again before it is a reader', async () => {
    const error = await checkActiveRegion(input({ activeRegion: 'us-east-2', deployingRegion: 'us-east-1' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActiveRegionMismatchError);
    expect((error as Error).message).toMatch(/^Refusing to deploy: The cluster in us-east-1 is pending-resync: after a failover Aurora is rebuilding it as a secondary/);
    expect((error as Error).message).toContain('Wait until `npx dr status` shows it connected');
  });

  it('deploys the region that writes', async () => {
    await expect(checkActiveRegion(input({ activeRegion: 'us-east-2', deployingRegion: 'us-east-2' }))).resolves.toMatch(/^Config activeRegion us-east-2 agrees/);
  });

  it('deploys the rebuilt region with the override, saying so', async () => {
    await expect(checkActiveRegion(input({ activeRegion: 'us-east-2', deployingRegion: 'us-east-1', allowMismatch: true }))).resolves.toMatch(/^WARNING: The cluster in us-east-1 is pending-resync/);
  });
});

describe('no writer to compare with', () => {
  it.each([
    ['the global cluster is not found', () => primaryMock.on(DescribeGlobalClustersCommand).rejects(notFound())],
    ['the answer lists no cluster', () => primaryMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] })],
  ])('goes on when %s: a first deploy', async (_case, arrange) => {
    arrange();
    await expect(checkActiveRegion(input())).resolves.toBe(
      'Global cluster txdr-staging-global does not exist yet (asked in us-east-1): a first deploy, with no live writer to compare activeRegion us-east-1 with.',
    );
    expect(asked(secondaryMock)).toEqual([]);
  });

  it('goes on when the global cluster has no writer member yet', async () => {
    primaryMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ GlobalClusterIdentifier: 'txdr-staging-global', GlobalClusterMembers: [] }] });
    await expect(checkActiveRegion(input())).resolves.toMatch(/has no writer yet/);
  });
});

describe('a writer on the move', () => {
  // Documented in API_FailoverState, not yet in the SDK's FailoverStatus enum.
  const switchingOver = 'switching-over' as FailoverStatus;
  beforeEach(() => {
    primaryMock
      .on(DescribeGlobalClustersCommand)
      .resolves({ GlobalClusters: [globalCluster('us-east-1', 'staging', { FailoverState: { Status: switchingOver, IsDataLossAllowed: false } })] });
  });

  it('refuses while a switchover or failover is under way', async () => {
    await expect(checkActiveRegion(input())).rejects.toThrow(
      new ActiveRegionMismatchError(
        'A switchover or failover of txdr-staging-global is under way (status switching-over, asked in us-east-1): the writer is moving. ' +
          "Wait for it to finish, set activeRegion to the new writer's region, then deploy. " +
          'To deploy this config as it is on purpose, pass --allow-active-region-mismatch (or set ALLOW_ACTIVE_REGION_MISMATCH=true).',
      ),
    );
  });

  it('goes on with the override', async () => {
    await expect(checkActiveRegion(input({ allowMismatch: true }))).resolves.toMatch(/^WARNING: A switchover or failover .* Deploying anyway/);
  });
});

describe('when the primary region does not answer', () => {
  it('asks the secondary region', async () => {
    primaryMock.on(DescribeGlobalClustersCommand).rejects(timeout());
    secondaryMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster('us-east-2')] });

    await expect(checkActiveRegion(input())).rejects.toThrow(/live global writer is in us-east-2 \(.*, asked in us-east-2\)\. .*set "activeRegion": "us-east-2"/);
    expect(asked(secondaryMock)).toEqual(['txdr-staging-global']);
  });

  it('refuses to guess when neither region answers, naming both failures', async () => {
    primaryMock.on(DescribeGlobalClustersCommand).rejects(timeout());
    secondaryMock.on(DescribeGlobalClustersCommand).rejects(rdsError('InternalFailure', 500));

    const error = await checkActiveRegion(input()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GlobalClusterUnreachableError);
    expect((error as Error).message).toBe(
      'No region answered DescribeGlobalClusters for txdr-staging-global (us-east-1: TimeoutError: Connection timed out after 3000 ms; us-east-2: InternalFailure: InternalFailure). ' +
        'Cannot tell whether activeRegion us-east-1 matches the live writer: try again when RDS answers. ' +
        'To deploy this config as it is on purpose, pass --allow-active-region-mismatch (or set ALLOW_ACTIVE_REGION_MISMATCH=true).',
    );
  });

  it('goes on without the comparison when neither answers and the override is given', async () => {
    primaryMock.on(DescribeGlobalClustersCommand).rejects(timeout());
    secondaryMock.on(DescribeGlobalClustersCommand).rejects(timeout());
    await expect(checkActiveRegion(input({ allowMismatch: true }))).resolves.toMatch(/^WARNING: No region answered .* Deploying without comparing/);
  });
});

describe('credentials and permissions', () => {
  it.each([
    ['ExpiredToken', 403, /Refresh the AWS credentials/],
    ['InvalidClientTokenId', 403, /Refresh the AWS credentials/],
    ['CredentialsProviderError', 0, /Refresh the AWS credentials/],
    ['AccessDenied', 403, /needs rds:DescribeGlobalClusters in both regions/],
    ['AccessDeniedException', 400, /needs rds:DescribeGlobalClusters in both regions/],
  ])('%s stops the deploy with what to fix, and is never read as "no cluster"', async (name, status, fix) => {
    primaryMock.on(DescribeGlobalClustersCommand).rejects(rdsError(name, status, `refused: ${name}`));
    secondaryMock.on(DescribeGlobalClustersCommand).rejects(notFound());

    const error = await checkActiveRegion(input({ allowMismatch: true })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PreflightError);
    expect(error).not.toBeInstanceOf(ActiveRegionMismatchError);
    expect((error as Error).message).toMatch(new RegExp(`^Cannot read the global cluster txdr-staging-global in us-east-1 \\(${name}: refused: ${name}\\)\\. `));
    expect((error as Error).message).toMatch(fix);
    expect(asked(secondaryMock)).toEqual([]);
  });
});
