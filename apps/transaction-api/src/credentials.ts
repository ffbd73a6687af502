import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Signer, type SignerConfig } from '@aws-sdk/rds-signer';
import { AWS_REGION_PATTERN } from '@txn-dr/config';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
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

/** The user and password a database secret holds, read once; a CredentialError names the secret, never its value. */
export async function readDatabaseSecret(secretArn: string, secrets: SecretsManagerClient): Promise<DbCredential> {
  let secretString: string | undefined;
  try {
    secretString = (await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (error) {
    throw new CredentialError(`cannot read secret ${secretArn}: ${describe(error)}`, { cause: error });
  }
  const parsed = secretSchema.safeParse(parseJson(secretString));
  if (!parsed.success) throw new CredentialError(`secret ${secretArn} is not a JSON object with string fields "username" and "password"`);
  return { user: parsed.data.username, password: parsed.data.password };
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
    cached = await readDatabaseSecret(secretArn, secrets);
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
  /**
   * Region a token is signed for when the endpoint names none and leads to no cluster endpoint
   * that does (a local name, an address): the instance's.
   */
  readonly region: string;
  /** Makes a signer for one endpoint. @default `new Signer(config)`, with the instance role's credentials */
  readonly signer?: (config: SignerConfig) => TokenSigner;
  /** The CNAME records of a host name, to find the cluster endpoint behind an alias. @default `systemCnameResolver()` */
  readonly resolveCname?: CnameResolver;
  /** How long a token is handed out again; under its 15-minute life, with room for a slow connect. @default 600000 (10 min) */
  readonly reuseMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The CNAME records of a host name (none: an empty list, or a rejection with ENODATA or ENOTFOUND). */
export type CnameResolver = (host: string) => Promise<string[]>;

/** Where a token is signed for: a host name and the region of the database behind it. */
export interface SigningTarget {
  readonly host: string;
  readonly region: string;
}

/**
 * A cluster endpoint, writer or reader: `<cluster>.cluster-[ro-]<id>.<region>.rds.amazonaws.com`
 * (`.com.cn` in China). The region is the fourth label from the end. Custom endpoints
 * (`cluster-custom-`) are left out: the token is signed for the cluster endpoint, not for them.
 */
// The region label is AWS_REGION_PATTERN without its anchors.
const CLUSTER_ENDPOINT = new RegExp(
  `^[a-z0-9][a-z0-9-]*\\.cluster-(?:ro-)?[a-z0-9]+\\.(${AWS_REGION_PATTERN.source.replace(/^\^|\$$/g, '')})\\.rds\\.amazonaws\\.com(?:\\.cn)?$`,
);

/** CNAME hops followed at most: the global writer endpoint is one hop from the cluster endpoint. */
const MAX_CNAME_HOPS = 4;

/** The region in a cluster endpoint's name, or undefined when the name is not a cluster endpoint. */
export function clusterEndpointRegion(host: string): string | undefined {
  return CLUSTER_ENDPOINT.exec(canonicalHost(host))?.[1];
}

/**
 * A resolver of the system's DNS servers, bounded: half a second a try, two tries. A name that
 * does not answer in that time is signed for as it is, and the connection to it says the rest.
 */
export function systemCnameResolver(): CnameResolver {
  const resolver = new Resolver({ timeout: 500, tries: 2 });
  return (host) => resolver.resolveCname(host);
}

/**
 * The host and region an IAM token for `host` is signed for. AWS documents the token as signed
 * for the database's own endpoint and region: the hostname "of the DB cluster that you want to
 * access" and "the AWS Region where the DB cluster is running", and not a custom DNS record in
 * its place:
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.Connecting.Java.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.Java.html
 * ("You cannot use a custom Route 53 DNS record instead of the DB instance endpoint to generate
 * the authentication token"); `@aws-sdk/rds-signer`'s `region` is "the region the database is
 * located in" (https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/modules/_aws_sdk_rds_signer.html).
 * The global writer endpoint is an alias that Aurora points at the writer's cluster endpoint, in
 * whichever region the writer is (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html):
 * so its CNAME is followed to that cluster endpoint, and the token is signed for it and for the
 * region its name carries. A cluster endpoint is signed for as it is; a name that leads to none
 * (a local server, an address) or cannot be resolved is signed for as it is, in `fallbackRegion`.
 */
export async function signingTarget(host: string, fallbackRegion: string, resolveCname: CnameResolver): Promise<SigningTarget> {
  let name = canonicalHost(host);
  for (let hop = 0; hop <= MAX_CNAME_HOPS; hop += 1) {
    const region = clusterEndpointRegion(name);
    if (region !== undefined) return { host: name, region };
    // An address has no CNAME to follow.
    if (hop === MAX_CNAME_HOPS || isIP(name) !== 0) break;
    let next: string[];
    try {
      next = await resolveCname(name);
    } catch {
      break;
    }
    if (next[0] === undefined) break;
    name = canonicalHost(next[0]);
  }
  return { host, region: fallbackRegion };
}

function canonicalHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * IAM database authentication: a token signed with the instance role for the endpoint and user,
 * reused for new connections until `reuseMs` has passed (signing is local, but a new pool opens
 * several connections at once), signed anew when asked for a fresh one. Each ask first finds the
 * cluster the endpoint leads to (`signingTarget`): through the global writer endpoint, after a
 * switchover or failover, the token is signed for the other region's cluster, where the
 * connection now lands. The token is sent as a clear-text password, so the connections must use
 * TLS (the Database refuses otherwise).
 */
export function iamCredentials(options: IamCredentialsOptions): CredentialProvider {
  const reuseMs = options.reuseMs ?? 10 * 60_000;
  if (reuseMs <= 0 || reuseMs >= IAM_TOKEN_LIFETIME_MS) throw new RangeError(`reuseMs must be between 0 and the token's life (${IAM_TOKEN_LIFETIME_MS} ms), got ${reuseMs}`);
  const now = options.now ?? Date.now;
  const makeSigner = options.signer ?? ((config: SignerConfig) => new Signer(config));
  const resolveCname = options.resolveCname ?? systemCnameResolver();
  const targets = new Map<string, { signer: TokenSigner; signed: SigningTarget; token?: { value: string; at: number }; signing?: Promise<DbCredential> }>();
  /** One resolution at a time per host: the new connections of a pool ask together. */
  const resolving = new Map<string, Promise<SigningTarget>>();
  const resolve = (host: string): Promise<SigningTarget> => {
    let pending = resolving.get(host);
    if (pending === undefined) {
      pending = signingTarget(host, options.region, resolveCname).finally(() => resolving.delete(host));
      resolving.set(host, pending);
    }
    return pending;
  };
  return {
    kind: 'iam',
    async credential(target, request = {}) {
      const signed = await resolve(target.host);
      const key = `${signed.host}:${target.port}@${signed.region}`;
      let entry = targets.get(key);
      if (entry === undefined) {
        entry = { signed, signer: makeSigner({ hostname: signed.host, port: target.port, username: options.user, region: signed.region }) };
        targets.set(key, entry);
      }
      const { token } = entry;
      if (token !== undefined && request.fresh !== true && now() - token.at < reuseMs) return { user: options.user, password: token.value };
      const current = entry;
      current.signing ??= (async () => {
        const at = now();
        try {
          const value = await current.signer.getAuthToken();
          current.token = { value, at };
          return { user: options.user, password: value };
        } catch (error) {
          const through = signed.host === target.host ? '' : ` (through ${target.host})`;
          throw new CredentialError(`cannot sign an IAM database token for ${options.user} at ${signed.host}:${target.port}${through} in ${signed.region}: ${describe(error)}`, { cause: error });
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
  /** The instance's region: the IAM token's signing region when the endpoint leads to no cluster endpoint. */
  readonly region: string;
  /** The secret's ARN, as resolved from `auth.secretArnParameter` (DB_AUTH=secret). */
  readonly secretArn?: string;
  /** Secrets Manager, for DB_AUTH=secret. */
  readonly secrets: () => SecretsManagerClient;
  /** Makes the IAM token signer of one endpoint. @default `new Signer(config)` */
  readonly signer?: (config: SignerConfig) => TokenSigner;
  /** The CNAME records of a host name, for the IAM token's signing target. @default `systemCnameResolver()` */
  readonly resolveCname?: CnameResolver;
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
      return iamCredentials({
        user: auth.user,
        region: context.region,
        ...(context.signer !== undefined ? { signer: context.signer } : {}),
        ...(context.resolveCname !== undefined ? { resolveCname: context.resolveCname } : {}),
      });
  }
}
