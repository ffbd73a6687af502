import { locationKey, remoteStack, resolveAcross, resolveAllAcross } from '../src/engine/cross-stack';
import { Stack } from '../src/engine/stack';

const primary = new Stack('primary', {
  resource: { aws_route53_health_check: { h: {} } },
  output: { healthCheckId: { value: '${aws_route53_health_check.h.id}' }, region: { value: 'us-east-1' } },
});
const secondaryReading = (state: Record<string, unknown>) =>
  new Stack('secondary', {
    resource: { aws_route53_health_check: { h: {} } },
    data: { terraform_remote_state: { 'state-primary': state } },
  });
const LOCAL = { backend: 'local', config: { path: '../../../../stack-primary/terraform.dev.tfstate' } };
const S3 = { backend: 's3', config: { bucket: 'b', key: 'ci/primary.tfstate', region: 'us-east-1' } };

describe('cross-stack references', () => {
  it.each([
    ['a local state file', LOCAL],
    ['an S3 state key', S3],
  ])('follow a remote-state output into the stack whose state is %s', (_name, state) => {
    const secondary = secondaryReading(state);
    const stacks = [primary, secondary];
    expect(remoteStack(stacks, secondary.get('data.terraform_remote_state.state-primary')!)).toBe(primary);
    const found = resolveAcross(stacks, secondary, '${data.terraform_remote_state.state-primary.outputs.healthCheckId}')!;
    expect(locationKey(found)).toBe('primary:aws_route53_health_check.h');
    // The same stack's own check is another resource.
    expect(locationKey(resolveAcross(stacks, secondary, '${aws_route53_health_check.h.id}')!)).toBe('secondary:aws_route53_health_check.h');
  });

  it.each([
    ['an output that is not a resource', '${data.terraform_remote_state.state-primary.outputs.region}', LOCAL],
    ['an output that does not exist', '${data.terraform_remote_state.state-primary.outputs.missing}', LOCAL],
    ['a data source that does not exist', '${data.terraform_remote_state.state-other.outputs.healthCheckId}', LOCAL],
    ['a state of no known stack', '${data.terraform_remote_state.state-primary.outputs.healthCheckId}', { backend: 's3', config: { key: 'dev/elsewhere.tfstate' } }],
    ['a literal', 'abcdef01-2345', LOCAL],
  ])('lead nowhere from %s', (_name, value, state) => {
    const secondary = secondaryReading(state);
    expect(resolveAcross([primary, secondary], secondary, value)).toBeUndefined();
  });
});

describe('resolving every resource a value may mean', () => {
  const upstream = new Stack('primary', {
    resource: { aws_route_table: { a: {}, b: {} } },
    output: { tables: { value: '${join(",", [aws_route_table.a.id, aws_route_table.b.id])}' }, region: { value: 'us-east-1' } },
  });
  const downstream = new Stack('secondary', {
    resource: { aws_route_table: { own: {} } },
    data: { terraform_remote_state: { 'state-primary': LOCAL } },
  });
  const keys = (value: unknown) => resolveAllAcross([upstream, downstream], downstream, value).map(locationKey).sort();

  it('gives every resource a joined list output names, whichever item an expression picks', () => {
    expect(keys('${element(split(",", data.terraform_remote_state.state-primary.outputs.tables), 1)}')).toEqual(['primary:aws_route_table.a', 'primary:aws_route_table.b']);
  });

  it('gives the stack\'s own resources, without the remote-state data source itself', () => {
    expect(keys('${aws_route_table.own.id}')).toEqual(['secondary:aws_route_table.own']);
    expect(keys('${coalesce(aws_route_table.own.id, data.terraform_remote_state.state-primary.outputs.tables)}')).toEqual([
      'primary:aws_route_table.a',
      'primary:aws_route_table.b',
      'secondary:aws_route_table.own',
    ]);
  });

  it('gives nothing for a literal, an output that names no resource, or an unknown output', () => {
    expect(keys('rtb-0123')).toEqual([]);
    expect(keys('${data.terraform_remote_state.state-primary.outputs.region}')).toEqual([]);
    expect(keys('${data.terraform_remote_state.state-primary.outputs.missing}')).toEqual([]);
    expect(keys(undefined)).toEqual([]);
  });
});
