import { defineEnvironment } from '@txn-dr/config';
import { operationSteps, resolveDirection } from '../src/operations';
import { resolveTargets } from '../src/targets';

const home = resolveTargets(defineEnvironment({ name: 'dev' }));
const away = resolveTargets(defineEnvironment({ name: 'dev', activeRegion: 'us-east-2' }));

describe('resolveDirection', () => {
  it('moves away from the region config calls active, whatever the live writer, so a rerun never turns around', () => {
    expect(resolveDirection('switchover', home)).toEqual({ from: 'primary', to: 'secondary' });
    expect(resolveDirection('failover', home)).toEqual({ from: 'primary', to: 'secondary' });
    expect(resolveDirection('switchover', away)).toEqual({ from: 'secondary', to: 'primary' });
  });

  it('fails back to the primary region', () => {
    expect(resolveDirection('failback', away)).toEqual({ from: 'secondary', to: 'primary' });
    expect(resolveDirection('failback', home)).toEqual({ from: 'secondary', to: 'primary' });
  });

  it('takes --to over config', () => {
    expect(resolveDirection('switchover', home, 'us-east-1')).toEqual({ from: 'secondary', to: 'primary' });
    expect(() => resolveDirection('switchover', home, 'us-west-2')).toThrow('--to us-west-2 is not a region of this pair (us-east-1, us-east-2)');
  });
});

describe('operationSteps', () => {
  it('switches over with capacity first and the old region last, and changes no DNS record', () => {
    expect(operationSteps('switchover').map((s) => s.id)).toEqual(['preconditions', 'scale-standby', 'promote-database', 'verify-traffic', 'scale-down-old']);
    expect(operationSteps('failback').map((s) => s.id)).toEqual(operationSteps('switchover').map((s) => s.id));
  });

  it('fails over with the capacity request and the fencing before the promotion, the waits after it; fencing is best effort', () => {
    const steps = operationSteps('failover');
    expect(steps.map((s) => s.id)).toEqual(['preconditions', 'request-capacity', 'fence-source', 'promote-database', 'await-capacity', 'verify-traffic']);
    expect(steps.filter((s) => s.bestEffort).map((s) => s.id)).toEqual(['fence-source']);
  });

  it('asks before the database, fencing and scaling a region in; no step touches Route 53', () => {
    expect(operationSteps('switchover').filter((s) => s.destructive).map((s) => s.id)).toEqual(['promote-database', 'scale-down-old']);
    expect(operationSteps('failover').filter((s) => s.destructive).map((s) => s.id)).toEqual(['fence-source', 'promote-database']);
  });
});
