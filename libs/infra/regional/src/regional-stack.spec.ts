import { DR_ROLES, defineEnvironment } from '@txn-dr/config';
import { synthesize } from '@txn-dr/infra-core/testing';
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

  it('keeps its own state', () => {
    expect(json.terraform.backend).toEqual({ local: { path: `../../../../stack-${role}/terraform.dev.tfstate` } });
  });

  it('publishes its contracted outputs', () => {
    expect(json.output).toEqual({ region: { value: region }, role: { value: role } });
  });
});
