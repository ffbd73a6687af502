import { defineEnvironment } from '@txn-dr/config';
import { Names } from '@txn-dr/contracts';
import { DrStack } from '@txn-dr/infra-core';
import { type SynthesizedStack, followReference, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { BACKUP_SCHEDULE, RegionalBackup } from './regional-backup';

const values = (json: SynthesizedStack, type: string) => Object.values(resourcesOfType(json, type));
const CLUSTER = 'arn:aws:rds:us-east-2:123456789012:cluster:txdr-dev-secondary-aurora';
const BUCKET = 'arn:aws:s3:::txdr-dev-secondary-data-123456789012';

function synthBackup(vaultLock?: { minRetentionDays: number; maxRetentionDays: number; changeableForDays?: number }) {
  const env = defineEnvironment({ name: 'dev' });
  const stack = new DrStack(Testing.app(), { env, stack: 'secondary' });
  new RegionalBackup(stack, 'backup', {
    provider: stack.provider('secondary'),
    role: 'secondary',
    names: new Names(env),
    copyTo: { role: 'primary', region: 'us-east-1' },
    clusterArn: CLUSTER,
    dataBucketArn: BUCKET,
    retentionDays: 21,
    ...(vaultLock ? { vaultLock } : {}),
  });
  return synthesize(stack);
}

describe('RegionalBackup', () => {
  const json = synthBackup();
  const plans = values(json, 'aws_backup_plan');
  const rule = (name: string) => (plans.flatMap((p) => p.rule as Record<string, unknown>[])).find((r) => r.rule_name === name)!;

  it('keeps its recovery points in a vault of its region, encrypted with a rotated customer-managed key', () => {
    const vault = onlyResource(json, 'aws_backup_vault');
    expect(vault).toMatchObject({ name: 'txdr-dev-secondary-backup', provider: 'aws.secondary' });
    expect(followReference(json, vault.kms_key_arn)).toMatchObject({ enable_key_rotation: true, provider: 'aws.secondary' });
  });

  it('backs up the cluster continuously and the bucket daily, each in its own plan, for the configured days', () => {
    expect(plans).toHaveLength(2);
    expect(rule('continuous')).toMatchObject({ enable_continuous_backup: true, schedule: BACKUP_SCHEDULE, lifecycle: { delete_after: 21 } });
    expect(rule('daily')).toMatchObject({ schedule: BACKUP_SCHEDULE, lifecycle: { delete_after: 21 } });
    expect(rule('daily').enable_continuous_backup).toBeUndefined();
    for (const r of [rule('continuous'), rule('daily')]) expect(followReference(json, r.target_vault_name)).toBe(onlyResource(json, 'aws_backup_vault'));
  });

  it('copies every recovery point to the other region\'s vault, by its deterministic name, for the same days', () => {
    for (const r of [rule('continuous'), rule('daily')]) {
      expect(r.copy_action).toEqual([
        {
          destination_vault_arn: 'arn:${data.aws_partition.partition-secondary.partition}:backup:us-east-1:${data.aws_caller_identity.caller-identity-secondary.account_id}:backup-vault:txdr-dev-primary-backup',
          lifecycle: { delete_after: 21 },
        },
      ]);
    }
  });

  it('selects the cluster for the continuous plan and the bucket for the daily one, through the backup role', () => {
    const role = onlyResource(json, 'aws_iam_role');
    const selections = values(json, 'aws_backup_selection').map((s) => {
      const plan = followReference(json, s.plan_id) as { rule: Record<string, unknown>[] };
      expect(followReference(json, s.iam_role_arn)).toBe(role);
      return [plan.rule[0]!.rule_name, s.resources];
    }).sort(([a], [b]) => String(a).localeCompare(String(b)));
    expect(selections).toEqual([
      ['continuous', [CLUSTER]],
      ['daily', [BUCKET]],
    ]);
  });

  it('lets AWS Backup alone take the role, with the managed policies AWS documents and snapshot deletion scoped to its own', () => {
    const role = onlyResource(json, 'aws_iam_role');
    expect(followReference(json, role.assume_role_policy).statement).toEqual([
      { actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['backup.amazonaws.com'] }] },
    ]);
    expect(values(json, 'aws_iam_role_policy_attachment').map((a) => String(a.policy_arn).replace(/^.*:policy\//, ''))).toEqual([
      'service-role/AWSBackupServiceRolePolicyForBackup',
      'service-role/AWSBackupServiceRolePolicyForRestores',
      'AWSBackupServiceRolePolicyForS3Backup',
      'AWSBackupServiceRolePolicyForS3Restore',
    ]);
    const statements = followReference(json, onlyResource(json, 'aws_iam_role_policy').policy).statement as { resources: string[] }[];
    expect(statements.flatMap((s) => s.resources)).toEqual([
      'arn:${data.aws_partition.partition-secondary.partition}:rds:us-east-2:${data.aws_caller_identity.caller-identity-secondary.account_id}:cluster-snapshot:awsbackup:*',
    ]);
  });

  it('locks no vault unless asked', () => {
    expect(values(json, 'aws_backup_vault_lock_configuration')).toEqual([]);
  });

  it('locks the vault within the configured bounds when asked', () => {
    const locked = synthBackup({ minRetentionDays: 7, maxRetentionDays: 365, changeableForDays: 3 });
    expect(onlyResource(locked, 'aws_backup_vault_lock_configuration')).toMatchObject({ min_retention_days: 7, max_retention_days: 365, changeable_for_days: 3 });
  });
});
