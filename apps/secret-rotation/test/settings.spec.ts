import { SECRET_ROTATION_ENV } from '@txn-dr/contracts';
import { DEFAULT_CALL_TIMEOUT_MS, DEFAULT_DB_PORT, DEFAULT_DB_TIMEOUT_MS, readSettings, SettingsError } from '../src/settings';

const ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:txdr-dev/db/master-AbCdEf';
const VARS: Record<string, string> = {
  [SECRET_ROTATION_ENV.secretArn]: ARN,
  [SECRET_ROTATION_ENV.dbHost]: 'txdr-dev-global.global-abc123.global.rds.amazonaws.com',
};

describe('readSettings', () => {
  it('reads the required variables and fills the defaults: TLS on, port 3306, 5 s limits', () => {
    expect(readSettings(VARS)).toEqual({
      secretArn: ARN,
      dbHost: 'txdr-dev-global.global-abc123.global.rds.amazonaws.com',
      dbPort: DEFAULT_DB_PORT,
      dbTls: 'rds',
      dbTimeoutMs: DEFAULT_DB_TIMEOUT_MS,
      callTimeoutMs: DEFAULT_CALL_TIMEOUT_MS,
    });
    expect([DEFAULT_DB_PORT, DEFAULT_DB_TIMEOUT_MS, DEFAULT_CALL_TIMEOUT_MS]).toEqual([3306, 5_000, 5_000]);
  });

  it('takes every optional variable', () => {
    const settings = readSettings({
      ...VARS,
      [SECRET_ROTATION_ENV.dbPort]: '3307',
      [SECRET_ROTATION_ENV.dbTls]: 'off',
      [SECRET_ROTATION_ENV.dbTimeoutMs]: '2500',
      [SECRET_ROTATION_ENV.callTimeoutMs]: '1500',
    });
    expect(settings).toMatchObject({ dbPort: 3307, dbTls: 'off', dbTimeoutMs: 2500, callTimeoutMs: 1500 });
  });

  it('turns TLS off only when told to: an empty value is the default', () => {
    expect(readSettings({ ...VARS, [SECRET_ROTATION_ENV.dbTls]: ' ' }).dbTls).toBe('rds');
  });

  it.each([
    [{ [SECRET_ROTATION_ENV.secretArn]: ' ' }, 'DR_SECRET_ARN is not set'],
    [{ [SECRET_ROTATION_ENV.secretArn]: 'txdr-dev/db/master' }, 'DR_SECRET_ARN must be a Secrets Manager secret ARN, got txdr-dev/db/master'],
    [{ [SECRET_ROTATION_ENV.secretArn]: 'arn:aws:ssm:us-east-1:111122223333:parameter/x' }, 'DR_SECRET_ARN must be a Secrets Manager secret ARN, got arn:aws:ssm:us-east-1:111122223333:parameter/x'],
    [{ [SECRET_ROTATION_ENV.dbHost]: undefined }, 'DR_DB_HOST is not set'],
    [{ [SECRET_ROTATION_ENV.dbHost]: 'a b' }, 'DR_DB_HOST must be a host name, got "a b"'],
    [{ [SECRET_ROTATION_ENV.dbPort]: '0' }, 'DR_DB_PORT must be a port number from 1 to 65535, got 0'],
    [{ [SECRET_ROTATION_ENV.dbPort]: '33o6' }, 'DR_DB_PORT must be a port number from 1 to 65535, got 33o6'],
    [{ [SECRET_ROTATION_ENV.dbTls]: 'true' }, 'DR_DB_TLS must be rds or off, got true'],
    [{ [SECRET_ROTATION_ENV.dbTimeoutMs]: '99' }, 'DR_DB_TIMEOUT_MS must be a whole number of milliseconds from 100 to 60000, got 99'],
    [{ [SECRET_ROTATION_ENV.callTimeoutMs]: '1.5' }, 'DR_CALL_TIMEOUT_MS must be a whole number of milliseconds from 100 to 60000, got 1.5'],
  ])('refuses %j: %s', (change, problem) => {
    expect(() => readSettings({ ...VARS, ...change })).toThrow(new SettingsError([problem]));
  });

  it('names every problem at once', () => {
    let thrown: unknown;
    try {
      readSettings({ [SECRET_ROTATION_ENV.dbTls]: 'maybe' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SettingsError);
    expect((thrown as SettingsError).problems).toEqual(['DR_SECRET_ARN is not set', 'DR_DB_HOST is not set', 'DR_DB_TLS must be rds or off, got maybe']);
  });
});
