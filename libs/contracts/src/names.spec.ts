import { defineEnvironment } from '@txn-dr/config';
import { DR_ROLES } from '@txn-dr/config';
import { Names } from './names';
import { parameterName } from './parameters';
import { localStatePath, stateKey } from './stacks';

const names = new Names(defineEnvironment({ name: 'dev' }));
// The longest project (8) and suffix (12) the config allows.
const longest = new Names(defineEnvironment({ name: 'abcdefghijkl', project: 'abcdefgh' }));

describe('Names', () => {
  it('builds every name from project, environment and role', () => {
    expect(names.globalCluster()).toBe('txdr-dev-global');
    expect(names.cluster('primary')).toBe('txdr-dev-primary-aurora');
    expect(names.clusterInstance('secondary', 1)).toBe('txdr-dev-secondary-aurora-1');
    expect(names.autoScalingGroup('secondary')).toBe('txdr-dev-secondary-asg');
    expect(names.loadBalancer('primary')).toBe('txdr-dev-pri-alb');
    expect(names.serviceFqdn()).toBe('app.dr-dev.example.com');
    expect(names.regionalServiceFqdn('primary')).toBe('primary.app.dr-dev.example.com');
    expect(names.regionalServiceFqdn('secondary')).toBe('secondary.app.dr-dev.example.com');
  });

  it.each(DR_ROLES)('keeps %s names within AWS limits for the longest inputs', (role) => {
    expect(longest.loadBalancer(role).length).toBeLessThanOrEqual(32);
    expect(longest.targetGroup(role).length).toBeLessThanOrEqual(32);
    for (const name of [longest.cluster(role), longest.clusterInstance(role, 16)]) {
      expect(name.length).toBeLessThanOrEqual(63);
    }
    for (const name of [longest.healthFunction(role), longest.autoScalingGroup(role), longest.alertTopic(role), longest.regional(role, 'health-check-role')]) {
      expect(name.length).toBeLessThanOrEqual(64);
    }
  });

  it('gives the two regions distinct names', () => {
    expect(names.cluster('primary')).not.toBe(names.cluster('secondary'));
    expect(names.loadBalancer('primary')).not.toBe(names.loadBalancer('secondary'));
    expect(names.regionalServiceFqdn('primary')).not.toBe(names.regionalServiceFqdn('secondary'));
  });
});

describe('state and parameters', () => {
  it('keys each stack state by environment and stack', () => {
    expect(stateKey('dev', 'secondary')).toBe('dev/secondary.tfstate');
  });

  it('puts local state beside the stack project, outside its synth output', () => {
    expect(localStatePath('dev', 'global')).toBe('../../../../stack-global/terraform.dev.tfstate');
  });

  it('nests parameters under /dr/<env>/<role>/', () => {
    expect(parameterName('dev', 'secondary', 'writerEndpoint')).toBe('/dr/dev/secondary/db/writer-endpoint');
  });
});
