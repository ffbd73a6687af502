export { BootstrapError, TLS_ONLY_SID, bootstrapStateBucket, tlsOnlyStatement, type ManagedBucket, type StateBucket, type StepResult } from './bootstrap';
export {
  bootstrapStateReplica,
  ensureReplicaEncryption,
  replicaBucketName,
  replicaRegion,
  type ReplicaClients,
  type ReplicaEncryption,
  type StateReplica,
} from './replica';
export { ensureReplicaKey, replicaKeyAlias, sourceKeyArn, type ReplicaKey } from './replica-key';
export { REPLICATION_MINUTES, REPLICATION_RULE_ID, ensureReplication, replicationConfiguration, replicationDrift, type ReplicationTarget } from './replication';
export {
  REPLICATION_POLICY_NAME,
  ensureReplicationPolicy,
  ensureReplicationRole,
  parsePolicy,
  replicationPermissions,
  replicationRoleName,
  replicationTrustPolicy,
  type ReplicationKeys,
  type ReplicationRole,
} from './replication-role';
