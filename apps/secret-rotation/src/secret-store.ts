import { withTimeout } from '@txn-dr/function-runtime';
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/** The staging labels of rotation. https://docs.aws.amazon.com/secretsmanager/latest/userguide/whats-in-a-secret.html */
export const STAGE = { current: 'AWSCURRENT', pending: 'AWSPENDING', previous: 'AWSPREVIOUS' } as const;

/**
 * Characters the new password leaves out. Aurora's master password takes any printable ASCII but
 * `/`, `"` and `@` (CreateDBCluster MasterUserPassword); `'` and `\` are left out as AWS's own
 * MySQL rotation templates do, so the password survives any quoting it meets; spaces are off by
 * default (IncludeSpace).
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetRandomPassword.html
 * https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas/blob/master/SecretsManagerRDSMySQLRotationSingleUser/lambda_function.py
 */
export const EXCLUDED_PASSWORD_CHARACTERS = `/@"'\\`;

/** 40 characters, as the global stack generates: within Aurora MySQL's 8 to 41. */
export const PASSWORD_LENGTH = 40;

/** What DescribeSecret says about the secret: enough to check a rotation request. */
export interface SecretMetadata {
  readonly arn: string;
  readonly rotationEnabled: boolean;
  /** Version id to its staging labels; a version without labels is not listed. */
  readonly versions: Readonly<Record<string, readonly string[]>>;
}

/**
 * The Secrets Manager calls of a rotation, each bounded in time. Values pass through as strings
 * and are never logged here.
 */
export class SecretStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly callTimeoutMs: number,
  ) {}

  async describe(secretId: string): Promise<SecretMetadata> {
    const out = await this.call('DescribeSecret', (abortSignal) => this.client.send(new DescribeSecretCommand({ SecretId: secretId }), { abortSignal }));
    return {
      arn: out.ARN ?? '',
      rotationEnabled: out.RotationEnabled === true,
      versions: Object.fromEntries(Object.entries(out.VersionIdsToStages ?? {}).map(([id, stages]) => [id, [...(stages ?? [])]])),
    };
  }

  /**
   * The SecretString of the version with `stage` (and, when given, id `versionId`); undefined
   * when there is none, or when it has no value yet (the AWSPENDING version Secrets Manager
   * makes before createSecret, as GetSecretValue's ResourceNotFoundException says).
   * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
   */
  async value(secretId: string, stage: string, versionId?: string): Promise<string | undefined> {
    try {
      const out = await this.call(`GetSecretValue (${stage})`, (abortSignal) =>
        this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, ...(versionId ? { VersionId: versionId } : {}) }), { abortSignal }),
      );
      return out.SecretString;
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  /** A new password from Secrets Manager's generator. */
  async randomPassword(): Promise<string> {
    const out = await this.call('GetRandomPassword', (abortSignal) =>
      this.client.send(
        new GetRandomPasswordCommand({
          PasswordLength: PASSWORD_LENGTH,
          ExcludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
          IncludeSpace: false,
          RequireEachIncludedType: true,
        }),
        { abortSignal },
      ),
    );
    if (!out.RandomPassword) throw new Error('GetRandomPassword returned no password');
    return out.RandomPassword;
  }

  /**
   * Writes the new version under the rotation's token, staged AWSPENDING only (AWSCURRENT does not
   * move). Idempotent: the same token and value again is a no-op.
   * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html
   */
  async putPending(secretId: string, token: string, secretString: string, rotationToken?: string): Promise<void> {
    await this.call('PutSecretValue', (abortSignal) =>
      this.client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: token,
          SecretString: secretString,
          VersionStages: [STAGE.pending],
          ...(rotationToken ? { RotationToken: rotationToken } : {}),
        }),
        { abortSignal },
      ),
    );
  }

  /**
   * Moves AWSCURRENT to `token`'s version; Secrets Manager moves AWSPREVIOUS to the version it left.
   * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UpdateSecretVersionStage.html
   */
  async makeCurrent(secretId: string, token: string, fromVersionId: string | undefined): Promise<void> {
    await this.call('UpdateSecretVersionStage', (abortSignal) =>
      this.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: STAGE.current,
          MoveToVersionId: token,
          ...(fromVersionId ? { RemoveFromVersionId: fromVersionId } : {}),
        }),
        { abortSignal },
      ),
    );
  }

  private call<T>(what: string, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return withTimeout(what, this.callTimeoutMs, send);
  }
}
