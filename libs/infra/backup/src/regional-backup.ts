import { BackupPlan, type BackupPlanRule } from '@cdktf/provider-aws/lib/backup-plan';
import { BackupSelection } from '@cdktf/provider-aws/lib/backup-selection';
import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { BackupVaultLockConfiguration } from '@cdktf/provider-aws/lib/backup-vault-lock-configuration';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { DrRole } from '@txn-dr/config';
import type { Names } from '@txn-dr/contracts';
import { CustomerManagedKey, ServiceRole, awsContext } from '@txn-dr/infra-core';
import { Construct } from 'constructs';

/** Every backup plan's schedule: once a day, 05:00 UTC. */
export const BACKUP_SCHEDULE = 'cron(0 5 ? * * *)';

/** AWS Backup Vault Lock: the bounds every recovery point in the vault must keep to. */
export interface BackupVaultLock {
  readonly minRetentionDays: number;
  readonly maxRetentionDays: number;
  /** Days until the lock can no longer change (compliance mode). @default none (governance mode) */
  readonly changeableForDays?: number;
}

export interface RegionalBackupProps {
  /** Provider of this region: the vault, its key, the plans and the selections live there. */
  readonly provider: AwsProvider;
  /** This region's role: it names the vault, the plans and the role. */
  readonly role: DrRole;
  /** The environment's deterministic names: both regions' vaults are named from them. */
  readonly names: Names;
  /** The region the copies go to, and its role (its vault is named by `backupVaultName`). */
  readonly copyTo: { readonly role: DrRole; readonly region: string };
  /** ARN of this region's Aurora cluster: backed up continuously (point-in-time recovery). */
  readonly clusterArn: string;
  /** ARN of this region's data bucket: backed up daily. */
  readonly dataBucketArn: string;
  /** Days every recovery point and its copy are kept (1-35: continuous backups keep 35 at most). @default 35 */
  readonly retentionDays?: number;
  /** Lock the vault. @default none */
  readonly vaultLock?: BackupVaultLock;
}

/** The vault of a region: both regional stacks name each other's vault with this. */
export function backupVaultName(names: Names, role: DrRole): string {
  return names.regional(role, 'backup');
}

/** A vault's ARN, from its name and place: the form AWS Backup gives it. */
export function backupVaultArn(vault: { partition: string; region: string; accountId: string; name: string }): string {
  return `arn:${vault.partition}:backup:${vault.region}:${vault.accountId}:backup-vault:${vault.name}`;
}

/**
 * AWS Backup in one region: a vault encrypted with its own customer-managed key (optionally
 * locked), a plan of continuous backups of the region's Aurora cluster and a plan of daily backups
 * of its data bucket, each rule copying every recovery point to the other region's vault, and the
 * role that AWS Backup takes for both.
 *
 * Two plans, not one with two rules: a selection assigns resources to a plan, and every rule of
 * the plan runs on every resource selected, so one plan would also back up the bucket
 * continuously and snapshot the cluster daily.
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html
 *
 * Both regions select their own cluster. In a global database the writer moves with a switchover
 * or a failover, so a plan on the primary's cluster alone would stop protecting the writer after
 * one; with a plan in each region, whichever cluster writes is backed up in its own region, and
 * its copies land in the other. A copy of a continuous backup is a snapshot, so the other region
 * restores to the copy's time, not to any second: point-in-time recovery is within the retention,
 * in the region that took the backup.
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/point-in-time-recovery-copying.html
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/recov-point-create-a-copy.html
 */
export class RegionalBackup extends Construct {
  readonly key: CustomerManagedKey;
  readonly vault: BackupVault;
  readonly role: ServiceRole;
  readonly databasePlan: BackupPlan;
  readonly bucketPlan: BackupPlan;
  /** ARN of the vault the copies go to, built from its deterministic name. */
  readonly copyDestinationArn: string;

  constructor(scope: Construct, id: string, props: RegionalBackupProps) {
    super(scope, id);
    const { provider, names, role } = props;
    const context = awsContext(this, provider);
    const { accountId, partition } = context;
    const retentionDays = props.retentionDays ?? 35;
    const name = backupVaultName(names, role);

    this.key = new CustomerManagedKey(this, 'key', {
      provider,
      alias: name,
      description: `Backup vault of ${names.prefix} in ${context.region}`,
    });
    this.vault = new BackupVault(this, 'vault', { provider, name, kmsKeyArn: this.key.arn });
    if (props.vaultLock) {
      // Governance mode without changeableForDays; compliance mode, immutable after it, with.
      // https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html
      new BackupVaultLockConfiguration(this, 'lock', {
        provider,
        backupVaultName: this.vault.name,
        minRetentionDays: props.vaultLock.minRetentionDays,
        maxRetentionDays: props.vaultLock.maxRetentionDays,
        ...(props.vaultLock.changeableForDays === undefined ? {} : { changeableForDays: props.vaultLock.changeableForDays }),
      });
    }

    // The other region's vault ARN is built from its deterministic name, not read from its stack:
    // the primary deploys before the secondary and cannot read it, and each copies to the other,
    // so reading outputs both ways would make a cycle of the deploy order.
    this.copyDestinationArn = backupVaultArn({ partition, region: props.copyTo.region, accountId, name: backupVaultName(names, props.copyTo.role) });

    this.role = new ServiceRole(this, 'role', {
      provider,
      name: names.regional(role, 'backup'),
      description: `AWS Backup in ${context.region}: backs up and restores the cluster and the data bucket`,
      service: 'backup.amazonaws.com',
      trustConditions: [],
      statements: [
        {
          // A copy of a continuous backup starts from a temporary snapshot that AWS Backup
          // deletes once copied; without this permission it is left as an expired recovery point.
          // https://docs.aws.amazon.com/aws-backup/latest/devguide/point-in-time-recovery-copying.html
          sid: 'DeleteTemporarySnapshots',
          actions: ['rds:DeleteDBClusterSnapshot', 'rds:DeleteDBSnapshot'],
          resources: [`arn:${partition}:rds:${context.region}:${accountId}:cluster-snapshot:awsbackup:*`],
        },
      ],
    });
    // The AWS managed policies AWS Backup documents for a role it backs up and restores with:
    // the general pair (Aurora among them) and, since S3 is not in those, the S3 pair.
    // https://docs.aws.amazon.com/aws-backup/latest/devguide/security-iam-awsmanpol.html
    // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSBackupServiceRolePolicyForS3Backup.html
    // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSBackupServiceRolePolicyForS3Restore.html
    const managed = [
      'service-role/AWSBackupServiceRolePolicyForBackup',
      'service-role/AWSBackupServiceRolePolicyForRestores',
      'AWSBackupServiceRolePolicyForS3Backup',
      'AWSBackupServiceRolePolicyForS3Restore',
    ];
    for (const policy of managed) {
      new IamRolePolicyAttachment(this, `managed-${policy.split('/').pop()}`, {
        provider,
        role: this.role.name,
        policyArn: `arn:${partition}:iam::aws:policy/${policy}`,
      });
    }

    const copyAction = [{ destinationVaultArn: this.copyDestinationArn, lifecycle: { deleteAfter: retentionDays } }];
    const plan = (planId: string, rule: Omit<BackupPlanRule, 'targetVaultName' | 'schedule' | 'lifecycle' | 'copyAction'>, resource: string) => {
      const backupPlan = new BackupPlan(this, `${planId}-plan`, {
        provider,
        name: names.regional(role, `backup-${planId}`),
        rule: [{ ...rule, targetVaultName: this.vault.name, schedule: BACKUP_SCHEDULE, lifecycle: { deleteAfter: retentionDays }, copyAction }],
      });
      new BackupSelection(this, `${planId}-selection`, {
        provider,
        name: names.regional(role, `backup-${planId}`),
        planId: backupPlan.id,
        iamRoleArn: this.role.arn,
        resources: [resource],
      });
      return backupPlan;
    };
    // Continuous backups keep at most 35 days, which config enforces on retentionDays.
    // https://docs.aws.amazon.com/aws-backup/latest/devguide/point-in-time-recovery-retention-period.html
    this.databasePlan = plan('database', { ruleName: 'continuous', enableContinuousBackup: true }, props.clusterArn);
    this.bucketPlan = plan('bucket', { ruleName: 'daily' }, props.dataBucketArn);
  }
}
