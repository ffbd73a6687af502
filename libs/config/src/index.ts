export {
  ALERT_PROTOCOLS,
  alertIssues,
  alertSubscriptionSchema,
  placeholderReason,
  type AlertIssue,
  type AlertProtocol,
  type AlertSubscription,
} from './alerts';
export { BACKUP_LIMITS, backupIssues, backupSchema, type BackupConfig, type BackupIssue } from './backup';
export { activeCapacity, capacityFor, standbyCapacity, type Capacity } from './capacity';
export { ENVIRONMENT_DIGEST_FILE, environmentDigest } from './digest';
export { ACM_CERTIFICATE_ARN_PATTERN, acmCertificateRegion } from './certificates';
export { parseCidr, cidrsOverlap, subnetCidrs, type CidrRange } from './cidr';
export { DEFAULT_ENVIRONMENT_NAME, DEPLOYED_ENVIRONMENTS, REFERENCE_CAPACITY, REFERENCE_REGIONS } from './defaults';
export { RESERVED_DOMAINS, placeholderZoneName, reservedDomainOf, undeployableZoneReason } from './domains';
export {
  CONFIG_FILE_VARIABLE,
  ENVIRONMENTS_DIR,
  activeRole,
  defineEnvironment,
  environmentWarnings,
  knownEnvironments,
  loadEnvironment,
  otherRole,
  regionOf,
  type EnvironmentOverrides,
  type LoadEnvironmentOptions,
} from './environment';
export { ConfigError, type ConfigIssue } from './errors';
export { deepMerge, type DeepPartial } from './merge';
export { AWS_REGION_PATTERN, DEFAULT_ENGINE_VERSION, DR_ROLES, environmentSchema, type DrRole, type Environment, type EnvironmentInput, type RegionConfig } from './schema';
export {
  ALB_ALIAS_TTL_SECONDS,
  AURORA_GLOBAL_PROMOTION_SECONDS,
  FENCE_WAIT_SECONDS,
  INSTANCE_BOOT_SECONDS,
  TARGET_DEREGISTRATION_DELAY_SECONDS,
  describeRtoBudget,
  rtoBudget,
  type RtoBudget,
  type RtoInput,
  type RtoPhase,
  type RtoPhaseId,
} from './rto';
