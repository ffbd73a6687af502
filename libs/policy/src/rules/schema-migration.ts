import { referencesDeep } from '../engine/references';
import type { Stack } from '../engine/stack';
import { fail, pass, type Resource, type StackFinding } from '../engine/types';
import { ACTIVE_STACK } from './dr';
import { stacksRule } from './util';

/**
 * Every resource Terraform finishes before creating or updating `resource`: what its `depends_on`
 * names and what its arguments reference, and what those wait for in turn.
 */
export function dependenciesOf(stack: Stack, resource: Resource): Resource[] {
  const seen = new Map<string, Resource>();
  const queue: Resource[] = [resource];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    const { depends_on: dependsOn, ...args } = current.body;
    const named = [dependsOn].flat().filter((d): d is string => typeof d === 'string');
    const addresses = [...named, ...referencesDeep(args).map((r) => r.address)];
    for (const address of addresses) {
      const next = stack.get(address);
      if (next === undefined || seen.has(address) || next === resource) continue;
      seen.set(address, next);
      queue.push(next);
    }
  }
  return [...seen.values()];
}

/** Why an invocation cannot be the schema migration a fleet may start after, or undefined when it can. */
function migrationProblem(stack: Stack, invocation: Resource): string | undefined {
  const triggers = invocation.body.triggers;
  const problems: string[] = [];
  if (typeof triggers !== 'object' || triggers === null || Object.keys(triggers).length === 0) {
    problems.push(`${invocation.address} has no triggers: it runs once, when created, and never for a new migrate bundle`);
  }
  if (!dependenciesOf(stack, invocation).some((r) => r.type === 'aws_rds_cluster_instance')) {
    problems.push(`${invocation.address} waits for no aws_rds_cluster_instance: on a first deploy it would run before the writer exists`);
  }
  return problems.length === 0 ? undefined : problems.join('; ');
}

export const schemaMigrationRules = [
  stacksRule({
    id: 'dr-schema-migration-before-fleet',
    mirrors: null,
    title: `The active (${ACTIVE_STACK}) stack runs the schema migration before its service fleet: every Auto Scaling group waits for an aws_lambda_invocation that waits for a cluster instance and runs again when its triggers change`,
    severity: 'high',
    check: (stacks) => {
      const active = stacks.find((s) => s.name === ACTIVE_STACK);
      if (!active) return [];
      return active.byType('aws_autoscaling_group').map((group): StackFinding => {
        const about = { stack: active.name, resource: group.address };
        const invocations = dependenciesOf(active, group).filter((r) => r.type === 'aws_lambda_invocation');
        if (invocations.length === 0) {
          return { ...about, outcome: fail('waits for no aws_lambda_invocation: its instances may start before the schema and the service\'s database user exist, and answer 503 until someone migrates') };
        }
        const problems = invocations.map((invocation) => migrationProblem(active, invocation));
        return { ...about, outcome: problems.includes(undefined) ? pass() : fail(problems.join('; ')) };
      });
    },
  }),
];
