import { STACK_OUTPUTS, parseStackOutputs } from './outputs';

describe('parseStackOutputs', () => {
  it('reads the contracted outputs from terraform output -json', () => {
    const values = Object.fromEntries(STACK_OUTPUTS.secondary.map((key) => [key, `${key}-value`]));
    const raw = { ...Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value, type: 'string', sensitive: false }])), extra: { value: 1 } };
    expect(parseStackOutputs('secondary', raw)).toEqual(values);
  });

  it('names every missing output', () => {
    expect(() => parseStackOutputs('primary', { region: { value: 'us-east-1' }, role: { value: 'primary' }, vpcId: { value: 7 } })).toThrow(
      /^outputs of stack primary: missing or not a string: vpcId, clusterIdentifier, clusterArn, writerEndpoint, readerEndpoint, loadBalancerDnsName/,
    );
  });

  it('rejects something that is not an outputs object', () => {
    expect(() => parseStackOutputs('primary', null)).toThrow('expected an object, got null');
  });
});
