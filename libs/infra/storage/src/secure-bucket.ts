import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { tlsOnlyStatement } from '@txn-dr/contracts';
import type { PolicyStatement } from '@txn-dr/infra-core';
import { Construct } from 'constructs';

export interface SecureBucketProps {
  readonly provider: AwsProvider;
  /** Globally unique bucket name. */
  readonly name: string;
  /**
   * Customer-managed key for SSE-KMS. Omit only where the writer cannot use KMS (ALB access logs
   * accept S3-managed keys only), and say why at the call site. @default S3-managed (SSE-S3)
   */
  readonly kmsKeyArn?: string;
  /** Days a replaced or deleted version is kept. @default 90 */
  readonly noncurrentVersionDays?: number;
  /** Days after which current objects expire, for buckets of logs. @default never */
  readonly expireAfterDays?: number;
  /** Statements added to the bucket policy, given the bucket's ARN (e.g. a log-delivery service's access). @default none */
  readonly policyStatements?: (bucketArn: string) => PolicyStatement[];
}

/**
 * An S3 bucket with the settings every bucket here needs: versioning, default encryption (SSE-KMS
 * with a bucket key when a key is given), all public access blocked, ACLs disabled (bucket owner
 * enforced), a policy refusing anything but TLS 1.2+, and a lifecycle that expires old versions
 * and abandoned multipart uploads.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly name: string;
  readonly arn: string;
  /** Replication configurations must wait for versioning. */
  readonly versioning: S3BucketVersioningA;
  /** Writers authorised by the policy (log delivery) must wait for it. */
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const { provider } = props;
    this.bucket = new S3Bucket(this, 'bucket', { provider, bucket: props.name });
    this.name = this.bucket.bucket;
    this.arn = this.bucket.arn;

    this.versioning = new S3BucketVersioningA(this, 'versioning', {
      provider,
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      provider,
      bucket: this.bucket.id,
      rule: [
        props.kmsKeyArn
          ? // A bucket key cuts KMS requests (and their cost) by orders of magnitude.
            { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: true }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
      ],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access', {
      provider,
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { provider, bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });

    // Anyone, this account included, is refused on these connections: plain HTTP, and TLS older than 1.2.
    const resources = [this.bucket.arn, `${this.bucket.arn}/*`];
    const withoutTls = tlsOnlyStatement({ actions: ['s3:*'], resources });
    const outdatedTls: PolicyStatement = {
      ...withoutTls,
      sid: 'DenyOutdatedTls',
      condition: [{ test: 'NumericLessThan', variable: 's3:TlsVersion', values: ['1.2'] }],
    };
    const policy = new DataAwsIamPolicyDocument(this, 'policy-document', {
      provider,
      statement: [
        withoutTls,
        outdatedTls,
        ...(props.policyStatements?.(this.bucket.arn) ?? []),
      ],
    });
    // Applied after the public access block, which would otherwise race a policy naming principal "*".
    this.policy = new S3BucketPolicy(this, 'policy', { provider, bucket: this.bucket.id, policy: policy.json, dependsOn: [publicAccess] });

    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      provider,
      bucket: this.bucket.id,
      rule: [
        {
          id: 'expire-noncurrent-versions',
          status: 'Enabled',
          // Every object, said explicitly: prefix "" is what an empty filter block defaults to, and
          // since AWS provider 5.90 an empty block draws "Invalid Attribute Combination ... will be
          // an error in a future version of the provider".
          // https://registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/s3_bucket_lifecycle_configuration#filter
          // https://github.com/hashicorp/terraform-provider-aws/issues/42714
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionDays ?? 90 }],
          // Delete markers with no versions left behind them only slow listings down.
          expiration: [props.expireAfterDays ? { days: props.expireAfterDays } : { expiredObjectDeleteMarker: true }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
      dependsOn: [this.versioning],
    });
  }
}
