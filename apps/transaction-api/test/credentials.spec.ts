import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SignerConfig } from '@aws-sdk/rds-signer';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CredentialError,
  IAM_TOKEN_LIFETIME_MS,
  credentialProvider,
  iamCredentials,
  secretCredentials,
  staticCredentials,
  type TokenSigner,
} from '../src/credentials';
import { Database, iamAuthPlugin } from '../src/db/database';
import { classifyDbError, DbClientError, isAuthenticationFailure } from '../src/db/errors';

const secrets = mockClient(SecretsManagerClient);
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:txdr-dev/primary/db-service-AbCdEf';
const target = { host: 'txdr-dev-global.global-abc.global.rds.amazonaws.com', port: 3306 };

beforeEach(() => secrets.reset());

/** DNS with no alias anywhere: every endpoint is signed for as it is (iam-signing.spec.ts follows aliases). */
const noCname = () => Promise.resolve([]);

/** A signer that hands out numbered tokens and remembers what it was made for. */
function fakeSigners() {
  const made: SignerConfig[] = [];
  let signed = 0;
  const factory = (config: SignerConfig): TokenSigner => {
    made.push(config);
    return { getAuthToken: () => Promise.resolve(`${config.hostname}:${config.port}/?Action=connect&DBUser=${config.username}&token=${++signed}`) };
  };
  return { made, factory, signed: () => signed };
}

describe('staticCredentials', () => {
  it('hands out the given user and password', async () => {
    const provider = staticCredentials('app', 'pw');
    expect(provider.kind).toBe('static');
    await expect(provider.credential(target, { fresh: true })).resolves.toEqual({ user: 'app', password: 'pw' });
  });
});

describe('secretCredentials', () => {
  const provider = () => secretCredentials({ secretArn: SECRET_ARN, secrets: new SecretsManagerClient({ region: 'us-east-1' }) });

  it('reads the secret once, and again only when asked for a fresh credential', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolvesOnce({ SecretString: '{"username":"txn_service","password":"first"}' }).resolves({ SecretString: '{"username":"txn_service","password":"rotated"}' });
    const credentials = provider();
    await expect(credentials.credential(target)).resolves.toEqual({ user: 'txn_service', password: 'first' });
    await expect(credentials.credential(target)).resolves.toEqual({ user: 'txn_service', password: 'first' });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    await expect(credentials.credential(target, { fresh: true })).resolves.toEqual({ user: 'txn_service', password: 'rotated' });
    await expect(credentials.credential(target)).resolves.toEqual({ user: 'txn_service', password: 'rotated' });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('shares one read among concurrent asks', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"u","password":"p"}' });
    const credentials = provider();
    await Promise.all(Array.from({ length: 5 }, () => credentials.credential(target, { fresh: true })));
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('names the secret it cannot read, and tries again on the next ask', async () => {
    secrets.on(GetSecretValueCommand).rejectsOnce(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} })).resolves({ SecretString: '{"username":"u","password":"p"}' });
    const credentials = provider();
    const error = await credentials.credential(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialError);
    expect((error as Error).message).toBe(`cannot read secret ${SECRET_ARN}: ResourceNotFoundException: Secrets Manager can't find the specified secret.`);
    await expect(credentials.credential(target)).resolves.toEqual({ user: 'u', password: 'p' });
  });

  it.each([
    ['not JSON', 'txn_service:secret-value'],
    ['JSON without a password', '{"username":"txn_service"}'],
    ['an empty password', '{"username":"txn_service","password":""}'],
  ])('refuses a secret that is %s, without echoing it', async (_what, secretString) => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: secretString });
    const error = (await provider()
      .credential(target)
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(`secret ${SECRET_ARN} is not a JSON object with string fields "username" and "password"`);
    expect(error.message).not.toContain('secret-value');
  });
});

describe('iamCredentials', () => {
  it('signs for the endpoint, the user and the region, with one signer per endpoint', async () => {
    const signers = fakeSigners();
    const credentials = iamCredentials({ user: 'txn_service', region: 'us-east-1', resolveCname: noCname, signer: signers.factory });
    const first = await credentials.credential(target);
    expect(first).toEqual({ user: 'txn_service', password: `${target.host}:3306/?Action=connect&DBUser=txn_service&token=1` });
    await credentials.credential({ host: 'txdr-dev-primary.cluster-abc.us-east-1.rds.amazonaws.com', port: 3306 });
    expect(signers.made).toEqual([
      { hostname: target.host, port: 3306, username: 'txn_service', region: 'us-east-1' },
      { hostname: 'txdr-dev-primary.cluster-abc.us-east-1.rds.amazonaws.com', port: 3306, username: 'txn_service', region: 'us-east-1' },
    ]);
  });

  it('reuses a token below its 15-minute life, signs anew after reuseMs, and at once when asked for a fresh one', async () => {
    let now = 1_000_000;
    const signers = fakeSigners();
    const credentials = iamCredentials({ user: 'txn_service', region: 'us-east-1', resolveCname: noCname, signer: signers.factory, reuseMs: 600_000, now: () => now });
    const token = async (fresh = false) => (await credentials.credential(target, { fresh })).password.split('token=')[1];
    expect(await token()).toBe('1');
    now += 599_999;
    expect(await token()).toBe('1');
    now += 1;
    expect(await token()).toBe('2');
    expect(await token(true)).toBe('3');
    expect(await token()).toBe('3');
  });

  it('shares one signing among concurrent new connections', async () => {
    const signers = fakeSigners();
    const credentials = iamCredentials({ user: 'txn_service', region: 'us-east-1', resolveCname: noCname, signer: signers.factory });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => credentials.credential(target)));
    expect(new Set(tokens.map((t) => t.password)).size).toBe(1);
    expect(signers.signed()).toBe(1);
  });

  it('says which endpoint and user it cannot sign for', async () => {
    const credentials = iamCredentials({
      user: 'txn_service',
      region: 'us-east-1',
      resolveCname: noCname,
      signer: () => ({ getAuthToken: () => Promise.reject(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })) }),
    });
    await expect(credentials.credential(target)).rejects.toThrow(
      `cannot sign an IAM database token for txn_service at ${target.host}:3306 in us-east-1: CredentialsProviderError: Could not load credentials from any providers`,
    );
  });

  it.each([0, IAM_TOKEN_LIFETIME_MS, IAM_TOKEN_LIFETIME_MS + 1])('refuses to reuse a token for %i ms', (reuseMs) => {
    expect(() => iamCredentials({ user: 'u', region: 'us-east-1', reuseMs })).toThrow(RangeError);
  });

  it('is what the mysql_clear_password plugin sends: a fresh-enough token, NUL-terminated, asked for each new connection', async () => {
    const signers = fakeSigners();
    const credentials = iamCredentials({ user: 'txn_service', region: 'us-east-1', resolveCname: noCname, signer: signers.factory });
    const asked: unknown[] = [];
    const plugin = iamAuthPlugin({ kind: 'iam', credential: (t, r) => (asked.push(t), credentials.credential(t, r)) }, target);
    const answer = (await plugin({ connection: {} as never, command: '' })(Buffer.alloc(0))) as Buffer;
    expect(answer.toString('utf8')).toBe(`${target.host}:3306/?Action=connect&DBUser=txn_service&token=1\0`);
    await plugin({ connection: {} as never, command: '' })(Buffer.alloc(0));
    expect(asked).toEqual([target, target]);
  });
});

describe('credentialProvider', () => {
  it('makes the provider DB_AUTH names', () => {
    const context = { region: 'us-east-1', secrets: () => new SecretsManagerClient({ region: 'us-east-1' }) };
    expect(credentialProvider({ kind: 'static', user: 'u', password: 'p' }, context).kind).toBe('static');
    expect(credentialProvider({ kind: 'iam', user: 'u' }, context).kind).toBe('iam');
    expect(credentialProvider({ kind: 'secret', secretArnParameter: '/dr/s' }, { ...context, secretArn: SECRET_ARN }).kind).toBe('secret');
    expect(() => credentialProvider({ kind: 'secret', secretArnParameter: '/dr/s' }, context)).toThrow("DB_AUTH=secret needs the secret's ARN, read from /dr/s");
  });
});

describe('IAM connections', () => {
  it('are refused without TLS, where the token would cross the network in clear', () => {
    expect(
      () => new Database({ endpoint: { ...target, database: 'transactions' }, credentials: iamCredentials({ user: 'u', region: 'us-east-1' }), tls: 'off', poolSize: 1, connectTimeoutMs: 1_000, queryTimeoutMs: 1_000 }),
    ).toThrow('IAM database authentication needs TLS');
  });
});

describe('authentication failures', () => {
  it.each([
    [1045, 'ER_ACCESS_DENIED_ERROR'],
    [1044, 'ER_DBACCESS_DENIED_ERROR'],
    [1698, 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR'],
    [1862, 'ER_MUST_CHANGE_PASSWORD_LOGIN'],
    [3118, 'ER_ACCOUNT_HAS_BEEN_LOCKED'],
    [4151, 'ER_ACCOUNT_HAS_BEEN_LOCKED'],
  ])('errno %i (%s) is a refused credential, and the database unavailable to the caller', (errno, code) => {
    const error = Object.assign(new Error('Access denied'), { errno, code });
    expect(isAuthenticationFailure(error)).toBe(true);
    expect(classifyDbError(error)).toBe('unavailable');
  });

  it.each([
    [1142, 'ER_TABLEACCESS_DENIED_ERROR: a statement the user may not run'],
    [1227, 'ER_SPECIFIC_ACCESS_DENIED_ERROR'],
    [1062, 'ER_DUP_ENTRY'],
  ])('errno %i (%s) is not', (errno) => {
    expect(isAuthenticationFailure(Object.assign(new Error('x'), { errno }))).toBe(false);
  });

  it('no working credential, or none to be had, is a 503 for the caller', () => {
    expect(classifyDbError(new DbClientError('DB_CREDENTIALS_UNAVAILABLE', 'no database credential works yet'))).toBe('unavailable');
    expect(classifyDbError(new CredentialError('cannot read secret'))).toBe('unavailable');
  });
});
