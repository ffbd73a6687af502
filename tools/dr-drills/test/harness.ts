import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineEnvironment } from '@txn-dr/config';
import { type DrillOptions, type DrillReport, runDrill } from '@txn-dr/dr/drill';

// Each drill starts its own world (two MariaDB servers, the service bundle, the router), drives
// bounded load through it, injects the fault, runs the real CLI and counts from the data. The ci
// profile scales AWS's timings down 60 times so one drill takes seconds.
export const DRILL_TIMEOUT_MS = 120_000;

const env = defineEnvironment({ name: 'dev' });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A folder for the reports of one spec file, removed after it; and `drill`, which runs one drill
 * with the ci profile and checks what every drill must leave behind.
 */
export function drillHarness(): { drill: (options: Pick<DrillOptions, 'operation' | 'fault'> & Partial<DrillOptions>) => Promise<{ report: DrillReport; cliOutput: readonly string[] }> } {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dr-drills-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  return {
    drill: async (options) => {
      const reportPath = join(dir, `${options.operation}-${options.fault}.json`);
      const result = await runDrill({ profile: 'ci', env, reportPath, ...options });
      // What was written is what was returned, and the timeline sits beside it.
      expect(JSON.parse(readFileSync(reportPath, 'utf8'))).toEqual(JSON.parse(JSON.stringify(result.report)));
      expect(existsSync(result.timelinePath)).toBe(true);
      // Nothing the drill started is left: the world's process (which stops its servers and
      // services before it exits) and its folder.
      expect(alive(result.world.pid)).toBe(false);
      expect(existsSync(result.world.dir)).toBe(false);
      return result;
    },
  };
}
