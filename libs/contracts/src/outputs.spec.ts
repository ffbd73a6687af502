import { parseStackOutputs } from './outputs';

describe('parseStackOutputs', () => {
  it('reads the contracted outputs from terraform output -json', () => {
    const raw = { region: { value: 'us-east-2', type: 'string', sensitive: false }, role: { value: 'secondary', type: 'string' }, extra: { value: 1 } };
    expect(parseStackOutputs('secondary', raw)).toEqual({ region: 'us-east-2', role: 'secondary' });
  });

  it('names every missing output', () => {
    expect(() => parseStackOutputs('global', { environment: { value: 'dev' } })).toThrow(
      'outputs of stack global: missing or not a string: primaryRegion, secondaryRegion',
    );
  });

  it('rejects something that is not an outputs object', () => {
    expect(() => parseStackOutputs('primary', null)).toThrow('expected an object, got null');
  });
});
