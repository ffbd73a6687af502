import type { DrRole, Environment } from '@txn-dr/config';
import { Names } from '@txn-dr/contracts';
import type { AwsContext, PolicyStatement } from '@txn-dr/infra-core';

/**
 * IAM statements that let a principal in `role`'s region read the master secret and nothing
 * else: GetSecretValue on that one secret (its ARN ends in a random six-character suffix, hence
 * the `-??????` pattern), and Decrypt only through Secrets Manager in that region, only for that
 * secret (the encryption context Secrets Manager sends names it).
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-authz
 */
export function secretReaderStatements(env: Environment, role: DrRole, context: AwsContext): PolicyStatement[] {
  const region = env.regions[role].region;
  const secretArn = `arn:${context.partition}:secretsmanager:${region}:${context.accountId}:secret:${new Names(env).databaseSecret()}-??????`;
  return [
    { sid: 'ReadDatabaseSecret', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [secretArn] },
    {
      sid: 'DecryptDatabaseSecret',
      actions: ['kms:Decrypt'],
      resources: [`arn:${context.partition}:kms:${region}:${context.accountId}:key/*`],
      condition: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`secretsmanager.${region}.amazonaws.com`] },
        { test: 'StringLike', variable: 'kms:EncryptionContext:SecretARN', values: [secretArn] },
      ],
    },
  ];
}
