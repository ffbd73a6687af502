import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Signer, type SignerConfig } from '@aws-sdk/rds-signer';
import { z } from 'zod';
import type { DbAuthConfig } from './config';

export type DbAuthKind = 'iam' | 'secret' | 'static';

/** What a new connection logs in with. */
export interface DbCredential {
  readonly user: string;
  /** A password, or (`iam`) an authentication token, which the connection sends as its password. */
  readonly password: string;
}

/** Where a connection goes: an IAM token is signed for exactly this host and port. */
export interface CredentialTarget {
  readonly host: string;
  readonly port: number;
}

export interface CredentialRequest {
  /** Skip anything cached: the database refused the credential last handed out. @default false */
  readonly fresh?: boolean;
}

/**
 * Where the database connections get their credentials. Asked for every new pool, and (`iam`) for
 * every new connection; asked with `fresh` after the database refused what it handed out.
 */
export interface CredentialProvider {
  readonly kind: DbAuthKind;
  credential(target: CredentialTarget, request?: CredentialRequest): Promise<DbCredential>;
}

/** No credential can be had: the secret cannot be read or parsed, or no token can be signed. Never carries a secret value. */
export class CredentialError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CredentialError';
  }
}

/** A user and password given in the environment (local runs, tests, the local DR world). */
export function staticCredentials(user: string, password: string): CredentialProvider {
  const credential: DbCredential = { user, password };
  return { kind: 'static', credential: () => Promise.resolve(credential) };
}

/** The shape of the database secrets: the JSON document Secrets Manager's RDS templates use. */
const secretSchema = z.object({ username: z.string().min(1), password: z.string().min(1) });

export interface SecretCredentialsOptions {
  /** ARN of the secret `{"username","password"}`. */
  readonly secretArn: string;
  readonly secrets: SecretsManagerClient;
}

/**
 * A Secrets Manager secret, read when first needed and read again only when asked for a fresh
 * credential (the database refused the cached one, as after a rotation). Concurrent asks share
 * one read.
 */
export function secretCredentials(options: SecretCredentialsOptions): CredentialProvider {
  const { secretArn, secrets } = options;
  let cached: DbCredential | undefined;
  let reading: Promise<DbCredential> | undefined;
  const read = async (): Promise<DbCredential> => {
    let secretString: string | undefined;
    try {
      secretString = (await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
    } catch (error) {
      throw new CredentialError(`cannot read secret ${secretArn}: ${describe(error)}`, { cause: error });
    }
    const parsed = secretSchema.safeParse(parseJson(secretString));
    if (!parsed.success) throw new CredentialError(`secret ${secretArn} is not a JSON object with string fields "username" and "password"`);
    cached = { user: parsed.data.username, password: parsed.data.password };
    return cached;
  };
  return {
    kind: 'secret',
    credential(_target, request = {}) {
      if (cached !== undefined && request.fresh !== true) return Promise.resolve(cached);
      reading ??= read().finally(() => {
        reading = undefined;
      });
      return reading;
    },
  };
}

/** The part of `@aws-sdk/rds-signer`'s Signer the service uses; tests inject their own. */
export interface TokenSigner {
  getAuthToken(): Promise<string>;
}

/**
 * An IAM authentication token "has a lifetime of 15 minutes"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.html), and
 * "if you try to connect using an expired token, the connection request is denied"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html).
 */
export const IAM_TOKEN_LIFETIME_MS = 15 * 60_000;

export interface IamCredentialsOptions {
  /** The database user, created `IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'` by the migrate step. */
  readonly user: string;
  /** Region the token is signed for: the database's. */
  readonly region: string;
  /** Makes a signer for one endpoint. @default `new Signer(config)`, with the instance role's credentials */
  readonly signer?: (config: SignerConfig) => TokenSigner;
  /** How long a token is handed out again; under its 15-minute life, with room for a slow connect. @default 600000 (10 min) */
  readonly reuseMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * IAM database authentication: a token signed with the instance role for the endpoint and user,
 * reused for new connections until `reuseMs` has passed (signing is local, but a new pool opens
 * several connections at once), signed anew when asked for a fresh one. The token is sent as a
 * clear-text password, so the connections must use TLS (the Database refuses otherwise).
 */
export function iamCredentials(options: IamCredentialsOptions): CredentialProvider {
  const reuseMs = options.reuseMs ?? 10 * 60_000;
  if (reuseMs <= 0 || reuseMs >= IAM_TOKEN_LIFETIME_MS) throw new RangeError(`reuseMs must be between 0 and the token's life (${IAM_TOKEN_LIFETIME_MS} ms), got ${reuseMs}`);
  const now = options.now ?? Date.now;
  const makeSigner = options.signer ?? ((config: SignerConfig) => new Signer(config));
  const targets = new Map<string, { signer: TokenSigner; token?: { value: string; at: number }; signing?: Promise<DbCredential> }>();
  return {
    kind: 'iam',
    credential(target, request = {}) {
      const key = `${target.host}:${target.port}`;
      let entry = targets.get(key);
      if (entry === undefined) {
        entry = { signer: makeSigner({ hostname: target.host, port: target.port, username: options.user, region: options.region }) };
        targets.set(key, entry);
      }
      const { token } = entry;
      if (token !== undefined && request.fresh !== true && now() - token.at < reuseMs) return Promise.resolve({ user: options.user, password: token.value });
      const current = entry;
      current.signing ??= (async () => {
        const at = now();
        try {
          const value = await current.signer.getAuthToken();
          current.token = { value, at };
          return { user: options.user, password: value };
        } catch (error) {
          throw new CredentialError(`cannot sign an IAM database token for ${options.user} at ${key} in ${options.region}: ${describe(error)}`, { cause: error });
        } finally {
          current.signing = undefined;
        }
      })();
      return current.signing;
    },
  };
}

function parseJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export interface CredentialContext {
  /** Region of the database (the IAM token's signing region). */
  readonly region: string;
  /** The secret's ARN, as resolved from `auth.secretArnParameter` (DB_AUTH=secret). */
  readonly secretArn?: string;
  /** Secrets Manager, for DB_AUTH=secret. */
  readonly secrets: () => SecretsManagerClient;
  /** Makes the IAM token signer of one endpoint. @default `new Signer(config)` */
  readonly signer?: (config: SignerConfig) => TokenSigner;
}

/** The provider the configuration asks for. */
export function credentialProvider(auth: DbAuthConfig, context: CredentialContext): CredentialProvider {
  switch (auth.kind) {
    case 'static':
      return staticCredentials(auth.user, auth.password);
    case 'secret':
      if (context.secretArn === undefined) throw new Error(`DB_AUTH=secret needs the secret's ARN, read from ${auth.secretArnParameter}`);
      return secretCredentials({ secretArn: context.secretArn, secrets: context.secrets() });
    case 'iam':
      return iamCredentials({ user: auth.user, region: context.region, ...(context.signer !== undefined ? { signer: context.signer } : {}) });
  }
}
