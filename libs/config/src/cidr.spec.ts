import { cidrsOverlap, parseCidr, subnetCidrs } from './cidr';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/16', { first: 167772160, last: 167837695, prefix: 16 }],
    ['192.168.1.0/24', { first: 3232235776, last: 3232236031, prefix: 24 }],
  ])('parses %s', (cidr, range) => {
    expect(parseCidr(cidr)).toEqual(range);
  });

  it.each(['10.0.0.0', '10.0.0/16', '256.0.0.0/16', '10.0.0.0/33', '10.0.0.1/16', 'ten/8'])('rejects %s', (cidr) => {
    expect(parseCidr(cidr)).toBeUndefined();
  });
});

describe('cidrsOverlap', () => {
  const r = (c: string) => parseCidr(c)!;
  it('sees nested and equal blocks as overlapping, neighbours as not', () => {
    expect(cidrsOverlap(r('10.0.0.0/16'), r('10.0.255.0/24'))).toBe(true);
    expect(cidrsOverlap(r('10.0.0.0/16'), r('10.0.0.0/16'))).toBe(true);
    expect(cidrsOverlap(r('10.0.0.0/16'), r('10.1.0.0/16'))).toBe(false);
  });
});

describe('subnetCidrs', () => {
  it('lays out consecutive subnets from an offset', () => {
    expect(subnetCidrs('10.0.0.0/16', 20, 2)).toEqual(['10.0.0.0/20', '10.0.16.0/20']);
    expect(subnetCidrs('10.1.0.0/16', 20, 2, 8)).toEqual(['10.1.128.0/20', '10.1.144.0/20']);
  });

  it('refuses to overflow the block', () => {
    expect(() => subnetCidrs('10.0.0.0/24', 26, 5)).toThrow('10.0.0.0/24 holds 4 /26 subnets, 5 requested');
  });
});
