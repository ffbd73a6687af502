import { z } from 'zod';

/**
 * The limits AWS Backup sets on what `backup` may ask, in one place.
 * Continuous backups (point-in-time recovery) keep 1 to 35 days:
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/point-in-time-recovery-retention-period.html
 * Vault Lock: a minimum retention of at least 1 day, a maximum of at most 36500 days (100 years,
 * the longest any snapshot backup is kept), and a lock date at least 3 days away (the 72-hour
 * cooling-off period):
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultLockConfiguration.html
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/point-in-time-recovery.html
 */
export const BACKUP_LIMITS = {
  continuousRetentionDays: { min: 1, max: 35 },
  vaultLockRetentionDays: { min: 1, max: 36_500 },
  vaultLockMinChangeableForDays: 3,
} as const;

const days = (min: number, max: number) => z.int().min(min).max(max);
const lock = BACKUP_LIMITS.vaultLockRetentionDays;

export const backupSchema = z.strictObject({
  /**
   * Days every recovery point is kept: the point-in-time window of the Aurora cluster, the daily
   * backups of the data bucket, and the copies of both in the other region. @default 35
   */
  retentionDays: days(BACKUP_LIMITS.continuousRetentionDays.min, BACKUP_LIMITS.continuousRetentionDays.max).default(35),
  /**
   * AWS Backup Vault Lock on both regions' vaults: no one, the root user included, may delete a
   * recovery point before it expires, and every backup or copy job must keep its points between
   * the two bounds. Governance mode unless `changeableForDays` is set; then compliance mode, which
   * after that many days can never be changed or removed, the vault with it (production only, in
   * practice). @default none
   */
  vaultLock: z
    .strictObject({
      minRetentionDays: days(lock.min, lock.max),
      maxRetentionDays: days(lock.min, lock.max),
      /** Days until the lock becomes immutable (compliance mode). @default none (governance mode) */
      changeableForDays: z.int().min(BACKUP_LIMITS.vaultLockMinChangeableForDays, `must be at least ${BACKUP_LIMITS.vaultLockMinChangeableForDays} (AWS Backup's 72-hour cooling-off period)`).optional(),
    })
    .optional(),
});

export type BackupConfig = z.output<typeof backupSchema>;

/** A problem with the backup settings as a whole, at the field it names. */
export interface BackupIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * Contradictions between the backup fields: a lock whose bounds cross, or a retention the lock
 * would refuse (the vault fails every backup and copy job outside the bounds, per the Vault Lock
 * page above).
 */
export function backupIssues(backup: BackupConfig): BackupIssue[] {
  const lockConfig = backup.vaultLock;
  if (lockConfig === undefined) return [];
  const { minRetentionDays: min, maxRetentionDays: max } = lockConfig;
  if (min > max) {
    return [{ path: ['backup', 'vaultLock', 'minRetentionDays'], message: `${min} is greater than backup.vaultLock.maxRetentionDays ${max}` }];
  }
  if (backup.retentionDays < min || backup.retentionDays > max) {
    return [
      {
        path: ['backup', 'retentionDays'],
        message: `${backup.retentionDays} is outside backup.vaultLock's ${min}-${max} days: the locked vaults would fail every backup and copy job`,
      },
    ];
  }
  return [];
}
