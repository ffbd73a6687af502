import { fail, na, pass } from '../engine/types';
import { KMS_KEY_TYPES, isFalse, isTrue, referenced, resourceRule, strings, toNumber } from './util';

const CLUSTERS = ['aws_rds_cluster', 'aws_db_instance'];
const INSTANCES = ['aws_rds_cluster_instance', 'aws_db_instance'];
const MIN_BACKUP_DAYS = 7;

/** Log types each engine family must export to CloudWatch Logs. */
function requiredLogs(engine: string): string[] {
  if (engine.includes('postgres')) return ['postgresql'];
  if (engine.includes('mysql') || engine.includes('mariadb')) return ['audit', 'error', 'slowquery'];
  return [];
}

export const rdsRules = [
  resourceRule({
    id: 'rds-storage-encrypted-cmk',
    mirrors: 'CKV_AWS_327',
    title: 'RDS storage is encrypted with a customer managed KMS key (global clusters: encrypted)',
    severity: 'high',
    resourceTypes: [...CLUSTERS, 'aws_rds_global_cluster'],
    check: (r, stack) => {
      if (!isTrue(r.body.storage_encrypted)) return fail('storage_encrypted is not true');
      if (r.type === 'aws_rds_global_cluster') return pass();
      if (!referenced(stack, r.body.kms_key_id, KMS_KEY_TYPES)) return fail('kms_key_id does not reference a customer managed aws_kms_key');
      return pass();
    },
  }),
  resourceRule({
    id: 'rds-deletion-protection',
    mirrors: 'CKV_AWS_139',
    title: 'RDS clusters, global clusters and instances have deletion protection',
    severity: 'high',
    resourceTypes: [...CLUSTERS, 'aws_rds_global_cluster'],
    check: (r) => (isTrue(r.body.deletion_protection) ? pass() : fail('deletion_protection is not true')),
  }),
  resourceRule({
    id: 'rds-backup-retention',
    mirrors: 'CKV_AWS_133',
    title: `RDS automated backups are kept at least ${MIN_BACKUP_DAYS} days`,
    severity: 'high',
    resourceTypes: CLUSTERS,
    check: (r) => {
      const days = toNumber(r.body.backup_retention_period) ?? 1;
      return days >= MIN_BACKUP_DAYS ? pass() : fail(`backup_retention_period is ${days} (default 1 when unset), under ${MIN_BACKUP_DAYS}`);
    },
  }),
  resourceRule({
    id: 'rds-iam-authentication',
    mirrors: 'CKV_AWS_162',
    title: 'RDS IAM database authentication is enabled',
    severity: 'medium',
    resourceTypes: CLUSTERS,
    check: (r) => (isTrue(r.body.iam_database_authentication_enabled) ? pass() : fail('iam_database_authentication_enabled is not true')),
  }),
  resourceRule({
    id: 'rds-log-exports',
    mirrors: 'CKV_AWS_324',
    title: 'RDS exports its engine logs (MySQL: audit, error, slowquery; PostgreSQL: postgresql) to CloudWatch Logs',
    severity: 'medium',
    resourceTypes: CLUSTERS,
    check: (r) => {
      const exported = strings(r.body.enabled_cloudwatch_logs_exports);
      const missing = requiredLogs(String(r.body.engine ?? '')).filter((log) => !exported.includes(log));
      if (exported.length === 0) return fail('enabled_cloudwatch_logs_exports is empty');
      return missing.length === 0 ? pass() : fail(`enabled_cloudwatch_logs_exports lacks ${missing.join(', ')}`);
    },
  }),
  resourceRule({
    id: 'rds-copy-tags-to-snapshot',
    mirrors: 'CKV_AWS_313',
    title: 'RDS copies tags to snapshots',
    severity: 'low',
    resourceTypes: CLUSTERS,
    check: (r) => (isTrue(r.body.copy_tags_to_snapshot) ? pass() : fail('copy_tags_to_snapshot is not true')),
  }),
  resourceRule({
    id: 'rds-not-publicly-accessible',
    mirrors: 'CKV_AWS_17',
    title: 'RDS instances are not publicly accessible',
    severity: 'critical',
    resourceTypes: INSTANCES,
    check: (r) => (isTrue(r.body.publicly_accessible) ? fail('publicly_accessible is true') : pass()),
  }),
  resourceRule({
    id: 'rds-auto-minor-version-upgrade',
    mirrors: 'CKV_AWS_226',
    title: 'RDS instances take minor engine upgrades automatically',
    severity: 'low',
    resourceTypes: INSTANCES,
    check: (r) => (isFalse(r.body.auto_minor_version_upgrade) ? fail('auto_minor_version_upgrade is false') : pass()),
  }),
  resourceRule({
    id: 'rds-enhanced-monitoring',
    mirrors: 'CKV_AWS_118',
    title: 'RDS instances have enhanced monitoring with a role',
    severity: 'low',
    resourceTypes: INSTANCES,
    check: (r) => {
      if ((toNumber(r.body.monitoring_interval) ?? 0) <= 0) return fail('monitoring_interval is 0 or unset');
      return r.body.monitoring_role_arn ? pass() : fail('monitoring_role_arn is unset');
    },
  }),
  resourceRule({
    id: 'rds-performance-insights-cmk',
    mirrors: 'CKV_AWS_354',
    title: 'RDS Performance Insights, when enabled, is encrypted with a customer managed KMS key',
    severity: 'medium',
    resourceTypes: INSTANCES,
    check: (r, stack) => {
      if (!isTrue(r.body.performance_insights_enabled)) return na('Performance Insights is off');
      return referenced(stack, r.body.performance_insights_kms_key_id, KMS_KEY_TYPES)
        ? pass()
        : fail('performance_insights_kms_key_id does not reference a customer managed aws_kms_key');
    },
  }),
  resourceRule({
    id: 'rds-no-plaintext-master-password',
    mirrors: null,
    title: 'RDS master passwords never reach state: write-only (master_password_wo) or managed by RDS, never master_password',
    severity: 'high',
    resourceTypes: CLUSTERS,
    check: (r) => (r.body.master_password !== undefined ? fail('master_password is set; it is stored in plan and state') : pass()),
  }),
];
