import { OUTPUT_LIST_SEPARATOR, STACK_OUTPUTS, parseStackOutputs, splitListOutput } from './outputs';

describe('parseStackOutputs', () => {
  it('reads the contracted outputs from terraform output -json', () => {
    const values = Object.fromEntries(STACK_OUTPUTS.secondary.map((key) => [key, `${key}-value`]));
    const raw = { ...Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value, type: 'string', sensitive: false }])), extra: { value: 1 } };
    expect(parseStackOutputs('secondary', raw)).toEqual(values);
  });

  it('names every missing output', () => {
    expect(() => parseStackOutputs('primary', { region: { value: 'us-east-1' }, role: { value: 'primary' }, vpcId: { value: 7 } })).toThrow(
      /^outputs of stack primary: missing or not a string: vpcId, privateRouteTableIds, dataRouteTableId, databaseSecurityGroupId, serviceSecurityGroupId, clusterIdentifier/,
    );
  });

  it('rejects something that is not an outputs object', () => {
    expect(() => parseStackOutputs('primary', null)).toThrow('expected an object, got null');
  });
});

describe('list outputs', () => {
  it('publish what the secondary needs to peer with the primary, in both regional stacks', () => {
    for (const role of ['primary', 'secondary'] as const) {
      expect(STACK_OUTPUTS[role]).toEqual(expect.arrayContaining(['vpcId', 'privateRouteTableIds', 'dataRouteTableId', 'databaseSecurityGroupId', 'serviceSecurityGroupId']));
    }
  });

  it('split back into their items in order, and an empty output into none', () => {
    expect(splitListOutput(['rtb-0a', 'rtb-0b', 'rtb-0c'].join(OUTPUT_LIST_SEPARATOR))).toEqual(['rtb-0a', 'rtb-0b', 'rtb-0c']);
    expect(splitListOutput('rtb-0a')).toEqual(['rtb-0a']);
    expect(splitListOutput('')).toEqual([]);
  });
});
