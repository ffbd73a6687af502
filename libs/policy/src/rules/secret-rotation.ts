import { type Located, locationKey, resolveAllAcross } from '../engine/cross-stack';
import { referencesIn } from '../engine/references';
import type { Stack } from '../engine/stack';
import { fail, pass, type Outcome, type Resource, type StackFinding } from '../engine/types';
import { block, resourceRule, stacksRule, toNumber } from './util';

/** The longest a database credential may go unrotated. */
export const MAX_ROTATION_DAYS = 30;

/** Resources whose master password a secret may hold, and the arguments that take it. */
const MASTER_PASSWORD_ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
  aws_rds_cluster: ['master_password', 'master_password_wo'],
  aws_db_instance: ['master_password', 'master_password_wo'],
};

/** The interval of a rotation schedule in days, or why it cannot be told. */
export type RotationInterval = { readonly days: number } | { readonly problem: string };

/**
 * Days between rotations of an `aws_secretsmanager_secret_rotation`'s `rotation_rules`:
 * `automatically_after_days`, or a `rate(N days)` / `rate(N hours)` schedule expression. A
 * `cron()` schedule is not read: its longest gap depends on the calendar, and rate() says the same
 * plainly.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
 */
export function rotationInterval(rotationRules: unknown): RotationInterval {
  const rules = block(rotationRules);
  const afterDays = toNumber(rules.automatically_after_days);
  if (afterDays !== undefined) return { days: afterDays };
  const expression = typeof rules.schedule_expression === 'string' ? rules.schedule_expression.trim() : undefined;
  if (expression === undefined) return { problem: 'rotation_rules sets no schedule (schedule_expression or automatically_after_days)' };
  const rate = /^rate\(\s*(\d+)\s+(day|days|hour|hours)\s*\)$/.exec(expression);
  if (rate) return { days: rate[2]!.startsWith('hour') ? Number(rate[1]) / 24 : Number(rate[1]) };
  return { problem: `schedule ${expression} is not rate(N days): the interval cannot be checked` };
}

/** Why a rotation resource does not keep to MAX_ROTATION_DAYS, or undefined when it does. */
function scheduleProblem(rotation: Resource): string | undefined {
  const interval = rotationInterval(rotation.body.rotation_rules);
  if ('problem' in interval) return `${rotation.address}: ${interval.problem}`;
  if (interval.days > MAX_ROTATION_DAYS) return `${rotation.address} rotates every ${interval.days} days, more than ${MAX_ROTATION_DAYS}`;
  return undefined;
}

/**
 * The secrets that hold database credentials: those a database's master password is read from,
 * through a secret version (ephemeral, data or resource) whose `secret_id` names the secret by
 * reference, by a remote stack's output, or by its literal name or ARN.
 */
export function databaseSecrets(stacks: readonly Stack[]): Located[] {
  const secrets = stacks.flatMap((stack) => stack.byType('aws_secretsmanager_secret').map((resource) => ({ stack, resource })));
  const found = new Map<string, Located>();
  for (const stack of stacks) {
    for (const [type, argumentNames] of Object.entries(MASTER_PASSWORD_ARGUMENTS)) {
      for (const database of stack.byType(type)) {
        const versions = argumentNames
          .flatMap((argument) => (typeof database.body[argument] === 'string' ? referencesIn(database.body[argument]) : []))
          .filter((reference) => reference.type === 'aws_secretsmanager_secret_version')
          .flatMap((reference) => stack.get(reference.address) ?? []);
        for (const version of versions) {
          for (const secret of secretsNamedBy(stacks, stack, version.body.secret_id, secrets)) found.set(locationKey(secret), secret);
        }
      }
    }
  }
  return [...found.values()];
}

/** A secret's ARN ends in its name, a hyphen and six random characters. */
const SECRET_ARN = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)-[A-Za-z0-9]{6}$/;

/** The secrets a `secret_id` value names: by reference (here or through a remote output), or by literal name or ARN. */
function secretsNamedBy(stacks: readonly Stack[], stack: Stack, secretId: unknown, secrets: readonly Located[]): Located[] {
  const referenced = resolveAllAcross(stacks, stack, secretId).filter((located) => located.resource.type === 'aws_secretsmanager_secret');
  if (referenced.length > 0 || typeof secretId !== 'string' || secretId.includes('${')) return referenced;
  const name = SECRET_ARN.exec(secretId)?.[1] ?? secretId;
  return secrets.filter(({ resource }) => resource.body.name === name);
}

export const secretRotationRules = [
  resourceRule({
    id: 'secret-rotation-max-30-days',
    mirrors: null,
    title: `Secret rotation schedules rotate at least every ${MAX_ROTATION_DAYS} days (rate(N days) or automatically_after_days, N <= ${MAX_ROTATION_DAYS}), through a rotation function`,
    severity: 'high',
    resourceTypes: ['aws_secretsmanager_secret_rotation'],
    check: (rotation): Outcome => {
      if (typeof rotation.body.rotation_lambda_arn !== 'string' || rotation.body.rotation_lambda_arn === '') return fail('rotation_lambda_arn is not set: nothing rotates the secret');
      const problem = scheduleProblem(rotation);
      return problem === undefined ? pass() : fail(problem);
    },
  }),
  stacksRule({
    id: 'secret-rotation-database-credentials',
    mirrors: 'AwsSolutions-SMG4',
    title: `Every secret a database master password is read from is rotated, by an aws_secretsmanager_secret_rotation in any stack, at least every ${MAX_ROTATION_DAYS} days`,
    severity: 'high',
    check: (stacks) => {
      const secrets = stacks.flatMap((stack) => stack.byType('aws_secretsmanager_secret').map((resource) => ({ stack, resource })));
      const rotations = stacks.flatMap((stack) => stack.byType('aws_secretsmanager_secret_rotation').map((resource) => ({ stack, resource })));
      return databaseSecrets(stacks).map((secret): StackFinding => {
        const key = locationKey(secret);
        const rotating = rotations.filter(({ stack, resource }) => secretsNamedBy(stacks, stack, resource.body.secret_id, secrets).some((s) => locationKey(s) === key));
        const about = { stack: secret.stack.name, resource: secret.resource.address };
        if (rotating.length === 0) return { ...about, outcome: fail('no aws_secretsmanager_secret_rotation in any stack rotates it: the database password never changes') };
        const problems = rotating.map(({ stack, resource }) => {
          const problem = scheduleProblem(resource);
          return problem === undefined ? undefined : `${stack.name}: ${problem}`;
        });
        return { ...about, outcome: problems.includes(undefined) ? pass() : fail(problems.join('; ')) };
      });
    },
  }),
];
