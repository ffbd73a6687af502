import { ConfigError } from '@txn-dr/config';
import { SERVICE_DB_USER, SERVICE_ENV, SERVICE_ENV_PLACEHOLDERS, renderServiceEnv, serviceEnvValues } from '@txn-dr/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, loadMigrateConfig } from '../src/config';

const direct = { AWS_REGION: 'us-east-1', DR_ROLE: 'primary', DB_HOST: '127.0.0.1', DB_USER: 'app', DB_PASSWORD: 's3cret-value' };
const template = readFileSync(join(__dirname, '../deploy/transaction-api.env.template'), 'utf8');

/** Reads a systemd EnvironmentFile the simple way it is written: KEY=value lines and comments. */
function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

function configError(env: Record<string, string>, load: (env: Record<string, string>) => unknown = loadConfig): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fills every default for a local run', () => {
    expect(loadConfig(direct)).toEqual({
      host: '0.0.0.0',
      port: 8080,
      region: 'us-east-1',
      role: 'primary',
      logLevel: 'info',
      bodyLimitBytes: 16_384,
      shutdownTimeoutMs: 20_000,
      retryAfterSeconds: 5,
      db: {
        source: { kind: 'direct', host: '127.0.0.1', port: 3306, database: 'transactions' },
        auth: { kind: 'static', user: 'app', password: 's3cret-value' },
        tls: 'off',
        poolSize: 10,
        connectTimeoutMs: 3_000,
        queryTimeoutMs: 5_000,
        healthTimeoutMs: 1_500,
        migrateOnStart: false,
      },
    });
  });

  it('reads the env file the instances get: SSM, IAM authentication as the service user over TLS, data to the global writer and probes to the region', () => {
    const rendered = renderServiceEnv(template, serviceEnvValues({ envName: 'dev', role: 'secondary', region: 'us-east-2', appPort: 8081 }));
    const config = loadConfig(parseEnvFile(rendered));
    expect(config).toMatchObject({ region: 'us-east-2', role: 'secondary', port: 8081, host: '0.0.0.0', db: { tls: 'rds', migrateOnStart: false } });
    expect(config.db.auth).toEqual({ kind: 'iam', user: SERVICE_DB_USER });
    expect(config.db.source).toEqual({
      kind: 'aws',
      hostParameter: '/dr/dev/secondary/db/global-writer-endpoint',
      probeHostParameter: '/dr/dev/secondary/db/writer-endpoint',
      portParameter: '/dr/dev/secondary/db/port',
      databaseParameter: '/dr/dev/secondary/db/name',
      fallbackPort: 3306,
      fallbackDatabase: 'transactions',
    });
  });

  it('has a template whose placeholders are contracted ones, each a service variable, and no secret among them', () => {
    const placeholders = [...template.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]);
    // The instances log in with IAM tokens: they read no secret, not even its ARN.
    expect(new Set(placeholders)).toEqual(new Set(SERVICE_ENV_PLACEHOLDERS.filter((name) => name !== SERVICE_ENV.dbSecretArnParameter)));
    const names = new Set<string>(Object.values(SERVICE_ENV));
    for (const key of Object.keys(parseEnvFile(template))) expect(names.has(key)).toBe(true);
    expect(parseEnvFile(template)).toMatchObject({ DB_AUTH: 'iam', DB_TLS: 'rds' });
    expect(parseEnvFile(template)).not.toHaveProperty('DB_MIGRATE_ON_START');
  });

  it('takes IAM authentication as the service user unless told another user', () => {
    const iam = { AWS_REGION: 'us-east-1', DR_ROLE: 'primary', DB_HOST: 'db.example', DB_AUTH: 'iam', DB_TLS: 'rds' };
    expect(loadConfig(iam).db.auth).toEqual({ kind: 'iam', user: SERVICE_DB_USER });
    expect(loadConfig({ ...iam, DB_USER: 'other_user' }).db.auth).toEqual({ kind: 'iam', user: 'other_user' });
  });

  it('takes the credentials from a secret named in SSM, beside a host given either way', () => {
    const secret = { AWS_REGION: 'us-east-1', DR_ROLE: 'primary', DB_SECRET_ARN_PARAMETER: '/dr/dev/primary/db/app-secret-arn' };
    expect(loadConfig({ ...secret, DB_HOST_PARAMETER: '/dr/dev/primary/db/writer-endpoint' }).db.auth).toEqual({ kind: 'secret', secretArnParameter: '/dr/dev/primary/db/app-secret-arn' });
    expect(loadConfig({ ...secret, DB_HOST: 'h', DB_AUTH: 'secret' }).db).toMatchObject({ source: { kind: 'direct', host: 'h' }, auth: { kind: 'secret' } });
  });

  it('migrates at start only when told', () => {
    expect(loadConfig({ ...direct, DB_MIGRATE_ON_START: 'true' }).db.migrateOnStart).toBe(true);
    expect(loadConfig({ ...direct, DB_MIGRATE_ON_START: 'false' }).db.migrateOnStart).toBe(false);
  });

  it('probes a host of its own, given directly, on the data port unless told', () => {
    expect(loadConfig({ ...direct, DB_PORT: '3307', DB_PROBE_HOST: '127.0.0.2' }).db.source).toMatchObject({ kind: 'direct', host: '127.0.0.1', port: 3307, probe: { host: '127.0.0.2', port: 3307 } });
    expect(loadConfig({ ...direct, DB_PROBE_HOST: '127.0.0.2', DB_PROBE_PORT: '3310' }).db.source).toMatchObject({ probe: { host: '127.0.0.2', port: 3310 } });
  });

  it('probes a host read from SSM beside the data host from SSM', () => {
    const aws = { AWS_REGION: 'us-east-1', DR_ROLE: 'primary', DB_HOST_PARAMETER: '/dr/dev/primary/db/global-writer-endpoint', DB_SECRET_ARN_PARAMETER: '/dr/dev/primary/db/secret-arn' };
    expect(loadConfig({ ...aws, DB_PROBE_HOST_PARAMETER: '/dr/dev/primary/db/writer-endpoint', DB_PROBE_PORT: '3310' }).db.source).toMatchObject({
      kind: 'aws',
      hostParameter: '/dr/dev/primary/db/global-writer-endpoint',
      probeHostParameter: '/dr/dev/primary/db/writer-endpoint',
      probePort: 3310,
    });
    expect(loadConfig(aws).db.source).not.toHaveProperty('probeHostParameter');
  });

  it('probes the data endpoint when no probe host is set', () => {
    expect(loadConfig(direct).db.source).not.toHaveProperty('probe');
    expect(loadConfig({ ...direct, DB_PROBE_HOST: '' }).db.source).not.toHaveProperty('probe');
  });

  it('treats an empty value as unset', () => {
    expect(configError({ ...direct, DR_ROLE: '' })).toContain('DR_ROLE: is required: one of primary, secondary');
  });

  it.each([
    ['no region', { AWS_REGION: undefined }, 'AWS_REGION: is required'],
    ['a bad region', { AWS_REGION: 'useast1' }, 'AWS_REGION: must be an AWS region code'],
    ['an unknown role', { DR_ROLE: 'tertiary' }, 'DR_ROLE: must be: one of primary, secondary'],
    ['a port that is not a number', { APP_PORT: 'http' }, 'APP_PORT: must be a whole number'],
    ['a port out of range', { APP_PORT: '70000' }, 'APP_PORT: must be at most 65535'],
    ['a pool of zero', { DB_POOL_SIZE: '0' }, 'DB_POOL_SIZE: must be at least 1'],
    ['an unknown log level', { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    ['an unknown TLS mode', { DB_TLS: 'yes' }, 'DB_TLS'],
    ['a health timeout the load balancer would not wait for', { HEALTH_TIMEOUT_MS: '2500' }, 'HEALTH_TIMEOUT_MS: must be under 2000'],
    ['no database host', { DB_HOST: undefined }, 'DB_HOST: is required (or DB_HOST_PARAMETER'],
    ['no user', { DB_USER: undefined }, 'DB_USER: is required'],
    ['no password', { DB_PASSWORD: undefined }, 'DB_PASSWORD: is required'],
    ['a host both direct and from SSM', { DB_HOST_PARAMETER: '/dr/dev/primary/db/writer-endpoint' }, 'DB_HOST: set either DB_HOST or DB_HOST_PARAMETER, not both'],
    ['an SSM name without a leading slash', { DB_HOST: undefined, DB_HOST_PARAMETER: 'dr/x', DB_USER: undefined, DB_PASSWORD: undefined, DB_SECRET_ARN_PARAMETER: '/dr/s' }, 'DB_HOST_PARAMETER: must be an SSM parameter name'],
    ['an unknown way to authenticate', { DB_AUTH: 'kerberos' }, 'DB_AUTH: must be one of iam, secret, static'],
    ['no credentials at all', { DB_USER: undefined, DB_PASSWORD: undefined }, 'DB_AUTH: is required: iam, secret (with DB_SECRET_ARN_PARAMETER) or static'],
    ['IAM authentication without TLS', { DB_AUTH: 'iam', DB_USER: undefined, DB_PASSWORD: undefined }, 'DB_TLS: must be rds with DB_AUTH=iam'],
    ['IAM authentication with a password', { DB_AUTH: 'iam', DB_TLS: 'rds' }, 'DB_PASSWORD: not used with DB_AUTH=iam'],
    ['a secret beside a direct user', { DB_AUTH: 'secret', DB_SECRET_ARN_PARAMETER: '/dr/s', DB_PASSWORD: undefined }, 'DB_USER: not used with DB_AUTH=secret: the secret names the user'],
    ['a secret without its parameter', { DB_AUTH: 'secret', DB_USER: undefined, DB_PASSWORD: undefined }, 'DB_SECRET_ARN_PARAMETER: is required with DB_AUTH=secret'],
    ['a static password beside a secret', { DB_AUTH: 'static', DB_SECRET_ARN_PARAMETER: '/dr/s' }, 'DB_SECRET_ARN_PARAMETER: not used with DB_AUTH=static'],
    ['a migrate flag that is not a boolean', { DB_MIGRATE_ON_START: 'yes' }, 'DB_MIGRATE_ON_START: must be true or false'],
    ['a bad database name', { DB_NAME: 'drop table;' }, 'DB_NAME: must be a MySQL identifier'],
    ['a probe host both direct and from SSM', { DB_PROBE_HOST: 'h', DB_PROBE_HOST_PARAMETER: '/dr/p' }, 'DB_PROBE_HOST: set either DB_PROBE_HOST or DB_PROBE_HOST_PARAMETER, not both'],
    ['a probe port without a probe host', { DB_PROBE_PORT: '3307' }, 'DB_PROBE_PORT: needs DB_PROBE_HOST or DB_PROBE_HOST_PARAMETER'],
    ['a probe port out of range', { DB_PROBE_HOST: 'h', DB_PROBE_PORT: '0' }, 'DB_PROBE_PORT: must be at least 1'],
    ['a probe host parameter beside a direct data host', { DB_PROBE_HOST_PARAMETER: '/dr/dev/primary/db/writer-endpoint' }, 'DB_PROBE_HOST_PARAMETER: goes with DB_HOST_PARAMETER (SSM); beside DB_HOST set DB_PROBE_HOST'],
    ['a probe host parameter without a leading slash', { DB_HOST: undefined, DB_HOST_PARAMETER: '/dr/h', DB_USER: undefined, DB_PASSWORD: undefined, DB_SECRET_ARN_PARAMETER: '/dr/s', DB_PROBE_HOST_PARAMETER: 'dr/p' }, 'DB_PROBE_HOST_PARAMETER: must be an SSM parameter name'],
    ['a direct probe host beside a data host from SSM', { DB_HOST: undefined, DB_HOST_PARAMETER: '/dr/h', DB_USER: undefined, DB_PASSWORD: undefined, DB_SECRET_ARN_PARAMETER: '/dr/s', DB_PROBE_HOST: 'h' }, 'DB_PROBE_HOST: goes with DB_HOST; beside DB_HOST_PARAMETER (SSM) set DB_PROBE_HOST_PARAMETER'],
  ])('refuses %s, naming the variable', (_what, change, message) => {
    const env: Record<string, string> = { ...direct };
    for (const [key, value] of Object.entries(change)) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    expect(configError(env)).toContain(message);
  });

  it('names every problem at once and never echoes a value', () => {
    const message = configError({ DB_PASSWORD: 's3cret-value', DB_SECRET_ARN_PARAMETER: '/dr/dev/primary/db/secret-arn', APP_PORT: 'x' });
    expect(message).toContain('AWS_REGION');
    expect(message).toContain('DR_ROLE');
    expect(message).toContain('APP_PORT');
    expect(message).not.toContain('s3cret-value');
  });
});

describe('loadMigrateConfig', () => {
  const admin = { AWS_REGION: 'us-east-1', DB_HOST: '127.0.0.1', DB_USER: 'admin', DB_PASSWORD: 'admin-password' };

  it('connects as given and creates the contracted service user with IAM authentication, from anywhere', () => {
    expect(loadMigrateConfig({ ...admin, SERVICE_DB_AUTH: 'iam' })).toEqual({
      region: 'us-east-1',
      logLevel: 'info',
      db: {
        source: { kind: 'direct', host: '127.0.0.1', port: 3306, database: 'transactions' },
        auth: { kind: 'static', user: 'admin', password: 'admin-password' },
        tls: 'off',
        connectTimeoutMs: 3_000,
        queryTimeoutMs: 5_000,
      },
      serviceUser: { name: SERVICE_DB_USER, host: '%', auth: { kind: 'iam' } },
    });
  });

  it('connects with the master secret in AWS and gives the service user a password locally', () => {
    const aws = { AWS_REGION: 'us-east-1', DB_HOST_PARAMETER: '/dr/dev/primary/db/global-writer-endpoint', DB_SECRET_ARN_PARAMETER: '/dr/dev/primary/db/secret-arn', DB_TLS: 'rds' };
    expect(loadMigrateConfig({ ...aws, SERVICE_DB_AUTH: 'iam' }).db.auth).toEqual({ kind: 'secret', secretArnParameter: '/dr/dev/primary/db/secret-arn' });
    expect(loadMigrateConfig({ ...admin, SERVICE_DB_AUTH: 'password', SERVICE_DB_PASSWORD: 'a-long-service-password', SERVICE_DB_USER_HOST: '127.0.0.1' }).serviceUser).toEqual({
      name: SERVICE_DB_USER,
      host: '127.0.0.1',
      auth: { kind: 'password', password: 'a-long-service-password' },
    });
  });

  it.each([
    ['no way for the service user to log in', {}, 'SERVICE_DB_AUTH: is required: iam or password'],
    ['a password user without a password', { SERVICE_DB_AUTH: 'password' }, 'SERVICE_DB_PASSWORD: is required with SERVICE_DB_AUTH=password'],
    ['an IAM user with a password', { SERVICE_DB_AUTH: 'iam', SERVICE_DB_PASSWORD: 'a-long-service-password' }, 'SERVICE_DB_PASSWORD: not used with SERVICE_DB_AUTH=iam'],
    ['a short service password', { SERVICE_DB_AUTH: 'password', SERVICE_DB_PASSWORD: 'short' }, 'SERVICE_DB_PASSWORD: must be at least 12 characters'],
    ['a user name that needs quoting', { SERVICE_DB_AUTH: 'iam', SERVICE_DB_USER: "x'; DROP USER root; --" }, 'SERVICE_DB_USER: must be 1 to 32 letters'],
    ['the service user as the administrative user', { SERVICE_DB_AUTH: 'iam', DB_USER: SERVICE_DB_USER }, 'DB_USER: is the service user (SERVICE_DB_USER)'],
    ['no database host', { SERVICE_DB_AUTH: 'iam', DB_HOST: undefined }, 'DB_HOST: is required'],
  ])('refuses %s, naming the variable', (_what, change, message) => {
    const env: Record<string, string> = { ...admin };
    for (const [key, value] of Object.entries(change)) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    expect(configError(env, loadMigrateConfig)).toContain(message);
  });

  it('never echoes a password', () => {
    const message = configError({ ...admin, SERVICE_DB_AUTH: 'iam', SERVICE_DB_PASSWORD: 'a-long-service-password', AWS_REGION: 'nowhere' }, loadMigrateConfig);
    expect(message).toContain('AWS_REGION');
    expect(message).not.toContain('a-long-service-password');
    expect(message).not.toContain('admin-password');
  });
});
