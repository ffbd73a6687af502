import type { Names } from '@txn-dr/contracts';
import type { AwsContext, PolicyStatement } from '@txn-dr/infra-core';

/**
 * IAM statements that let a principal in `region` read that region's copy of the master secret and
 * nothing else: GetSecretValue on that one secret (its ARN ends in a random six-character suffix, hence
 * the `-??????` pattern), and Decrypt only through Secrets Manager in that region, only for that
 * secret (the encryption context Secrets Manager sends names it).
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-authz
 */
export function secretReaderStatements(names: Names, region: string, context: AwsContext): PolicyStatement[] {
  const secretArn = `arn:${context.partition}:secretsmanager:${region}:${context.accountId}:secret:${names.databaseSecret()}-??????`;
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
