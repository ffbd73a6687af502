import { type GlobalCluster, GlobalClusterNotFoundFault, RDSServiceException } from '@aws-sdk/client-rds';

export const ACCOUNT = '123456789012';
export const clusterArn = (region: string, identifier: string) => `arn:aws:rds:${region}:${ACCOUNT}:cluster:${identifier}`;

/** The global cluster as DescribeGlobalClusters returns it, with its writer in `writerRegion`. */
export function globalCluster(writerRegion: string, env = 'staging', extra: Partial<GlobalCluster> = {}): GlobalCluster {
  const regions = { 'us-east-1': 'primary', 'us-east-2': 'secondary' } as Record<string, string>;
  return {
    GlobalClusterIdentifier: `txdr-${env}-global`,
    Status: 'available',
    GlobalClusterMembers: Object.entries(regions).map(([region, role]) => ({
      DBClusterArn: clusterArn(region, `txdr-${env}-${role}-aurora`),
      IsWriter: region === writerRegion,
    })),
    ...extra,
  };
}

export const rdsError = (name: string, status: number, message = name) =>
  new RDSServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });

export const notFound = () =>
  new GlobalClusterNotFoundFault({ $metadata: { httpStatusCode: 404 }, message: 'GlobalCluster txdr-staging-global not found.' });

/** What the SDK throws when a region does not answer within the request timeout. */
export const timeout = () => Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' });
