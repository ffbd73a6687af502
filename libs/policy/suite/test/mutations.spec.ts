import { RULES, Stack, evaluate, type TfJson } from '@txn-dr/policy';
import { synthesizedStacks } from './synthesized';

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

type Body = Record<string, unknown>;

/** Every resource (or data source, under `data`) of a type in a stack's JSON. */
const each = (json: Json, type: string, mode: 'resource' | 'data' = 'resource'): Body[] => Object.values(json[mode]?.[type] ?? {});
const drop = (json: Json, type: string, keep: (b: Body) => boolean = () => false) => {
  const byName = json.resource?.[type] ?? {};
  for (const [name, body] of Object.entries(byName)) if (!keep(body)) delete byName[name];
};

/** An alarm on AuroraGlobalDBRPOLag (the regional stacks' Metrics Insights query). */
const readsRpoLag = (alarm: Body): boolean => ((alarm.metric_query as Body[] | undefined) ?? []).some((q) => String(q.expression).includes('AuroraGlobalDBRPOLag'));

/** An alarm whose metric queries read Route 53 health-check status. */
const readsRoute53 = (alarm: Body): boolean => ((alarm.metric_query as Body[] | undefined) ?? []).some((q) => (q.metric as Body | undefined)?.namespace === 'AWS/Route53');

/**
 * The real synthesized stacks, each broken in one way a layer change could break them: the rules
 * must notice on the real JSON, not only on the fixtures. Mutations select by type and content,
 * not by address, so they survive renames.
 */
const MUTATIONS: [description: string, stack: string, rule: string, mutate: (json: Json) => void][] = [
  ['IMDSv1 allowed on the launch template', 'primary', 'ec2-imdsv2', (j) => each(j, 'aws_launch_template').forEach((t) => ((t.metadata_options as Body).http_tokens = 'optional'))],
  ['bucket versioning removed', 'primary', 's3-versioning', (j) => drop(j, 'aws_s3_bucket_versioning')],
  ['the TLS-only bucket policies dropped', 'global', 's3-tls-only', (j) => drop(j, 'aws_s3_bucket_policy')],
  ['the internet-facing listener rule moved to SSH', 'secondary', 'sg-no-world-ingress', (j) =>
    each(j, 'aws_vpc_security_group_ingress_rule').filter((r) => r.cidr_ipv4 === '0.0.0.0/0').forEach((r) => Object.assign(r, { from_port: 22, to_port: 22 }))],
  ['the standby engine version drifts', 'secondary', 'dr-engine-version-match', (j) => each(j, 'aws_rds_cluster').forEach((c) => (c.engine_version = '8.0.mysql_aurora.3.08.0'))],
  ['the standby scaled to zero', 'secondary', 'dr-standby-capacity', (j) => each(j, 'aws_autoscaling_group').forEach((g) => (g.min_size = 0))],
  ['the replication lag alarm removed', 'secondary', 'dr-replication-lag-alarm', (j) => drop(j, 'aws_cloudwatch_metric_alarm', (a) => !readsRpoLag(a))],
  ['the replication lag alarm on the primary’s cluster, which publishes no lag while it writes', 'secondary', 'dr-replication-lag-alarm', (j) =>
    each(j, 'aws_cloudwatch_metric_alarm').filter(readsRpoLag).forEach((a) => {
      const [query] = a.metric_query as Body[];
      query!.expression = String(query!.expression).replace('-secondary-', '-primary-');
    })],
  ['the replication lag alarm moved to us-east-1, where the secondary’s lag is not published', 'secondary', 'dr-replication-lag-alarm', (j) =>
    each(j, 'aws_cloudwatch_metric_alarm').filter(readsRpoLag).forEach((a) => (a.provider = 'aws.route53-metrics'))],
  ['the primary’s replication lag alarm breaching on the missing data of a writer', 'primary', 'dr-replication-lag-alarm', (j) =>
    each(j, 'aws_cloudwatch_metric_alarm').filter(readsRpoLag).forEach((a) => (a.treat_missing_data = 'breaching'))],
  ['the global stack without terraform.required_version', 'global', 'terraform-required-version', (j) => delete (j as unknown as { terraform: Body }).terraform.required_version],
  ['a stack allowing a Terraform without write-only arguments', 'secondary', 'terraform-required-version', (j) =>
    ((j as unknown as { terraform: Body }).terraform.required_version = '>= 1.10.0')],
  ['the record also evaluating the ALB’s target health', 'primary', 'dr-record-checks-writable', (j) =>
    each(j, 'aws_route53_record').filter((r) => r.weighted_routing_policy !== undefined).forEach((r) => ((r.alias as Body).evaluate_target_health = true))],
  ['the Route 53 check moved back to /health, which a reader passes', 'secondary', 'dr-record-checks-writable', (j) =>
    each(j, 'aws_route53_health_check').forEach((h) => (h.resource_path = '/health'))],
  ['the target group checking the writable path', 'secondary', 'dr-target-group-checks-serving', (j) =>
    each(j, 'aws_lb_target_group').forEach((g) => ((g.health_check as Body).path = '/health/writable'))],
  ['the no-writable-region alarm removed', 'secondary', 'dr-no-writable-region-alarm', (j) => drop(j, 'aws_cloudwatch_metric_alarm', (a) => !(readsRoute53(a) && a.comparison_operator === 'LessThanThreshold'))],
  ['the no-writable-region alarm reading its own region only', 'secondary', 'dr-no-writable-region-alarm', (j) =>
    each(j, 'aws_cloudwatch_metric_alarm').filter((a) => readsRoute53(a) && a.comparison_operator === 'LessThanThreshold').forEach((a) => {
      const queries = a.metric_query as Body[];
      a.metric_query = [queries[1], { ...queries[2], expression: String((queries[1] as Body).id) }];
    })],
  ['the writable-region alarms moved to the stack’s own region, where Route 53 publishes nothing', 'secondary', 'dr-no-writable-region-alarm', (j) =>
    each(j, 'aws_cloudwatch_metric_alarm').filter(readsRoute53).forEach((a) => (a.provider = 'aws.secondary'))],
  ['the two-writers alarm firing on one writer', 'secondary', 'dr-two-writable-regions-alarm', (j) =>
    each(j, 'aws_cloudwatch_metric_alarm').filter((a) => readsRoute53(a) && a.comparison_operator === 'GreaterThanOrEqualToThreshold').forEach((a) => (a.threshold = 1))],
  ['a per-region alarm on the primary’s writable check, as before', 'primary', 'alarm-writable-check-not-alone', (j) => {
    const [check] = Object.keys(j.resource!.aws_route53_health_check!);
    const [topic] = Object.keys(j.resource!.aws_sns_topic!);
    j.resource!.aws_cloudwatch_metric_alarm!.route53 = {
      provider: 'aws.primary',
      namespace: 'AWS/Route53',
      metric_name: 'HealthCheckStatus',
      dimensions: { HealthCheckId: `\${aws_route53_health_check.${check}.id}` },
      statistic: 'Minimum',
      period: 60,
      evaluation_periods: 1,
      threshold: 1,
      comparison_operator: 'LessThanThreshold',
      alarm_actions: [`\${aws_sns_topic.${topic}.arn}`],
    };
  }],
  ['the peering routes opened to all traffic', 'secondary', 'vpc-peering-route-scoped', (j) =>
    each(j, 'aws_route').filter((r) => r.vpc_peering_connection_id).forEach((r) => (r.destination_cidr_block = '0.0.0.0/0'))],
  ['the peering accepted through the requester’s own provider', 'secondary', 'vpc-peering-accepted-in-peer-region', (j) =>
    each(j, 'aws_vpc_peering_connection_accepter').forEach((a) => (a.provider = 'aws.secondary'))],
  ['a peering route put in the public route table', 'secondary', 'vpc-peering-no-public-route-tables', (j) => {
    const publicTable = each(j, 'aws_route').find((r) => String(r.gateway_id).includes('aws_internet_gateway'))!.route_table_id;
    each(j, 'aws_route').filter((r) => r.vpc_peering_connection_id && r.provider === 'aws.secondary').forEach((r) => (r.route_table_id = publicTable));
  }],
  ['the primary database opened to the whole secondary VPC', 'secondary', 'sg-database-ingress-scoped', (j) =>
    each(j, 'aws_vpc_security_group_ingress_rule').filter((r) => r.provider === 'aws.primary').forEach((r) => (r.cidr_ipv4 = '10.1.0.0/16'))],
  ['the secondary database opened to every port from the primary subnets', 'secondary', 'sg-database-ingress-scoped', (j) =>
    each(j, 'aws_vpc_security_group_ingress_rule').filter((r) => r.provider === 'aws.secondary' && r.cidr_ipv4).forEach((r) => Object.assign(r, { from_port: 0, to_port: 65535 }))],
  ['alarms left without actions', 'primary', 'alarm-has-action', (j) => each(j, 'aws_cloudwatch_metric_alarm').forEach((a) => (a.alarm_actions = []))],
  ['flow logs removed', 'primary', 'vpc-flow-logs', (j) => drop(j, 'aws_flow_log')],
  ['role policies granting s3:GetObject on *', 'primary', 'iam-no-wildcard-resource', (j) =>
    each(j, 'aws_iam_policy_document', 'data').forEach((d) => (d.statement as unknown[]).push({ actions: ['s3:GetObject'], resources: ['*'] }))],
  ['the replication role’s key conditions back to object ARNs only, which S3 Bucket Keys never match', 'global', 's3-replication-kms-context-bucket-arn', (j) =>
    each(j, 'aws_iam_policy_document', 'data').flatMap((d) => (d.statement as Body[] | undefined) ?? []).flatMap((s) => (s.condition as Body[] | undefined) ?? [])
      .filter((c) => c.variable === 'kms:EncryptionContext:aws:s3:arn')
      .forEach((c) => (c.values = [...new Set((c.values as string[]).map((v) => (v.endsWith('/*') ? v : `${v}/*`)))]))],
  ['key rotation off', 'global', 'kms-rotation', (j) => each(j, 'aws_kms_key').forEach((k) => (k.enable_key_rotation = false))],
  ['port 80 serving the service beside the HTTPS listener instead of redirecting', 'primary', 'alb-https-when-certificate', (j) => {
    const [group] = Object.keys(j.resource!.aws_lb_target_group!);
    each(j, 'aws_lb_listener').filter((l) => l.port === 80).forEach((l) => (l.default_action = [{ type: 'forward', target_group_arn: `\${aws_lb_target_group.${group}.arn}` }]));
  }],
  ['the HTTPS listener on a policy that still allows TLS 1.0', 'secondary', 'alb-tls-policy', (j) =>
    each(j, 'aws_lb_listener').filter((l) => l.protocol === 'HTTPS').forEach((l) => (l.ssl_policy = 'ELBSecurityPolicy-2016-08'))],
  ['the secondary’s certificate requested in the primary’s region', 'secondary', 'alb-certificate-in-listener-region', (j) =>
    each(j, 'aws_acm_certificate').forEach((c) => (c.provider = 'aws.primary'))],
  ['the certificate deleted before its successor exists', 'primary', 'acm-create-before-destroy', (j) => each(j, 'aws_acm_certificate').forEach((c) => delete c.lifecycle)],
  ['the health check asking the weighted service name it guards', 'primary', 'route53-health-check-not-guarded-name', (j) => {
    const weighted = each(j, 'aws_route53_record').find((r) => r.set_identifier !== undefined)!;
    each(j, 'aws_route53_health_check').forEach((h) => (h.fqdn = weighted.name));
  }],
  ['the cluster’s backups copied nowhere', 'secondary', 'backup-aurora-copied', (j) =>
    each(j, 'aws_backup_plan').flatMap((p) => p.rule as Body[]).filter((r) => r.enable_continuous_backup === true).forEach((r) => delete r.copy_action)],
  ['the global contract naming a bucket other than the one it makes, so no backup selects the data bucket', 'global', 'backup-data-bucket-copied', (j) =>
    (((j as unknown as { output: Record<string, Body> }).output.dataBucketPrimary!).value = 'txdr-dev-primary-data-elsewhere')],
  ['the HTTPS health check sending no SNI', 'secondary', 'route53-https-health-check-sni', (j) => each(j, 'aws_route53_health_check').forEach((h) => (h.enable_sni = false))],
  ['the master secret rotated every 90 days', 'primary', 'secret-rotation-max-30-days', (j) =>
    each(j, 'aws_secretsmanager_secret_rotation').forEach((r) => ((r.rotation_rules as Body).schedule_expression = 'rate(90 days)'))],
  ['the service fleet no longer waiting for the schema migration', 'primary', 'dr-schema-migration-before-fleet', (j) =>
    each(j, 'aws_autoscaling_group').forEach((g) => (g.depends_on = (g.depends_on as string[]).filter((d) => !d.startsWith('aws_lambda_invocation.'))))],
  ['the schema migration run once, for the first bundle only', 'primary', 'dr-schema-migration-before-fleet', (j) => each(j, 'aws_lambda_invocation').forEach((i) => delete i.triggers)],
  ['the schema migration no longer waiting for the writer', 'primary', 'dr-schema-migration-before-fleet', (j) =>
    each(j, 'aws_lambda_invocation').forEach((i) => (i.depends_on = (i.depends_on as string[]).filter((d) => !d.startsWith('aws_rds_cluster'))))],
];

const synthesized = synthesizedStacks('dev');

describe('rules catch breakage of the real synthesized stacks', () => {
  it.each(MUTATIONS)('%s (%s) fails %s', (_description, stackName, rule, mutate) => {
    const stacks = synthesized();
    const mutated = stacks.map((s) => {
      if (s.name !== stackName) return s;
      const json = structuredClone(s.json) as unknown as Json;
      mutate(json);
      return new Stack(s.name, json as unknown as TfJson, s.file);
    });
    const report = evaluate(RULES, mutated);
    expect(report.failures.filter((f) => f.stack === stackName).map((f) => f.rule)).toContain(rule);
  });
});

describe('rules across stacks catch breakage of the real synthesized stacks', () => {
  it('the master secret’s rotation removed from the primary stack fails the global stack’s secret', () => {
    const stacks = synthesized().map((s) => {
      if (s.name !== 'primary') return s;
      const json = structuredClone(s.json) as unknown as Json;
      drop(json, 'aws_secretsmanager_secret_rotation');
      return new Stack(s.name, json as unknown as TfJson, s.file);
    });
    expect(evaluate(RULES, synthesized()).failures.filter((f) => f.rule === 'secret-rotation-database-credentials')).toEqual([]);
    const failures = evaluate(RULES, stacks).failures.filter((f) => f.rule === 'secret-rotation-database-credentials');
    expect(failures.map((f) => f.stack)).toEqual(['global']);
  });
});
