export { REPLICATION_MINUTES, ReplicatedBuckets, type ReplicatedBucketsProps } from './replicated-buckets';
export { SecureBucket, type SecureBucketProps } from './secure-bucket';
