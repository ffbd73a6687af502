import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineEnvironment } from '@txn-dr/config';
import type { DrillReport } from '../../src/drill/analysis';
import { type DrillOptions, runDrill } from '../../src/drill/drill';

// Each drill starts its own world (two MariaDB servers, the service bundle, the router), drives
// bounded load through it, injects the fault, runs the real CLI and counts from the data. The ci
// profile scales AWS's timings down 60 times so one drill takes seconds.
jest.setTimeout(120_000);

const env = defineEnvironment({ name: 'dev' });
let dir: string;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dr-drills-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function drill(options: Pick<DrillOptions, 'operation' | 'fault'> & Partial<DrillOptions>): Promise<{ report: DrillReport; cliOutput: readonly string[] }> {
  const reportPath = join(dir, `${options.operation}-${options.fault}.json`);
  const result = await runDrill({ profile: 'ci', env, reportPath, ...options });
  // What was written is what was returned, and the timeline sits beside it.
  expect(JSON.parse(readFileSync(reportPath, 'utf8'))).toEqual(JSON.parse(JSON.stringify(result.report)));
  expect(existsSync(result.timelinePath)).toBe(true);
  // Nothing the drill started is left: the world's process (which stops its servers and services
  // before it exits) and its folder.
  expect(alive(result.world.pid)).toBe(false);
  expect(existsSync(result.world.dir)).toBe(false);
  return result;
}

describe('dr drill (profile ci)', () => {
  it('switchover under load loses nothing and leaves nothing on the old writer alone', async () => {
    const { report } = await drill({ operation: 'switchover', fault: 'none' });
    expect(report.outcome).toBe('completed');
    expect(report.acknowledged).toBeGreaterThan(50);
    expect(report.lostAcknowledged).toBe(0);
    expect(report.splitBrainWrites).toBe(0);
    expect(report.rtoSeconds).not.toBeNull();
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['preconditions', 'passed'],
      ['scale-standby', 'done'],
      ['promote-database', 'done'],
      ['verify-traffic', 'done'],
      ['scale-down-old', 'done'],
    ]);
  });

  it('failover with replication lag loses writes, and the CLI says so without understating it', async () => {
    const { report } = await drill({ operation: 'failover', fault: 'lag' });
    expect(report.outcome).toBe('completed');
    expect(report.lostAcknowledged).toBeGreaterThan(0);
    expect(report.reportedDataLoss).not.toBeNull();
    expect(report.reportedDataLoss!.replicationLagMs).toBeGreaterThan(1_000);
    expect(report.reportedDataLoss!.honest).toBe(true);
    // The old writer was fenced and then rebuilt: what it alone held is what was lost.
    expect(report.splitBrainWrites).toBe(report.lostAcknowledged);
  });

  it('failover from a frozen writer fences the old region: no write acknowledged there afterwards', async () => {
    const { report } = await drill({ operation: 'failover', fault: 'freeze-writer' });
    expect(report.outcome).toBe('completed');
    expect(report.fencingConfirmed).toBe(true);
    expect(report.splitBrainWrites).toBe(0);
    expect(report.rtoSeconds).not.toBeNull();
  });

  it.each(['region-loss', 'route53-control-plane'] as const)('failover with %s completes and traffic reaches the new region', async (fault) => {
    const { report } = await drill({ operation: 'failover', fault });
    expect(report.outcome).toBe('completed');
    expect(report.rtoSeconds).not.toBeNull();
    // Health checks may have moved the traffic before the step looks: done or already done.
    expect(['done', 'already-done']).toContain(report.steps.find((s) => s.name === 'verify-traffic')!.status);
  });

  it('a CLI killed mid-promotion is run again and completes what it started', async () => {
    const { report, cliOutput } = await drill({ operation: 'switchover', fault: 'none', killCliAt: /switching-over/ });
    expect(cliOutput).toHaveLength(2);
    expect(cliOutput[0]).toContain('promote-database');
    expect(cliOutput[0]).not.toContain('switchover COMPLETED');
    expect(report.outcome).toBe('completed');
    expect(report.lostAcknowledged).toBe(0);
  });

  it('failback after a failover waits for the old primary to rejoin, then moves back without loss', async () => {
    const { report } = await drill({ operation: 'failback', fault: 'none' });
    expect(report.outcome).toBe('completed');
    expect(report.to.region).toBe('us-east-1');
    expect(report.lostAcknowledged).toBe(0);
    expect(report.splitBrainWrites).toBe(0);
  });
});
