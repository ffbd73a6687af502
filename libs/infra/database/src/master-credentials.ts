import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { DR_ROLES, type DrRole } from '@txn-dr/config';
import type { Names } from '@txn-dr/contracts';
import { CustomerManagedKey, EphemeralResource } from '@txn-dr/infra-core';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';

export interface MasterCredentialsProps {
  /** The environment's deterministic names: the secret and its key. */
  readonly names: Names;
  /** The provider of each role's region: the secret and its key are made through the primary's, the key's replica through the secondary's. */
  readonly providers: Readonly<Record<DrRole, AwsProvider>>;
  /** AWS region code of each role (each provider's region): the secret lives in the primary's and is replicated to the secondary's. */
  readonly regions: Readonly<Record<DrRole, string>>;
  /** The master user's name (config `database.masterUsername`): the writer cluster must be given the same. */
  readonly masterUsername: string;
  /**
   * Version of the generated password (config `database.passwordVersion`): raising it writes a new
   * one, since a write-only argument is sent again only when its version changes. The writer
   * cluster must be given the same. @default 1
   */
  readonly passwordVersion?: number;
}

interface Resolved {
  readonly passwordVersion: number;
}

/** Defaults filled in one place, then every contradiction named; throws at synth. */
function resolveProps(props: MasterCredentialsProps): Resolved {
  const resolved: Resolved = { passwordVersion: props.passwordVersion ?? 1 };
  const problems: string[] = [];
  if (props.regions.primary === props.regions.secondary) {
    problems.push(`regions: primary and secondary are both ${props.regions.primary}; the secret is replicated from one region to another`);
  }
  for (const role of DR_ROLES) {
    const region = props.providers[role].region;
    if (region !== undefined && !Token.isUnresolved(region) && region !== props.regions[role]) {
      problems.push(`providers.${role}: is for ${region}, but regions.${role} is ${props.regions[role]}`);
    }
  }
  if (!Number.isInteger(resolved.passwordVersion) || resolved.passwordVersion < 1) {
    problems.push(`passwordVersion: ${resolved.passwordVersion} is not a whole number from 1`);
  }
  if (problems.length > 0) throw new Error(`MasterCredentials: ${problems.join('; ')}`);
  return resolved;
}

/** The staging label of the secret version Terraform wrote, kept through every rotation. */
export const MASTER_SECRET_TERRAFORM_STAGE = 'TERRAFORM';

/** The JSON shape of the secret: what the service and operators read. */
export interface MasterSecretValue {
  readonly username: string;
  readonly password: string;
}

/**
 * The database master credentials, generated at apply time and never stored in state:
 * an ephemeral random password is written to Secrets Manager through the write-only
 * `secret_string_wo`; the primary stack reads it back ephemerally into the cluster's write-only
 * `master_password_wo`. Global database members cannot use RDS-managed passwords, hence this.
 * The secret is replicated to the secondary region (a standby must be able to connect after a
 * failover even if the primary region is gone), under a multi-region customer-managed key.
 * Rotate by raising `passwordVersion` (config `database.passwordVersion`), then deploying global and primary in order.
 */
export class MasterCredentials extends Construct {
  readonly secret: SecretsmanagerSecret;
  readonly key: CustomerManagedKey;
  /** Secret ARN per region (the replica keeps the name and suffix; only the region differs). */
  readonly arns: Record<DrRole, string>;

  constructor(scope: Construct, id: string, props: MasterCredentialsProps) {
    super(scope, id);
    const resolved = resolveProps(props);
    const { names, providers } = props;
    const { primary: primaryRegion, secondary: secondaryRegion } = props.regions;
    this.key = new CustomerManagedKey(this, 'key', {
      provider: providers.primary,
      replicaProvider: providers.secondary,
      alias: `${names.prefix}-db-secret`,
      description: `Database master secret of ${names.prefix}`,
    });
    const password = new EphemeralResource(this, 'aws_secretsmanager_random_password', 'database_master', providers.primary, {
      password_length: 40,
      // Punctuation includes / @ " and space, which MySQL rejects in master passwords; 40 alphanumerics are ~238 bits.
      exclude_punctuation: true,
      require_each_included_type: true,
    });
    this.secret = new SecretsmanagerSecret(this, 'secret', {
      provider: providers.primary,
      name: names.databaseSecret(),
      description: `Aurora master credentials of ${names.prefix} (replicated to ${secondaryRegion})`,
      kmsKeyId: this.key.arn,
      recoveryWindowInDays: 7,
      replica: [{ region: secondaryRegion, kmsKeyId: this.key.replicaArn! }],
    });
    const value: Record<keyof MasterSecretValue, string> = {
      username: props.masterUsername,
      password: password.get('random_password'),
    };
    new SecretsmanagerSecretVersion(this, 'value', {
      provider: providers.primary,
      secretId: this.secret.id,
      secretStringWo: Fn.jsonencode(value),
      secretStringWoVersion: resolved.passwordVersion,
      // Rotation moves AWSCURRENT (and later AWSPREVIOUS) off the version Terraform wrote; a
      // version with no label left is deprecated, and Secrets Manager deletes deprecated versions
      // beyond 100 (https://docs.aws.amazon.com/secretsmanager/latest/userguide/whats-in-a-secret.html).
      // The provider would then drop it from state and the next apply would write a new random
      // password the database does not have. A label of its own keeps it; the stages it loses to
      // rotation are not drift.
      versionStages: ['AWSCURRENT', MASTER_SECRET_TERRAFORM_STAGE],
      lifecycle: { ignoreChanges: ['version_stages'] },
    });
    this.arns = {
      primary: this.secret.arn,
      secondary: Fn.replace(this.secret.arn, `:${primaryRegion}:`, `:${secondaryRegion}:`),
    };
  }
}
