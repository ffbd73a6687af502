import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import type { DatabaseSource } from './config';

/** Where to connect, with credentials: what the pool is made from. */
export interface DatabaseEndpoint {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

/** What start-up resolves: where reads and writes go, and where the health probes go when elsewhere. */
export interface DatabaseEndpoints {
  readonly data: DatabaseEndpoint;
  /** The health probes' endpoint, with the data endpoint's credentials and schema; absent, the probes use `data`. */
  readonly probe?: DatabaseEndpoint;
}

/** The AWS clients endpoint resolution needs; tests pass mocked ones. */
export interface AwsClients {
  readonly ssm: SSMClient;
  readonly secrets: SecretsManagerClient;
}

/** Clients for the instance's region, with bounded calls so a start-up cannot hang on AWS. */
export function createAwsClients(region: string): AwsClients {
  const common = { region, maxAttempts: 4, requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 } };
  return { ssm: new SSMClient(common), secrets: new SecretsManagerClient(common) };
}

/** The database layer stores the master credentials as this JSON document. */
const secretSchema = z.object({ username: z.string().min(1), password: z.string().min(1) });

/** A failure to resolve the endpoint, naming what was read; never the secret's content. */
export class EndpointResolutionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EndpointResolutionError';
  }
}

/**
 * Resolves the database endpoints: as given, or (in AWS) hosts, port and name from SSM, in one
 * call, and the credentials from the Secrets Manager secret whose ARN is in SSM. Called once at
 * start-up.
 */
export async function resolveDatabaseEndpoints(source: DatabaseSource, clients: () => AwsClients): Promise<DatabaseEndpoints> {
  if (source.kind === 'direct') {
    const data: DatabaseEndpoint = { host: source.host, port: source.port, database: source.database, user: source.user, password: source.password };
    return source.probe === undefined ? { data } : { data, probe: { ...data, host: source.probe.host, port: source.probe.port } };
  }
  const { ssm, secrets } = clients();
  const names = [source.hostParameter, source.secretArnParameter, source.portParameter, source.databaseParameter, source.probeHostParameter].filter(
    (n): n is string => n !== undefined,
  );
  let values: Map<string, string>;
  try {
    const out = await ssm.send(new GetParametersCommand({ Names: names, WithDecryption: true }));
    values = new Map((out.Parameters ?? []).flatMap((p) => (p.Name !== undefined && p.Value !== undefined ? [[p.Name, p.Value] as const] : [])));
    const missing = [...(out.InvalidParameters ?? []), ...names.filter((n) => !values.has(n))];
    if (missing.length > 0) throw new EndpointResolutionError(`SSM parameters not found: ${[...new Set(missing)].join(', ')}`);
  } catch (error) {
    if (error instanceof EndpointResolutionError) throw error;
    throw new EndpointResolutionError(`cannot read SSM parameters ${names.join(', ')}: ${describe(error)}`, { cause: error });
  }
  const read = (name: string) => values.get(name) as string;

  const port = source.portParameter === undefined ? source.fallbackPort : Number(read(source.portParameter));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new EndpointResolutionError(`SSM parameter ${source.portParameter} is not a port number`);
  }
  const database = source.databaseParameter === undefined ? source.fallbackDatabase : read(source.databaseParameter);

  const secretArn = read(source.secretArnParameter);
  let secretString: string | undefined;
  try {
    secretString = (await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (error) {
    throw new EndpointResolutionError(`cannot read secret ${secretArn} (from ${source.secretArnParameter}): ${describe(error)}`, { cause: error });
  }
  let credentials: z.output<typeof secretSchema>;
  try {
    credentials = secretSchema.parse(JSON.parse(secretString ?? ''));
  } catch {
    throw new EndpointResolutionError(`secret ${secretArn} is not a JSON object with string fields "username" and "password"`);
  }
  const data: DatabaseEndpoint = { host: read(source.hostParameter), port, database, user: credentials.username, password: credentials.password };
  if (source.probeHostParameter === undefined) return { data };
  return { data, probe: { ...data, host: read(source.probeHostParameter), port: source.probePort ?? port } };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
