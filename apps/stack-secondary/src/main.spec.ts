import { describeStackApp } from '@txn-dr/infra-core/testing';
import { join } from 'node:path';

const dev = describeStackApp(join(__dirname, '..'), 'secondary');

describe('the stack-secondary app', () => {
  it('requests the peering from its region and accepts it in the primary region, from the primary\'s outputs', () => {
    const run = dev();
    expect(run.status).toBe(0);
    const json = run.stack!;
    const only = (type: string) => {
      const found = Object.values(json.resource?.[type] ?? {});
      expect(found).toHaveLength(1);
      return found[0]!;
    };
    expect(only('aws_vpc_peering_connection')).toMatchObject({
      provider: 'aws.secondary',
      peer_region: 'us-east-1',
      peer_vpc_id: '${data.terraform_remote_state.state-primary.outputs.vpcId}',
    });
    expect(only('aws_vpc_peering_connection_accepter')).toMatchObject({ provider: 'aws.primary', auto_accept: true });
    expect(json.provider?.aws).toContainEqual(expect.objectContaining({ alias: 'primary', region: 'us-east-1' }));
  });
});
