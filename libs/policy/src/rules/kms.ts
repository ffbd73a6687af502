import { hasWildcardPrincipal, policyStatements } from '../engine/policy-document';
import { fail, na, pass } from '../engine/types';
import { resourceRule } from './util';

const KEYS = ['aws_kms_key', 'aws_kms_replica_key'];

export const kmsRules = [
  resourceRule({
    id: 'kms-rotation',
    mirrors: 'CKV_AWS_7',
    title: 'Symmetric customer managed KMS keys rotate automatically (replicas follow their primary key)',
    severity: 'medium',
    resourceTypes: ['aws_kms_key'],
    check: (key) => {
      const spec = String(key.body.customer_master_key_spec ?? 'SYMMETRIC_DEFAULT');
      if (spec !== 'SYMMETRIC_DEFAULT') return na(`${spec} keys cannot rotate automatically`);
      return key.body.enable_key_rotation === true || key.body.enable_key_rotation === 'true' ? pass() : fail('enable_key_rotation is not true');
    },
  }),
  resourceRule({
    id: 'kms-policy-defined',
    mirrors: 'CKV2_AWS_64',
    title: 'KMS keys have an explicit, readable key policy',
    severity: 'medium',
    resourceTypes: KEYS,
    check: (key, stack) => {
      const document = policyStatements(key.body.policy, stack);
      return document.ok ? pass() : fail(`policy: ${document.reason}`);
    },
  }),
  resourceRule({
    id: 'kms-no-wildcard-principal',
    mirrors: 'CKV_AWS_33',
    title: 'KMS key policies never allow the "*" principal (Resource "*" is the key itself, by definition)',
    severity: 'critical',
    resourceTypes: KEYS,
    check: (key, stack) => {
      const document = policyStatements(key.body.policy, stack);
      if (!document.ok) return na(`policy: ${document.reason}`);
      const open = document.statements.find((s) => s.effect === 'Allow' && hasWildcardPrincipal(s));
      return open ? fail(`statement ${open.sid ?? '(no sid)'} allows principal "*"`) : pass();
    },
  }),
];
