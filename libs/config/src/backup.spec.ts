import { ConfigError } from './errors';
import { defineEnvironment } from './environment';
import type { EnvironmentInput } from './schema';

/** The `field: message` lines of the ConfigError `input` raises, or [] when it is valid. */
function issuesOf(backup: EnvironmentInput['backup']): string[] {
  try {
    defineEnvironment({ name: 'dev', backup });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.field}: ${i.message}`);
    throw error;
  }
}

describe('backup config', () => {
  it('keeps 35 days of backups and locks no vault by default', () => {
    expect(defineEnvironment({ name: 'dev' }).backup).toEqual({ retentionDays: 35 });
  });

  it('accepts a vault lock whose bounds hold the retention', () => {
    const env = defineEnvironment({ name: 'dev', backup: { retentionDays: 30, vaultLock: { minRetentionDays: 7, maxRetentionDays: 365, changeableForDays: 3 } } });
    expect(env.backup.vaultLock).toEqual({ minRetentionDays: 7, maxRetentionDays: 365, changeableForDays: 3 });
  });

  it.each<[string, EnvironmentInput['backup'], string]>([
    ['no retention', { retentionDays: 0 }, 'backup.retentionDays'],
    ['a retention beyond the 35 days of point-in-time recovery', { retentionDays: 36 }, 'backup.retentionDays'],
    ['a fractional retention', { retentionDays: 7.5 }, 'backup.retentionDays'],
    ['a lock minimum of zero days', { vaultLock: { minRetentionDays: 0, maxRetentionDays: 35 } }, 'backup.vaultLock.minRetentionDays'],
    ['a lock maximum beyond 100 years', { vaultLock: { minRetentionDays: 1, maxRetentionDays: 36_501 } }, 'backup.vaultLock.maxRetentionDays'],
    ['a lock date inside the 72-hour cooling-off period', { vaultLock: { minRetentionDays: 1, maxRetentionDays: 35, changeableForDays: 2 } }, 'backup.vaultLock.changeableForDays'],
    ['crossed lock bounds', { vaultLock: { minRetentionDays: 90, maxRetentionDays: 30 } }, 'backup.vaultLock.minRetentionDays: 90 is greater than'],
    ['a retention under the lock minimum', { retentionDays: 7, vaultLock: { minRetentionDays: 14, maxRetentionDays: 365 } }, 'backup.retentionDays: 7 is outside'],
    ['a retention over the lock maximum', { retentionDays: 35, vaultLock: { minRetentionDays: 1, maxRetentionDays: 30 } }, 'backup.retentionDays: 35 is outside'],
    ['an unknown field', { retentionDays: 35, copies: 2 } as unknown as EnvironmentInput['backup'], 'backup.copies: is not a field of backup, which has retentionDays, vaultLock'],
  ])('refuses %s, naming the field', (_case, backup, expected) => {
    const issues = issuesOf(backup);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain(expected);
  });
});
