export { BACKUP_SCHEDULE, RegionalBackup, backupVaultArn, backupVaultName, type BackupVaultLock, type RegionalBackupProps } from './regional-backup';
