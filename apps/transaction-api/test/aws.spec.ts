import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients, resolveDatabaseEndpoints } from '../src/aws';
import type { DatabaseSource, DbAuthConfig } from '../src/config';

const ssm = mockClient(SSMClient);
const secrets = mockClient(SecretsManagerClient);
const clients = () => ({ ssm: new SSMClient({ region: 'us-east-2' }), secrets: new SecretsManagerClient({ region: 'us-east-2' }) });

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-2:123456789012:secret:txdr-dev/secondary/db-master-AbCdEf';
const source: Extract<DatabaseSource, { kind: 'aws' }> = {
  kind: 'aws',
  hostParameter: '/dr/dev/secondary/db/writer-endpoint',
  portParameter: '/dr/dev/secondary/db/port',
  databaseParameter: '/dr/dev/secondary/db/name',
  fallbackPort: 3306,
  fallbackDatabase: 'transactions',
};
const secretAuth: DbAuthConfig = { kind: 'secret', secretArnParameter: '/dr/dev/secondary/db/secret-arn' };
const iamAuth: DbAuthConfig = { kind: 'iam', user: 'txn_service' };
const GLOBAL_WRITER = '/dr/dev/secondary/db/global-writer-endpoint';
const parameters = {
  '/dr/dev/secondary/db/writer-endpoint': 'txdr-dev-secondary-aurora.cluster-abc.us-east-2.rds.amazonaws.com',
  '/dr/dev/secondary/db/port': '3306',
  '/dr/dev/secondary/db/name': 'transactions',
  '/dr/dev/secondary/db/secret-arn': SECRET_ARN,
};

function answerParameters(values: Record<string, string>) {
  ssm.on(GetParametersCommand).callsFake((input: { Names: string[] }) => ({
    Parameters: input.Names.filter((n) => n in values).map((Name) => ({ Name, Value: values[Name], Type: 'String' })),
    InvalidParameters: input.Names.filter((n) => !(n in values)),
  }));
}

beforeEach(() => {
  ssm.reset();
  secrets.reset();
});

describe('resolveDatabaseEndpoints', () => {
  it('reads host, port, name and the secret ARN from SSM in one call, and no secret', async () => {
    answerParameters(parameters);

    await expect(resolveDatabaseEndpoints(source, secretAuth, clients)).resolves.toEqual({
      data: { host: 'txdr-dev-secondary-aurora.cluster-abc.us-east-2.rds.amazonaws.com', port: 3306, database: 'transactions' },
      secretArn: SECRET_ARN,
    });
    // One round trip for every parameter, decrypted in case one is a SecureString.
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
    expect(ssm.commandCalls(GetParametersCommand)[0]!.args[0].input).toEqual({ Names: Object.keys(parameters).sort(byOrder), WithDecryption: true });
    // The credentials are read when connections need them, not here.
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('asks for no secret ARN with IAM authentication', async () => {
    const { '/dr/dev/secondary/db/secret-arn': _secret, ...withoutSecret } = parameters;
    answerParameters(withoutSecret);
    await expect(resolveDatabaseEndpoints(source, iamAuth, clients)).resolves.toEqual({
      data: { host: 'txdr-dev-secondary-aurora.cluster-abc.us-east-2.rds.amazonaws.com', port: 3306, database: 'transactions' },
    });
    expect(ssm.commandCalls(GetParametersCommand)[0]!.args[0].input.Names).not.toContain('/dr/dev/secondary/db/secret-arn');
  });

  it('falls back to the given port and name when no parameter names them', async () => {
    answerParameters(parameters);
    const endpoint = await resolveDatabaseEndpoints({ kind: 'aws', hostParameter: source.hostParameter, fallbackPort: 3307, fallbackDatabase: 'tx' }, iamAuth, clients);
    expect(endpoint.data).toMatchObject({ port: 3307, database: 'tx' });
  });

  it('reads the probe host in the same call and gives the probes the data schema and port', async () => {
    answerParameters({ ...parameters, [GLOBAL_WRITER]: 'txdr-dev-global.global-abc.global.rds.amazonaws.com' });
    const endpoints = await resolveDatabaseEndpoints({ ...source, hostParameter: GLOBAL_WRITER, probeHostParameter: source.hostParameter }, iamAuth, clients);
    expect(endpoints).toEqual({
      data: { host: 'txdr-dev-global.global-abc.global.rds.amazonaws.com', port: 3306, database: 'transactions' },
      probe: { host: 'txdr-dev-secondary-aurora.cluster-abc.us-east-2.rds.amazonaws.com', port: 3306, database: 'transactions' },
    });
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
    expect(ssm.commandCalls(GetParametersCommand)[0]!.args[0].input.Names).toEqual(expect.arrayContaining([GLOBAL_WRITER, source.hostParameter]));
  });

  it('probes on the port it is given', async () => {
    answerParameters({ ...parameters, [GLOBAL_WRITER]: 'g' });
    const endpoints = await resolveDatabaseEndpoints({ ...source, hostParameter: GLOBAL_WRITER, probeHostParameter: source.hostParameter, probePort: 3310 }, iamAuth, clients);
    expect(endpoints.probe).toMatchObject({ port: 3310 });
    expect(endpoints.data).toMatchObject({ port: 3306 });
  });

  it('names a probe host parameter that does not exist', async () => {
    answerParameters(parameters);
    await expect(resolveDatabaseEndpoints({ ...source, probeHostParameter: '/dr/dev/secondary/db/missing' }, secretAuth, clients)).rejects.toThrow(
      'SSM parameters not found: /dr/dev/secondary/db/missing',
    );
  });

  it('uses a direct source as given, without calling AWS', async () => {
    const noAws = () => {
      throw new Error('no AWS here');
    };
    const auth: DbAuthConfig = { kind: 'static', user: 'u', password: 'p' };
    const endpoints = await resolveDatabaseEndpoints({ kind: 'direct', host: 'h', port: 1, database: 'd' }, auth, noAws);
    expect(endpoints).toEqual({ data: { host: 'h', port: 1, database: 'd' } });
    const split = await resolveDatabaseEndpoints({ kind: 'direct', host: 'h', port: 1, database: 'd', probe: { host: 'r', port: 2 } }, auth, noAws);
    expect(split.probe).toEqual({ host: 'r', port: 2, database: 'd' });
  });

  it('reads only the secret ARN beside a direct host', async () => {
    answerParameters(parameters);
    const endpoints = await resolveDatabaseEndpoints({ kind: 'direct', host: 'h', port: 1, database: 'd' }, secretAuth, clients);
    expect(endpoints).toEqual({ data: { host: 'h', port: 1, database: 'd' }, secretArn: SECRET_ARN });
    expect(ssm.commandCalls(GetParametersCommand)[0]!.args[0].input.Names).toEqual(['/dr/dev/secondary/db/secret-arn']);
  });

  it('names the parameters that do not exist', async () => {
    answerParameters({ '/dr/dev/secondary/db/writer-endpoint': 'h', '/dr/dev/secondary/db/port': '3306', '/dr/dev/secondary/db/name': 'n' });
    await expect(resolveDatabaseEndpoints(source, secretAuth, clients)).rejects.toThrow('SSM parameters not found: /dr/dev/secondary/db/secret-arn');
  });

  it('names the parameters when SSM cannot be read', async () => {
    ssm.on(GetParametersCommand).rejects(Object.assign(new Error('User is not authorized to perform: ssm:GetParameters'), { name: 'AccessDeniedException' }));
    await expect(resolveDatabaseEndpoints(source, iamAuth, clients)).rejects.toThrow(/cannot read SSM parameters \/dr\/dev\/secondary\/db\/writer-endpoint.*AccessDeniedException/);
  });

  it('refuses a port parameter that is not a port', async () => {
    answerParameters({ ...parameters, '/dr/dev/secondary/db/port': 'mysql' });
    await expect(resolveDatabaseEndpoints(source, iamAuth, clients)).rejects.toThrow('SSM parameter /dr/dev/secondary/db/port is not a port number');
  });
});

describe('createAwsClients', () => {
  it('makes clients for the instance region', async () => {
    const made = createAwsClients('us-east-2');
    await expect(made.ssm.config.region()).resolves.toBe('us-east-2');
    await expect(made.secrets.config.region()).resolves.toBe('us-east-2');
  });
});

function byOrder(a: string, b: string): number {
  const order = [source.hostParameter, '/dr/dev/secondary/db/secret-arn', source.portParameter, source.databaseParameter];
  return order.indexOf(a) - order.indexOf(b);
}
