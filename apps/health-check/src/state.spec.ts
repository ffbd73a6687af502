import { HEALTH_STATE_INITIAL } from '@txn-dr/contracts';
import { alertReason, currentState, stateValue, type HealthState } from './state';

const healthyWriter: HealthState = { health: 'healthy', role: 'writer' };
const healthyReader: HealthState = { health: 'healthy', role: 'reader' };
const unhealthy: HealthState = { health: 'unhealthy', role: 'reader' };
const failed: HealthState = { health: 'check-failed' };

describe('alertReason', () => {
  it.each([
    ['healthy/writer', healthyWriter, undefined],
    ['healthy/writer', healthyReader, 'changed'],
    ['healthy/reader', unhealthy, 'changed'],
    ['unhealthy/reader', unhealthy, undefined],
    ['unhealthy/reader', healthyReader, 'changed'],
    ['check-failed', failed, undefined],
    ['healthy/writer', failed, 'changed'],
    [HEALTH_STATE_INITIAL, healthyWriter, undefined],
    [HEALTH_STATE_INITIAL, unhealthy, 'first-report'],
    [undefined, healthyReader, undefined],
    [undefined, failed, 'previous-unknown'],
  ] as const)('from %s to %j: %s', (previous, current, reason) => {
    expect(alertReason(previous, current)).toBe(reason);
  });
});

describe('currentState', () => {
  it('puts what RDS said about an unhealthy cluster before a metrics failure', () => {
    expect(currentState({ kind: 'observed', healthy: false, reasons: ['x'], role: 'reader' }, false)).toEqual(unhealthy);
  });

  it('marks a healthy cluster whose metric could not be published as a failed check', () => {
    expect(currentState({ kind: 'observed', healthy: true, reasons: [], role: 'writer' }, false)).toEqual(failed);
  });

  it('marks a check RDS did not answer as failed', () => {
    expect(currentState({ kind: 'failed', error: 'timeout' }, true)).toEqual(failed);
  });

  it('stores role with health', () => {
    expect(stateValue(healthyWriter)).toBe('healthy/writer');
    expect(stateValue(failed)).toBe('check-failed');
  });
});
