import { hasWildcardPrincipal, policyStatements } from '../engine/policy-document';
import { fail, pass } from '../engine/types';
import { resourceRule } from './util';

/** Resource policies and where their document is. */
const POLICY_ARGUMENT: Record<string, string> = {
  aws_s3_bucket_policy: 'policy',
  aws_sns_topic_policy: 'policy',
  aws_sqs_queue_policy: 'policy',
  aws_secretsmanager_secret_policy: 'policy',
};

export const resourcePolicyRules = [
  resourceRule({
    id: 'resource-policy-no-public-allow',
    mirrors: 'CKV_AWS_70',
    title: 'Resource policies (bucket, topic, queue, secret) never Allow the "*" principal without a condition (Deny to "*" is the TLS-only pattern)',
    severity: 'critical',
    resourceTypes: [...Object.keys(POLICY_ARGUMENT), 'aws_lambda_permission'],
    check: (r, stack) => {
      if (r.type === 'aws_lambda_permission') return r.body.principal === '*' ? fail('principal is "*"') : pass();
      const document = policyStatements(r.body[POLICY_ARGUMENT[r.type]!], stack);
      if (!document.ok) return fail(document.reason);
      const open = document.statements.find((s) => s.effect === 'Allow' && hasWildcardPrincipal(s) && s.conditions.length === 0);
      return open ? fail(`statement ${open.sid ?? '(no sid)'} allows "*" unconditionally`) : pass();
    },
  }),
];
