import { fail, pass } from '../engine/types';
import { KMS_KEY_TYPES, referenced, resourceRule, toNumber } from './util';

export const dataAtRestRules = [
  resourceRule({
    id: 'sns-kms',
    mirrors: 'CKV_AWS_26',
    title: 'SNS topics are encrypted with a customer managed KMS key',
    severity: 'medium',
    resourceTypes: ['aws_sns_topic'],
    check: (r, stack) => (referenced(stack, r.body.kms_master_key_id, KMS_KEY_TYPES) ? pass() : fail('kms_master_key_id does not reference a customer managed aws_kms_key')),
  }),
  resourceRule({
    id: 'sqs-kms',
    mirrors: 'CKV_AWS_27',
    title: 'SQS queues are encrypted with a customer managed KMS key',
    severity: 'medium',
    resourceTypes: ['aws_sqs_queue'],
    check: (r, stack) => (referenced(stack, r.body.kms_master_key_id, KMS_KEY_TYPES) ? pass() : fail('kms_master_key_id does not reference a customer managed aws_kms_key')),
  }),
  resourceRule({
    id: 'logs-kms',
    mirrors: 'CKV_AWS_158',
    title: 'CloudWatch log groups are encrypted with a customer managed KMS key',
    severity: 'medium',
    resourceTypes: ['aws_cloudwatch_log_group'],
    check: (r, stack) => (referenced(stack, r.body.kms_key_id, KMS_KEY_TYPES) ? pass() : fail('kms_key_id does not reference a customer managed aws_kms_key')),
  }),
  resourceRule({
    id: 'logs-retention',
    mirrors: 'CKV_AWS_66',
    title: 'CloudWatch log groups have a retention period (never kept forever)',
    severity: 'low',
    resourceTypes: ['aws_cloudwatch_log_group'],
    check: (r) => ((toNumber(r.body.retention_in_days) ?? 0) > 0 ? pass() : fail('retention_in_days is unset or 0 (never expire)')),
  }),
  resourceRule({
    id: 'ssm-secure-string',
    mirrors: 'CKV2_AWS_34',
    title: 'SSM parameters are SecureString',
    severity: 'medium',
    resourceTypes: ['aws_ssm_parameter'],
    check: (r) => (r.body.type === 'SecureString' ? pass() : fail(`type is ${String(r.body.type)}`)),
  }),
  resourceRule({
    id: 'secret-kms-cmk',
    mirrors: 'CKV_AWS_149',
    title: 'Secrets Manager secrets (and their replicas) are encrypted with customer managed KMS keys',
    severity: 'medium',
    resourceTypes: ['aws_secretsmanager_secret'],
    check: (r, stack) => {
      if (!referenced(stack, r.body.kms_key_id, KMS_KEY_TYPES)) return fail('kms_key_id does not reference a customer managed aws_kms_key');
      const replicas = [r.body.replica ?? []].flat() as Record<string, unknown>[];
      const plain = replicas.filter((x) => !referenced(stack, x.kms_key_id, KMS_KEY_TYPES));
      return plain.length === 0 ? pass() : fail(`replica in ${plain.map((x) => String(x.region)).join(', ')} has no customer managed key`);
    },
  }),
  resourceRule({
    id: 'secret-value-write-only',
    mirrors: null,
    title: 'Secret values never reach state: secret_string_wo from an ephemeral resource, never secret_string',
    severity: 'high',
    resourceTypes: ['aws_secretsmanager_secret_version'],
    check: (r) => {
      if (r.body.secret_string !== undefined || r.body.secret_binary !== undefined) return fail('secret_string/secret_binary is set; it is stored in plan and state');
      return typeof r.body.secret_string_wo === 'string' && r.body.secret_string_wo.includes('ephemeral.')
        ? pass()
        : fail('secret_string_wo does not come from an ephemeral resource');
    },
  }),
];
