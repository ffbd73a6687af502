import { subnetLayout } from './layout';

describe('subnetLayout', () => {
  it('gives each tier its own fixed block of slots', () => {
    expect(subnetLayout('10.0.0.0/16', 2)).toEqual({
      public: ['10.0.0.0/21', '10.0.8.0/21'],
      private: ['10.0.64.0/21', '10.0.72.0/21'],
      data: ['10.0.128.0/21', '10.0.136.0/21'],
    });
  });

  it('keeps existing subnets when an AZ is added', () => {
    const two = subnetLayout('10.1.0.0/16', 2);
    const three = subnetLayout('10.1.0.0/16', 3);
    expect(three.private.slice(0, 2)).toEqual(two.private);
    expect(three.data.slice(0, 2)).toEqual(two.data);
  });

  it('fits six AZs in the smallest VPC the config allows', () => {
    expect(subnetLayout('10.2.0.0/23', 6).data).toHaveLength(6);
    expect(subnetLayout('10.2.0.0/23', 6).data[0]).toBe('10.2.1.0/28');
  });
});
