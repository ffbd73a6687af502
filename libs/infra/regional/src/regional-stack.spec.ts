import { DR_ROLES, defineEnvironment } from '@txn-dr/config';
import { STACK_OUTPUTS, parameterPrefix } from '@txn-dr/contracts';
import { followReference, literalSecrets, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { RegionalStack } from './regional-stack';

const env = defineEnvironment({ name: 'dev' });

describe.each(DR_ROLES)('RegionalStack (%s)', (role) => {
  const json = synthesize(new RegionalStack(Testing.app(), env, role));
  const region = env.regions[role].region;

  it('targets its own region only, through the provider aliased by its role', () => {
    expect(json.provider?.aws).toEqual([expect.objectContaining({ alias: role, region })]);
    expect(json.provider?.aws?.[0]?.default_tags).toEqual([{ tags: expect.objectContaining({ DRRole: role, Stack: role }) }]);
  });

  it('keeps its own state and reads the global stack through its contract', () => {
    expect(json.terraform.backend).toEqual({ local: { path: `../../../../stack-${role}/terraform.dev.tfstate` } });
    expect(Object.keys(json.data?.terraform_remote_state ?? {})).toEqual(['state-global']);
    expect(onlyResource(json, 'aws_rds_cluster').global_cluster_identifier).toBe('${data.terraform_remote_state.state-global.outputs.globalClusterIdentifier}');
  });

  it('encrypts data at rest with one rotating regional key that CloudWatch Logs may use', () => {
    const cluster = onlyResource(json, 'aws_rds_cluster');
    const key = followReference(json, cluster.kms_key_id);
    expect(key).toMatchObject({ enable_key_rotation: true, provider: `aws.${role}` });
    const policy = followReference(json, key.policy).statement as { principals: { identifiers: string[] }[] }[];
    expect(policy.flatMap((s) => s.principals.flatMap((p) => p.identifiers))).toContain(`logs.${region}.amazonaws.com`);
  });

  it('publishes the endpoints and the secret for the service under /dr/<env>/<role>/', () => {
    const parameters = Object.values(resourcesOfType(json, 'aws_ssm_parameter'));
    expect(parameters.map((p) => p.name).sort()).toEqual(
      ['db/global-writer-endpoint', 'db/name', 'db/port', 'db/reader-endpoint', 'db/secret-arn', 'db/writer-endpoint'].map((k) => `${parameterPrefix('dev', role)}/${k}`),
    );
    const byName = Object.fromEntries(parameters.map((p) => [p.name, p.value]));
    expect(byName[`/dr/dev/${role}/db/writer-endpoint`]).toMatch(/^\$\{aws_rds_cluster\..*\.endpoint\}$/);
    expect(byName[`/dr/dev/${role}/db/secret-arn`]).toBe(
      `\${data.terraform_remote_state.state-global.outputs.databaseSecretArn${role === 'primary' ? 'Primary' : 'Secondary'}}`,
    );
  });

  it('publishes every regional output of the contract', () => {
    expect(Object.keys(json.output ?? {}).sort()).toEqual([...STACK_OUTPUTS[role]].sort());
  });

  it('holds no literal secret', () => {
    expect(literalSecrets(json)).toEqual([]);
  });
});
