import { defineEnvironment } from '@txn-dr/config';
import { synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { GlobalStack } from './global-stack';

describe('GlobalStack', () => {
  const json = synthesize(new GlobalStack(Testing.app(), defineEnvironment({ name: 'dev' })));

  it('has a provider for each region of the pair', () => {
    expect(json.provider?.aws?.map((p) => [p.alias, p.region])).toEqual([
      ['primary', 'us-east-1'],
      ['secondary', 'us-east-2'],
    ]);
  });

  it('keeps its own state', () => {
    expect(json.terraform.backend).toEqual({ local: { path: '../../../../stack-global/terraform.dev.tfstate' } });
  });

  it('publishes the global contract', () => {
    expect(json.output).toEqual({
      environment: { value: 'dev' },
      primaryRegion: { value: 'us-east-1' },
      secondaryRegion: { value: 'us-east-2' },
    });
  });
});
