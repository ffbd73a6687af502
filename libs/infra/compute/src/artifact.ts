import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import type { DrRole } from '@txn-dr/config';
import { ARTIFACTS, type Names, parameterName } from '@txn-dr/contracts';
import { awsContext, suppress, workspaceRoot } from '@txn-dr/infra-core';
import { SecureBucket } from '@txn-dr/infra-storage';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';

export interface ServiceArtifactProps {
  /** The environment's deterministic names: the artifact bucket's. */
  readonly names: Names;
  /** Environment name (ENVIRONMENT_SUFFIX): the `<env>` of the bucket parameter's path. */
  readonly environmentName: string;
  /** The region whose bucket this is: it names the bucket and the parameter. */
  readonly role: DrRole;
  /** Provider of the role's region. */
  readonly provider: AwsProvider;
  /** Key the artifact bucket encrypts with. */
  readonly kmsKeyArn: string;
  /** Folder of the service's build output. @default `<workspace>/dist/apps/transaction-api` */
  readonly sourceDir?: string;
}

/**
 * The service's bundle, content-addressed in a regional artifact bucket: its S3 key holds the
 * SHA-256 of the bundle, so a new build is a new key, a new launch template version and an
 * instance refresh, and the instance checks the hash of what it downloaded. The unit and the
 * env-file template shipped with the bundle are read here for the user data.
 */
export class ServiceArtifact extends Construct {
  readonly bucket: SecureBucket;
  readonly key: string;
  readonly sha256: string;
  readonly unitFile: string;
  readonly envTemplate: string;
  /** Where the instances read the bucket's name (it holds the account id, which they do not know). */
  readonly bucketParameter: SsmParameter;

  constructor(scope: Construct, id: string, props: ServiceArtifactProps) {
    super(scope, id);
    const { names, environmentName, role, provider } = props;
    const { dir, files, project } = ARTIFACTS.transactionApi;
    const sourceDir = props.sourceDir ?? join(workspaceRoot(), dir);
    const path = (file: string) => {
      const full = join(sourceDir, file);
      if (!existsSync(full)) throw new Error(`${full} is missing: build the service first (nx run ${project}:build)`);
      return full;
    };
    const bundlePath = path(files.bundle);
    this.sha256 = createHash('sha256').update(readFileSync(bundlePath)).digest('hex');
    this.key = `${project}/${this.sha256}/${files.bundle}`;
    this.unitFile = readFileSync(path(files.unit), 'utf8');
    this.envTemplate = readFileSync(path(files.envTemplate), 'utf8');

    this.bucket = new SecureBucket(this, 'bucket', {
      provider,
      name: `${names.regional(role, 'artifacts')}-${awsContext(this, provider).accountId}`,
      kmsKeyArn: props.kmsKeyArn,
    });
    suppress(this.bucket.bucket, [
      {
        id: 's3-replication',
        reason:
          'Regional by design: each regional stack uploads the same service bundle to its own bucket, so the standby never depends on the other region (replication would only duplicate the upload)',
      },
    ]);
    const asset = new TerraformAsset(this, 'bundle', { path: bundlePath, type: AssetType.FILE });
    new S3Object(this, 'object', {
      provider,
      bucket: this.bucket.bucket.id,
      key: this.key,
      source: asset.path,
      sourceHash: this.sha256,
      contentType: 'application/javascript',
    });
    this.bucketParameter = new SsmParameter(this, 'bucket-parameter', {
      provider,
      name: parameterName(environmentName, role, 'artifactBucket'),
      type: 'String',
      value: this.bucket.name,
      description: `Artifact bucket of the ${role} region of ${environmentName}`,
    });
    suppress(this.bucketParameter, [{ id: 'ssm-secure-string', reason: 'Not a secret: the name of the artifact bucket, which the instances read at start' }]);
  }
}
