import { HEALTH_ENV } from '@txn-dr/contracts';
import { DEFAULT_CALL_TIMEOUT_MS, readSettings, SettingsError } from './settings';

const VARS: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  [HEALTH_ENV.clusterIdentifier]: 'txdr-dev-primary-aurora',
  [HEALTH_ENV.globalClusterIdentifier]: 'txdr-dev-global',
  [HEALTH_ENV.role]: 'primary',
  [HEALTH_ENV.environment]: 'txdr-dev',
  [HEALTH_ENV.metricNamespace]: 'txdr-dev/DisasterRecovery',
  [HEALTH_ENV.alertTopicArn]: 'arn:aws:sns:us-east-1:111122223333:txdr-dev-primary-alerts',
  [HEALTH_ENV.stateParameter]: '/dr/dev/primary/health/last-state',
  [HEALTH_ENV.stateKeyArn]: 'arn:aws:kms:us-east-1:111122223333:key/k',
};

describe('readSettings', () => {
  it('reads every variable, with the default call time limit', () => {
    expect(readSettings(VARS)).toEqual({
      clusterIdentifier: 'txdr-dev-primary-aurora',
      globalClusterIdentifier: 'txdr-dev-global',
      role: 'primary',
      region: 'us-east-1',
      environment: 'txdr-dev',
      metricNamespace: 'txdr-dev/DisasterRecovery',
      alertTopicArn: 'arn:aws:sns:us-east-1:111122223333:txdr-dev-primary-alerts',
      stateParameter: '/dr/dev/primary/health/last-state',
      stateKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k',
      callTimeoutMs: DEFAULT_CALL_TIMEOUT_MS,
    });
  });

  it.each([
    [{ [HEALTH_ENV.clusterIdentifier]: ' ' }, 'DR_CLUSTER_IDENTIFIER is not set'],
    [{ AWS_REGION: undefined }, 'AWS_REGION is not set'],
    [{ [HEALTH_ENV.role]: 'standby' }, 'DR_ROLE must be primary or secondary, got standby'],
    [{ [HEALTH_ENV.metricNamespace]: 'AWS/RDS' }, 'DR_METRIC_NAMESPACE must not start with AWS/ (reserved for AWS services)'],
    [{ [HEALTH_ENV.callTimeoutMs]: '2.5' }, 'DR_CALL_TIMEOUT_MS must be a whole number of milliseconds between 100 and 60000, got 2.5'],
    [{ [HEALTH_ENV.callTimeoutMs]: '0' }, 'DR_CALL_TIMEOUT_MS must be a whole number of milliseconds between 100 and 60000, got 0'],
  ])('refuses %j: %s', (change, problem) => {
    expect(() => readSettings({ ...VARS, ...change })).toThrow(new SettingsError([problem]));
  });

  it('names every problem at once', () => {
    const error = (() => {
      try {
        readSettings({});
      } catch (e) {
        return e as SettingsError;
      }
      throw new Error('readSettings accepted an empty environment');
    })();
    expect(error.problems).toHaveLength(9);
  });
});
