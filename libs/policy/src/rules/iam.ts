import { hasWildcardPrincipal, policyStatements, type Statement } from '../engine/policy-document';
import type { Stack } from '../engine/stack';
import { fail, na, pass, type Outcome, type Resource } from '../engine/types';
import { blocks, resourceRule, strings } from './util';

/**
 * Actions that do not support resource-level permissions, so `Resource: "*"` is the only way to
 * grant them (Service Authorization Reference: "Resource types" column empty). Patterns end in `*`.
 */
export const UNSCOPABLE_ACTIONS: readonly string[] = [
  'cloudwatch:PutMetricData',
  'cloudwatch:GetMetricData',
  'cloudwatch:ListMetrics',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:GetSamplingStatisticSummaries',
  'ec2:Describe*',
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ssm:DescribeParameters',
  // Generates a string and touches no secret; AWS grants it on "*" to rotation functions.
  // https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html
  'secretsmanager:GetRandomPassword',
  'sts:GetCallerIdentity',
  'kms:ListAliases',
  'kms:ListKeys',
  'rds:DescribeDBEngineVersions',
  'route53:ListHostedZones',
  'route53:GetHealthCheckStatus',
];

export function isUnscopable(action: string): boolean {
  const lower = action.toLowerCase();
  return UNSCOPABLE_ACTIONS.some((allowed) => {
    const a = allowed.toLowerCase();
    return a.endsWith('*') ? lower.startsWith(a.slice(0, -1)) && !lower.slice(a.length - 1).includes('*') : lower === a;
  });
}

/** Identity policies: policy documents attached to a role, user or group (not resource policies). */
const IDENTITY_POLICIES = ['aws_iam_role_policy', 'aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy', 'aws_iam_role'];

/** The statements of an identity policy resource (a role's inline_policy blocks included). */
function identityStatements(r: Resource, stack: Stack): { ok: true; statements: Statement[] } | { ok: false; outcome: Outcome } {
  const sources = r.type === 'aws_iam_role' ? blocks(r.body.inline_policy).map((b) => b.policy) : [r.body.policy];
  if (sources.length === 0) return { ok: false, outcome: na('no inline policy') };
  const statements: Statement[] = [];
  for (const source of sources) {
    const document = policyStatements(source, stack);
    if (!document.ok) return { ok: false, outcome: fail(document.reason) };
    statements.push(...document.statements);
  }
  return { ok: true, statements };
}

/** A rule over each Allow statement of every identity policy. */
function allowStatementRule(
  id: string,
  mirrors: string | null,
  title: string,
  severity: 'critical' | 'high' | 'medium',
  problem: (s: Statement) => string | undefined,
) {
  return resourceRule({
    id,
    mirrors,
    title,
    severity,
    resourceTypes: IDENTITY_POLICIES,
    check: (r, stack) => {
      const document = identityStatements(r, stack);
      if (!document.ok) return document.outcome;
      for (const statement of document.statements.filter((s) => s.effect === 'Allow')) {
        const found = problem(statement);
        if (found) return fail(`${statement.sid ? `statement ${statement.sid}: ` : ''}${found}`);
      }
      return pass();
    },
  });
}

const ADMIN_POLICIES = /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;

export const iamRules = [
  allowStatementRule('iam-no-wildcard-action', 'CKV_AWS_63', 'Identity policies never allow Action "*" (nor use NotAction with Allow)', 'high', (s) =>
    s.actions.includes('*') ? 'allows Action "*"' : s.notActions.length > 0 ? 'uses NotAction with Allow' : undefined,
  ),
  allowStatementRule('iam-no-service-wildcard-action', 'AwsSolutions-IAM5', 'Identity policies never allow every action of a service ("s3:*")', 'medium', (s) => {
    const wildcard = s.actions.find((a) => /^[a-z0-9-]+:\*$/i.test(a));
    return wildcard ? `allows ${wildcard}` : undefined;
  }),
  allowStatementRule(
    'iam-no-wildcard-resource',
    'CKV_AWS_355',
    'Identity policies use Resource "*" only for actions that cannot be scoped (UNSCOPABLE_ACTIONS)',
    'high',
    (s) => {
      if (!s.resources.includes('*') && s.notResources.length === 0) return undefined;
      const scopable = s.actions.filter((a) => !isUnscopable(a));
      if (s.notResources.length > 0) return 'uses NotResource with Allow';
      return scopable.length > 0 ? `Resource "*" for scopable actions ${scopable.join(', ')}` : undefined;
    },
  ),
  allowStatementRule('iam-no-inline-admin', 'CKV_AWS_62', 'No inline policy grants full administrative access ("*" on "*")', 'critical', (s) =>
    s.actions.includes('*') && s.resources.includes('*') ? 'allows "*" on "*"' : undefined,
  ),
  resourceRule({
    id: 'iam-no-admin-managed-policy',
    mirrors: null,
    title: 'No role, user or group has AdministratorAccess, PowerUserAccess or IAMFullAccess attached',
    severity: 'critical',
    resourceTypes: ['aws_iam_role_policy_attachment', 'aws_iam_user_policy_attachment', 'aws_iam_group_policy_attachment', 'aws_iam_policy_attachment', 'aws_iam_role'],
    check: (r) => {
      const arns = r.type === 'aws_iam_role' ? strings(r.body.managed_policy_arns) : strings(r.body.policy_arn);
      const admin = arns.find((a) => ADMIN_POLICIES.test(a));
      return admin ? fail(`attaches ${admin}`) : pass();
    },
  }),
  resourceRule({
    id: 'iam-trust-single-service',
    mirrors: 'CKV_AWS_60',
    title: 'Role trust policies let exactly one AWS service assume the role (no accounts, no wildcard)',
    severity: 'high',
    resourceTypes: ['aws_iam_role'],
    check: (role, stack) => {
      const document = policyStatements(role.body.assume_role_policy, stack);
      if (!document.ok) return fail(`assume_role_policy: ${document.reason}`);
      const allows = document.statements.filter((s) => s.effect === 'Allow');
      const principals = allows.flatMap((s) => s.principals.flatMap((p) => p.identifiers.map((id) => ({ type: p.type, id }))));
      if (allows.some(hasWildcardPrincipal)) return fail('trusts "*"');
      const services = new Set(principals.filter((p) => p.type === 'Service').map((p) => p.id));
      const others = principals.filter((p) => p.type !== 'Service');
      if (others.length > 0) return fail(`trusts ${others.map((p) => `${p.type} ${p.id}`).join(', ')}`);
      return services.size === 1 ? pass() : fail(`trusts ${services.size} services: ${[...services].join(', ') || 'none'}`);
    },
  }),
];
