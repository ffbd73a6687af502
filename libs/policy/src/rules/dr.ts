import { AURORA_LAG_METRIC_NAMES, HEALTH_PATHS, ROUTE53_METRICS_REGION, type StackName } from '@txn-dr/contracts';
import type { Stack } from '../engine/stack';
import { fail, na, pass, type Resource, type StackFinding, type StacksRule } from '../engine/types';
import { block, blocks, isTrue, referenced, resourceRule, stacksRule, strings, toNumber } from './util';
import { alarmLabel, alarmsOnWritableChecks, mismatch, writableChecks } from './writable-checks';

/** The stack that stands by and takes over. */
export const STANDBY_STACK: StackName = 'secondary';
/** The stack that serves traffic normally. */
export const ACTIVE_STACK: StackName = 'primary';

const LAG_METRICS = AURORA_LAG_METRIC_NAMES;
const STACK_LEVEL = '(stack)';

/**
 * Kinds of resource the active stack holds alone, and why the standby needs none. A secret's
 * rotation is set on the secret in its primary region: a replica cannot be rotated, and takes the
 * rotated value by replication.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html
 * The schema migration writes to the writer only: a secondary cluster is read-only, and the
 * schema and the service's user reach it by the global database's replication.
 */
export const ACTIVE_ONLY_TYPES: Readonly<Record<string, string>> = {
  aws_secretsmanager_secret_rotation: 'a replica secret cannot be rotated; the primary secret\'s rotation replicates to it',
  aws_lambda_invocation: 'the schema migration writes to the writer; the standby\'s cluster is read-only and takes the schema and the service user by replication',
};

/** True if a dimension value names the cluster: its literal identifier or a reference to it. */
function namesCluster(stack: Stack, value: unknown, cluster: Resource): boolean {
  if (value === cluster.body.cluster_identifier) return true;
  return stack.resolve(value)?.address === cluster.address;
}

/**
 * The DBClusterIdentifier a Metrics Insights query on a lag metric of AWS/RDS filters on, e.g.
 * `SELECT MAX(AuroraGlobalDBRPOLag) FROM "AWS/RDS" WHERE DBClusterIdentifier = 'db'`.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html
 */
function lagQueryCluster(expression: unknown): string | undefined {
  if (typeof expression !== 'string') return undefined;
  const query = /^\s*SELECT\s+\w+\(\s*(\w+)\s*\)\s+FROM\s+(?:"AWS\/RDS"|SCHEMA\(\s*"AWS\/RDS"[^)]*\))\s+WHERE\s+(.+)$/is.exec(expression);
  if (!query || !LAG_METRICS.includes(query[1]!)) return undefined;
  return /\bDBClusterIdentifier\s*=\s*'([^']*)'/.exec(query[2]!)?.[1];
}

/** The alarms that read a lag metric of this cluster: as their metric, a metric query, or a Metrics Insights query. */
function lagAlarmsOf(stack: Stack, cluster: Resource): Resource[] {
  return stack.byType('aws_cloudwatch_metric_alarm').filter((alarm) => {
    const single = LAG_METRICS.includes(String(alarm.body.metric_name)) && namesCluster(stack, block(alarm.body.dimensions).DBClusterIdentifier, cluster);
    const query = blocks(alarm.body.metric_query).some((q) => {
      const metric = block(q.metric);
      if (LAG_METRICS.includes(String(metric.metric_name)) && namesCluster(stack, block(metric.dimensions).DBClusterIdentifier, cluster)) return true;
      const filtered = lagQueryCluster(q.expression);
      return filtered !== undefined && namesCluster(stack, filtered, cluster);
    });
    return single || query;
  });
}

/**
 * A rule that some alarm reads every region's writable check together and fires exactly in one
 * situation (`expected`, of the number of writable regions). One finding per writable check.
 */
function writableRegionsAlarmRule(rule: {
  id: string;
  title: string;
  /** What the alarm announces, for messages: `no region is writable`. */
  situation: string;
  /** The fewest regions for which the situation can arise. */
  minimumRegions: number;
  expected: (writableRegions: number) => boolean;
}): StacksRule {
  return stacksRule({
    id: rule.id,
    mirrors: null,
    title: rule.title,
    severity: 'high',
    check: (stacks) => {
      const checks = writableChecks(stacks);
      const alarms = alarmsOnWritableChecks(stacks, checks);
      return checks.map((check): StackFinding => {
        const about = { stack: check.stack.name, resource: check.resource.address };
        if (checks.length < rule.minimumRegions) return { ...about, outcome: na(`${checks.length} region(s) with a writable check: ${rule.situation} cannot happen`) };
        const reading = alarms.filter((a) => a.reads.has(check.key));
        if (reading.length === 0) return { ...about, outcome: fail(`no alarm reads this check with the other regions': nobody hears when ${rule.situation}`) };
        const problems = reading.map((alarm) => {
          if (alarm.region !== ROUTE53_METRICS_REGION) {
            return `${alarmLabel(alarm)} is in ${alarm.region ?? 'an unknown region'}, but Route 53 publishes health-check metrics in ${ROUTE53_METRICS_REGION} only`;
          }
          const missing = checks.filter((c) => !alarm.reads.has(c.key));
          if (missing.length > 0) {
            return `${alarmLabel(alarm)} reads ${alarm.reads.size} of ${checks.length} regions' writable checks (not ${missing.map((c) => c.stack.name).join(', ')})`;
          }
          const wrong = mismatch(alarm, checks, rule.expected);
          return wrong === undefined ? undefined : `${wrong}, not exactly when ${rule.situation}`;
        });
        return { ...about, outcome: problems.includes(undefined) ? pass() : fail(problems.join('; ')) };
      });
    },
  });
}

export const drRules = [
  stacksRule({
    id: 'dr-engine-version-match',
    mirrors: null,
    title: 'The global cluster and every regional cluster and instance pin one and the same engine version',
    severity: 'high',
    check: (stacks) => {
      const members = stacks.flatMap((stack) =>
        ['aws_rds_global_cluster', 'aws_rds_cluster', 'aws_rds_cluster_instance'].flatMap((type) => stack.byType(type).map((r) => ({ stack, r }))),
      );
      const reference =
        members.find((m) => m.r.type === 'aws_rds_global_cluster')?.r.body.engine_version ?? members.find((m) => m.r.body.engine_version)?.r.body.engine_version;
      return members.map(({ stack, r }): StackFinding => {
        const version = r.body.engine_version;
        const outcome =
          version === undefined
            ? fail('engine_version is not pinned: each region would take whatever default it is created with')
            : version === reference
              ? pass()
              : fail(`engine_version ${String(version)} differs from ${String(reference)}`);
        return { stack: stack.name, resource: r.address, outcome };
      });
    },
  }),
  stacksRule({
    id: 'dr-standby-capacity',
    mirrors: null,
    title: `The standby (${STANDBY_STACK}) stack keeps at least one instance running (every ASG min_size >= 1)`,
    severity: 'high',
    check: (stacks) => {
      const standby = stacks.find((s) => s.name === STANDBY_STACK);
      if (!standby) return [];
      const groups = standby.byType('aws_autoscaling_group');
      if (groups.length === 0) return [{ stack: standby.name, resource: STACK_LEVEL, outcome: fail('the standby stack has no Auto Scaling group') }];
      return groups.map((g) => {
        const min = toNumber(g.body.min_size) ?? 0;
        return { stack: standby.name, resource: g.address, outcome: min >= 1 ? pass() : fail(`min_size is ${min}: a failover would start from a cold region`) };
      });
    },
  }),
  stacksRule({
    id: 'dr-standby-mirrors-active',
    mirrors: null,
    title: `The standby stack has every kind of resource the active (${ACTIVE_STACK}) stack has`,
    severity: 'medium',
    check: (stacks) => {
      const active = stacks.find((s) => s.name === ACTIVE_STACK);
      const standby = stacks.find((s) => s.name === STANDBY_STACK);
      if (!active || !standby) return [];
      const types = new Set([...active.resources.values()].filter((r) => r.mode === 'resource' && !(r.type in ACTIVE_ONLY_TYPES)).map((r) => r.type));
      const missing = [...types].filter((t) => standby.byType(t).length === 0).sort();
      return [{ stack: standby.name, resource: STACK_LEVEL, outcome: missing.length === 0 ? pass() : fail(`no ${missing.join(', ')} in the standby stack`) }];
    },
  }),
  resourceRule({
    id: 'dr-replication-lag-alarm',
    mirrors: null,
    title:
      'Every cluster of a global database has an alarm on its own replication lag (AuroraGlobalDBRPOLag or AuroraGlobalDBReplicationLag), in its own region, where Aurora publishes it while the cluster is a secondary, with missing data not breaching (a writer publishes none)',
    severity: 'high',
    resourceTypes: ['aws_rds_cluster'],
    check: (cluster, stack) => {
      if (cluster.body.global_cluster_identifier === undefined) return na('not part of a global database');
      const alarms = lagAlarmsOf(stack, cluster);
      if (alarms.length === 0) return fail('no replication lag alarm names this cluster');
      // The lag metrics are "available only in secondary AWS Regions", per secondary cluster:
      // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
      const region = stack.regionOf(cluster);
      const problems = alarms.map((alarm) => {
        const alarmRegion = stack.regionOf(alarm);
        if (alarmRegion !== region) {
          return `${alarm.address} is in ${alarmRegion ?? 'an unknown region'}, but Aurora publishes this cluster's lag only in its own region (${region ?? 'unknown'})`;
        }
        const missing = alarm.body.treat_missing_data;
        if (missing !== 'notBreaching') {
          return `${alarm.address} treats missing data as ${String(missing ?? 'missing (the default)')}: the cluster publishes no lag while it is the writer, so only notBreaching keeps the alarm OK there`;
        }
        return undefined;
      });
      return problems.includes(undefined) ? pass() : fail(problems.join('; '));
    },
  }),
  resourceRule({
    id: 'dr-cluster-in-global-database',
    mirrors: null,
    title: 'Every regional Aurora cluster joins the global database',
    severity: 'high',
    resourceTypes: ['aws_rds_cluster'],
    check: (cluster) => (cluster.body.global_cluster_identifier ? pass() : fail('global_cluster_identifier is unset: the cluster would not replicate to the other region')),
  }),
  resourceRule({
    id: 'dr-record-checks-writable',
    mirrors: null,
    title: `Weighted records are guarded by a Route 53 check of the writable endpoint (${HEALTH_PATHS.writable}), and by it alone (no evaluate_target_health), so traffic follows the database writer with no record change`,
    severity: 'high',
    resourceTypes: ['aws_route53_record'],
    check: (record, stack) => {
      if (record.body.weighted_routing_policy === undefined) return na('not a weighted record');
      const healthCheck = referenced(stack, record.body.health_check_id, ['aws_route53_health_check']);
      if (!healthCheck) return fail('no aws_route53_health_check of the stack guards it');
      const path = healthCheck.body.resource_path;
      if (path !== HEALTH_PATHS.writable) {
        return fail(`its health check asks ${String(path ?? '/ (default)')}, not ${HEALTH_PATHS.writable}: a standby would never take the traffic, or a read-only region would keep it`);
      }
      // With a health check and evaluate_target_health, "both must evaluate to true" (see RegionalRecord).
      return isTrue(block(record.body.alias).evaluate_target_health)
        ? fail('alias.evaluate_target_health is true: the record would also wait for healthy ALB targets, a second gate in a failover that the RTO budget does not count')
        : pass();
    },
  }),
  writableRegionsAlarmRule({
    id: 'dr-no-writable-region-alarm',
    title: `An alarm in ${ROUTE53_METRICS_REGION} reads every region's writable Route 53 check together and fires exactly when none is healthy (no region takes writes)`,
    situation: 'no region is writable',
    minimumRegions: 1,
    expected: (writable) => writable === 0,
  }),
  writableRegionsAlarmRule({
    id: 'dr-two-writable-regions-alarm',
    title: `An alarm in ${ROUTE53_METRICS_REGION} reads every region's writable Route 53 check together and fires exactly when two or more are healthy (two writers)`,
    situation: 'two regions are writable',
    minimumRegions: 2,
    expected: (writable) => writable >= 2,
  }),
  resourceRule({
    id: 'dr-target-group-checks-serving',
    mirrors: null,
    title: `Target groups check the serving endpoint (${HEALTH_PATHS.target}), not the writable one, so a standby's instances stay in service`,
    severity: 'high',
    resourceTypes: ['aws_lb_target_group'],
    check: (group) => {
      const path = block(group.body.health_check).path;
      return path === HEALTH_PATHS.target
        ? pass()
        : fail(`health_check.path is ${String(path ?? '/ (default)')}, not ${HEALTH_PATHS.target}: on the writable path a standby's instances would be marked unhealthy and replaced`);
    },
  }),
  resourceRule({
    id: 'dr-secret-replicated',
    mirrors: null,
    title: 'Secrets Manager secrets are replicated to another region',
    severity: 'high',
    resourceTypes: ['aws_secretsmanager_secret'],
    check: (secret, stack) => {
      const regions = blocks(secret.body.replica).flatMap((r) => strings(r.region));
      const own = stack.regionOf(secret);
      return regions.some((r) => r !== own) ? pass() : fail('no replica block in another region');
    },
  }),
];
