import type { DrRole } from '@txn-dr/config';

/** SSM parameters each regional stack publishes under `/dr/<env>/<role>/`. */
export const PARAMETER_KEYS = {
  /**
   * This region's cluster endpoint: writable while the region's cluster is the global writer. The
   * service's health probes ask it (`DB_PROBE_HOST_PARAMETER`).
   */
  writerEndpoint: 'db/writer-endpoint',
  readerEndpoint: 'db/reader-endpoint',
  port: 'db/port',
  databaseName: 'db/name',
  /** ARN of the Secrets Manager secret with the master credentials. */
  secretArn: 'db/secret-arn',
  /**
   * Aurora global writer endpoint: follows the writer across regions. The service's reads and
   * writes go to it (`DB_HOST_PARAMETER`).
   */
  globalWriterEndpoint: 'db/global-writer-endpoint',
  /** Bucket holding the service's build artifacts in this region (read by the instances at boot). */
  artifactBucket: 'service/artifact-bucket',
} as const;
export type ParameterKey = keyof typeof PARAMETER_KEYS;

/** `/dr/<env>/<role>`, the path every parameter of a region lives under. */
export function parameterPrefix(envName: string, role: DrRole): string {
  return `/dr/${envName}/${role}`;
}

export function parameterName(envName: string, role: DrRole, key: ParameterKey): string {
  return `${parameterPrefix(envName, role)}/${PARAMETER_KEYS[key]}`;
}
