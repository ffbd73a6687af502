import { describeStackApp } from '@txn-dr/infra-core/testing';
import { join } from 'node:path';

const dev = describeStackApp(join(__dirname, '..'), 'primary');

describe('the stack-primary app, on its own', () => {
  it('synthesizes before the secondary exists: no peering, only the global stack read, the peering outputs published', () => {
    const run = dev();
    expect(run.status).toBe(0);
    const json = run.stack!;
    const types = Object.keys(json.resource ?? {});
    expect(types.filter((type) => type.startsWith('aws_vpc_peering_connection'))).toEqual([]);
    expect(Object.keys(json.data?.terraform_remote_state ?? {})).toEqual(['state-global']);
    const output = (key: string) => json.output?.[key]?.value;
    expect(output('vpcId')).toMatch(/^\$\{aws_vpc\./);
    expect(output('privateRouteTableIds')).toMatch(/^\$\{join\(",", \[aws_route_table\.[^,]+\.id, aws_route_table\.[^,]+\.id\]\)\}$/);
    expect(output('dataRouteTableId')).toMatch(/^\$\{aws_route_table\./);
    expect(output('databaseSecurityGroupId')).toMatch(/^\$\{aws_security_group\.network_security-groups_database_/);
    expect(output('serviceSecurityGroupId')).toMatch(/^\$\{aws_security_group\.network_security-groups_service_/);
  });
});
