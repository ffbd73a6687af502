import { interpolations } from '../engine/references';
import { fail, pass } from '../engine/types';
import { block, resourceRule, toNumber } from './util';

const FUNCTION = ['aws_lambda_function'];

/** Variable names that hold a secret, unless they only name where one is (an ARN, a name, a path). */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)/i;
const POINTER_NAME = /(_ARN|_NAME|_ID|_PARAMETER|_PATH|_URL)$/i;
/** Values that look like credentials whatever the name. */
const SECRET_VALUE = [/AKIA[0-9A-Z]{16}/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /\bgh[pousr]_[A-Za-z0-9]{30,}/, /\bxox[abpr]-[A-Za-z0-9-]{10,}/];

function secretsIn(variables: Record<string, unknown>): string[] {
  return Object.entries(variables)
    .filter(([name, value]) => {
      const text = String(value);
      if (SECRET_VALUE.some((p) => p.test(text))) return true;
      if (!SECRET_NAME.test(name) || POINTER_NAME.test(name)) return false;
      // A reference to an ARN is a pointer; a literal or a secret's value is not.
      const onlyReference = text.startsWith('${') && interpolations(text).every((body) => /\.(arn|name|id)$/.test(body.trim()));
      return !onlyReference;
    })
    .map(([name]) => name);
}

export const lambdaRules = [
  resourceRule({
    id: 'lambda-tracing',
    mirrors: 'CKV_AWS_50',
    title: 'Lambda functions have active X-Ray tracing',
    severity: 'low',
    resourceTypes: FUNCTION,
    check: (fn) => (block(fn.body.tracing_config).mode === 'Active' ? pass() : fail('tracing_config.mode is not Active')),
  }),
  resourceRule({
    id: 'lambda-concurrency-limit',
    mirrors: 'CKV_AWS_115',
    title: 'Lambda functions have a reserved concurrency limit',
    severity: 'low',
    resourceTypes: FUNCTION,
    check: (fn) => {
      const limit = toNumber(fn.body.reserved_concurrent_executions);
      return limit !== undefined && limit >= 0 ? pass() : fail('reserved_concurrent_executions is unset (unbounded)');
    },
  }),
  resourceRule({
    id: 'lambda-failure-destination',
    mirrors: 'CKV_AWS_116',
    title: 'Lambda functions have a dead-letter queue or an on-failure destination',
    severity: 'medium',
    resourceTypes: FUNCTION,
    check: (fn, stack) => {
      if (block(fn.body.dead_letter_config).target_arn) return pass();
      const configs = stack.referrers(fn, 'aws_lambda_function_event_invoke_config', 'function_name');
      const withDestination = configs.some((c) => stack.resolve(block(block(c.body.destination_config).on_failure).destination) !== undefined);
      return withDestination ? pass() : fail('no dead_letter_config and no event invoke config with an on_failure destination in the stack');
    },
  }),
  resourceRule({
    id: 'lambda-no-env-secrets',
    mirrors: 'CKV_AWS_45',
    title: 'Lambda environment variables hold no secrets (pointers such as ARNs and parameter names only)',
    severity: 'critical',
    resourceTypes: FUNCTION,
    check: (fn) => {
      const variables = block(block(fn.body.environment).variables);
      const found = secretsIn(variables);
      return found.length === 0 ? pass() : fail(`environment variables look like secrets: ${found.join(', ')}`);
    },
  }),
];
