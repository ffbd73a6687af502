import { AURORA_GLOBAL_METRICS, AURORA_LAG_METRIC_NAMES } from './aurora-metrics';

describe('AURORA_GLOBAL_METRICS', () => {
  it('names the RPO lag metric of a secondary cluster in AWS/RDS, by cluster', () => {
    expect(AURORA_GLOBAL_METRICS).toMatchObject({ namespace: 'AWS/RDS', rpoLag: 'AuroraGlobalDBRPOLag', clusterDimension: 'DBClusterIdentifier' });
  });

  it('spells every name as a bare identifier, so Metrics Insights queries can use it unquoted', () => {
    for (const name of [...AURORA_LAG_METRIC_NAMES, AURORA_GLOBAL_METRICS.clusterDimension]) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9]*$/);
  });

  it('lists both lag metrics, the RPO lag first', () => {
    expect(AURORA_LAG_METRIC_NAMES).toEqual(['AuroraGlobalDBRPOLag', 'AuroraGlobalDBReplicationLag']);
  });
});
