import { type Located, locationKey, resolveAllAcross } from '../engine/cross-stack';
import type { Stack } from '../engine/stack';
import { fail, pass, type Outcome, type Resource, type StackFinding } from '../engine/types';
import { blocks, referenced, resourceRule, stacksRule, strings } from './util';

const VAULT_ARN_REGION = /:backup:([a-z0-9-]+):[^:]*:backup-vault:/;

/** The region a copy action sends to: the vault it references, or the region its ARN names. */
function copyRegion(stack: Stack, destination: unknown): string | undefined {
  const vault = referenced(stack, destination, ['aws_backup_vault']);
  if (vault) return stack.regionOf(vault);
  return typeof destination === 'string' ? VAULT_ARN_REGION.exec(destination)?.[1] : undefined;
}

/** Whether a selection's plan has a rule copying to a region other than `own`; why not, if not. */
function copiesElsewhere(stack: Stack, selection: Resource, own: string | undefined): string | undefined {
  const plan = referenced(stack, selection.body.plan_id, ['aws_backup_plan']);
  if (!plan) return `${selection.address} names no aws_backup_plan of its stack`;
  const regions = blocks(plan.body.rule).flatMap((rule) => blocks(rule.copy_action).map((copy) => copyRegion(stack, copy.destination_vault_arn)));
  if (regions.some((region) => region !== undefined && region !== own)) return undefined;
  return regions.length === 0
    ? `${plan.address} copies nothing: its recovery points would be lost with the region`
    : `${plan.address} copies only to ${regions.map((r) => r ?? 'an unknown region').join(', ')}, not out of ${own ?? 'its region'}`;
}

/** The outcome for a resource, given the selections that name it and the region it is in. */
function outcome(selections: readonly { stack: Stack; selection: Resource }[], own: string | undefined): Outcome {
  if (selections.length === 0) return fail('no aws_backup_selection names it: nothing backs it up');
  const problems = selections.map(({ stack, selection }) => copiesElsewhere(stack, selection, own));
  return problems.includes(undefined) ? pass() : fail(problems.join('; '));
}

/**
 * Buckets that are the source of a replication configuration: the replicated data buckets, not
 * logs or artifacts (those can be rebuilt).
 */
function dataBuckets(stacks: readonly Stack[]): Located[] {
  return stacks.flatMap((stack) =>
    stack
      .byType('aws_s3_bucket')
      .filter((bucket) => stack.referrers(bucket, 'aws_s3_bucket_replication_configuration', 'bucket').length > 0)
      .map((resource) => ({ stack, resource })),
  );
}

export const backupRules = [
  resourceRule({
    id: 'backup-aurora-copied',
    mirrors: null,
    title: 'Every Aurora cluster is selected by an AWS Backup plan with a rule that copies to another region (a copy outlives the loss of the region, and of the global database with it)',
    severity: 'high',
    resourceTypes: ['aws_rds_cluster'],
    check: (cluster, stack) => {
      const selections = stack
        .byType('aws_backup_selection')
        .filter((selection) => strings(selection.body.resources).some((value) => stack.resolve(value)?.address === cluster.address))
        .map((selection) => ({ stack, selection }));
      return outcome(selections, stack.regionOf(cluster));
    },
  }),
  stacksRule({
    id: 'backup-data-bucket-copied',
    mirrors: null,
    title: 'Every replicated data bucket is selected by an AWS Backup plan, in any stack, with a rule that copies to another region (replication also replicates a deletion or a corruption; a backup does not)',
    severity: 'high',
    check: (stacks) => {
      const selections = stacks.flatMap((stack) => stack.byType('aws_backup_selection').map((selection) => ({ stack, selection })));
      return dataBuckets(stacks).map((bucket): StackFinding => {
        const key = locationKey(bucket);
        const naming = selections.filter(({ stack, selection }) =>
          strings(selection.body.resources).some((value) => resolveAllAcross(stacks, stack, value).some((found) => locationKey(found) === key)),
        );
        return { stack: bucket.stack.name, resource: bucket.resource.address, outcome: outcome(naming, bucket.stack.regionOf(bucket.resource)) };
      });
    },
  }),
];
