import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import type { DrRole, Environment } from '@txn-dr/config';
import { Names } from '@txn-dr/contracts';
import { CustomerManagedKey, EphemeralResource } from '@txn-dr/infra-core';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';

export interface MasterCredentialsProps {
  readonly env: Environment;
  readonly providers: Record<DrRole, AwsProvider>;
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
 * Rotate by raising `database.passwordVersion`, then deploying global and primary in order.
 */
export class MasterCredentials extends Construct {
  readonly secret: SecretsmanagerSecret;
  readonly key: CustomerManagedKey;
  /** Secret ARN per region (the replica keeps the name and suffix; only the region differs). */
  readonly arns: Record<DrRole, string>;

  constructor(scope: Construct, id: string, props: MasterCredentialsProps) {
    super(scope, id);
    const { env, providers } = props;
    const names = new Names(env);
    const [primaryRegion, secondaryRegion] = [env.regions.primary.region, env.regions.secondary.region];
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
      username: env.database.masterUsername,
      password: password.get('random_password'),
    };
    new SecretsmanagerSecretVersion(this, 'value', {
      provider: providers.primary,
      secretId: this.secret.id,
      secretStringWo: Fn.jsonencode(value),
      secretStringWoVersion: env.database.passwordVersion,
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
