import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { SignerConfig } from '@aws-sdk/rds-signer';
import type { DatabaseSource, DbAuthConfig } from './config';
import { credentialProvider, type CredentialProvider, type TokenSigner } from './credentials';

/** Where to connect: what a pool is made from, with credentials from a CredentialProvider. */
export interface DatabaseEndpoint {
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

/** What start-up resolves: where reads and writes go, where the health probes go when elsewhere, and the secret to log in with. */
export interface DatabaseEndpoints {
  readonly data: DatabaseEndpoint;
  /** The health probes' endpoint, with the data endpoint's credentials and schema; absent, the probes use `data`. */
  readonly probe?: DatabaseEndpoint;
  /** ARN of the credentials' secret, read from `auth.secretArnParameter` (DB_AUTH=secret only). */
  readonly secretArn?: string;
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

/** A failure to resolve the endpoint, naming what was read; never a secret. */
export class EndpointResolutionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EndpointResolutionError';
  }
}

/**
 * Resolves the database endpoints: as given, or (in AWS) hosts, port and name from SSM, in one
 * call with the secret's ARN when the credentials come from Secrets Manager. Called once at
 * start-up; the credentials themselves are read when connections need them (CredentialProvider).
 */
export async function resolveDatabaseEndpoints(source: DatabaseSource, auth: DbAuthConfig, clients: () => AwsClients): Promise<DatabaseEndpoints> {
  const secretArnParameter = auth.kind === 'secret' ? auth.secretArnParameter : undefined;
  const names =
    source.kind === 'direct'
      ? [secretArnParameter]
      : [source.hostParameter, secretArnParameter, source.portParameter, source.databaseParameter, source.probeHostParameter];
  const wanted = names.filter((n): n is string => n !== undefined);
  const values = wanted.length === 0 ? new Map<string, string>() : await readParameters(wanted, clients().ssm);
  const read = (name: string) => values.get(name) as string;
  const secretArn = secretArnParameter === undefined ? {} : { secretArn: read(secretArnParameter) };

  if (source.kind === 'direct') {
    const data: DatabaseEndpoint = { host: source.host, port: source.port, database: source.database };
    return { data, ...(source.probe === undefined ? {} : { probe: { ...data, host: source.probe.host, port: source.probe.port } }), ...secretArn };
  }
  const port = source.portParameter === undefined ? source.fallbackPort : Number(read(source.portParameter));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new EndpointResolutionError(`SSM parameter ${source.portParameter} is not a port number`);
  }
  const database = source.databaseParameter === undefined ? source.fallbackDatabase : read(source.databaseParameter);
  const data: DatabaseEndpoint = { host: read(source.hostParameter), port, database };
  if (source.probeHostParameter === undefined) return { data, ...secretArn };
  return { data, probe: { ...data, host: read(source.probeHostParameter), port: source.probePort ?? port }, ...secretArn };
}

/** Every named parameter in one round trip (decrypted, should one be a SecureString); names the missing ones. */
async function readParameters(names: readonly string[], ssm: SSMClient): Promise<Map<string, string>> {
  try {
    const out = await ssm.send(new GetParametersCommand({ Names: [...names], WithDecryption: true }));
    const values = new Map((out.Parameters ?? []).flatMap((p) => (p.Name !== undefined && p.Value !== undefined ? [[p.Name, p.Value] as const] : [])));
    const missing = [...(out.InvalidParameters ?? []), ...names.filter((n) => !values.has(n))];
    if (missing.length > 0) throw new EndpointResolutionError(`SSM parameters not found: ${[...new Set(missing)].join(', ')}`);
    return values;
  } catch (error) {
    if (error instanceof EndpointResolutionError) throw error;
    throw new EndpointResolutionError(`cannot read SSM parameters ${names.join(', ')}: ${describe(error)}`, { cause: error });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** What the service's start-up and the migrate step take from their callers (tests inject them). */
export interface DatabaseAccessOptions {
  /** AWS clients for SSM and Secrets Manager. @default clients for the configured region, made on first use */
  readonly awsClients?: () => AwsClients;
  /** Where connections get their user and password. @default from `db.auth` */
  readonly credentials?: CredentialProvider;
  /** The IAM token signer (DB_AUTH=iam). @default @aws-sdk/rds-signer */
  readonly signer?: (config: SignerConfig) => TokenSigner;
}

/** Where to connect and with what credentials: the endpoints, resolved once, and the provider. */
export interface DatabaseAccess {
  readonly endpoints: DatabaseEndpoints;
  readonly credentials: CredentialProvider;
}

/**
 * The endpoints (from SSM in AWS) and the credential provider of `db.auth`, sharing one set of
 * AWS clients made only if something needs them: what the service and the migrate step both do
 * before they open a connection.
 */
export async function resolveDatabaseAccess(
  config: { readonly region: string; readonly db: { readonly source: DatabaseSource; readonly auth: DbAuthConfig } },
  options: DatabaseAccessOptions = {},
): Promise<DatabaseAccess> {
  let clients: AwsClients | undefined;
  const awsClients = () => (clients ??= (options.awsClients ?? (() => createAwsClients(config.region)))());
  const endpoints = await resolveDatabaseEndpoints(config.db.source, config.db.auth, awsClients);
  const credentials =
    options.credentials ??
    credentialProvider(config.db.auth, {
      region: config.region,
      ...(endpoints.secretArn !== undefined ? { secretArn: endpoints.secretArn } : {}),
      secrets: () => awsClients().secrets,
      ...(options.signer !== undefined ? { signer: options.signer } : {}),
    });
  return { endpoints, credentials };
}
