import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineEnvironment } from '@txn-dr/config';
import { type DrillOptions, type DrillReport, type WorldHandle, runDrill, startWorld } from '@txn-dr/dr/drill';

// Each drill runs in a world (two MariaDB servers, the service bundle, the router), drives bounded
// load through it, injects the fault, runs the real CLI and counts from the data. The ci profile
// scales AWS's timings down 60 times so one drill takes seconds.
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

/** Nothing a world started is left once it is stopped: its process (which stops its servers and services before it exits) and its folder. */
function expectGone(world: { readonly pid: number; readonly dir: string }): void {
  expect(alive(world.pid)).toBe(false);
  expect(existsSync(world.dir)).toBe(false);
}

export interface HarnessOptions {
  /**
   * Run the file's drills one after the other in one world, as a game day does (a switchover,
   * then one back), instead of a world each. Each drill starts from where the last one left the
   * pair. @default false
   */
  readonly oneWorld?: boolean;
}

type Drill = (options: Pick<DrillOptions, 'operation' | 'fault'> & Partial<DrillOptions>) => Promise<{ report: DrillReport; cliOutput: readonly string[] }>;

/**
 * A folder for the reports of one spec file, removed after it; and `drill`, which runs one drill
 * with the ci profile and checks what every drill must leave behind.
 */
export function drillHarness(options: HarnessOptions = {}): { drill: Drill } {
  let dir: string;
  let shared: WorldHandle | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dr-drills-'));
    if (options.oneWorld) shared = await startWorld({ profile: 'ci', env });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (shared) {
      await shared.stop();
      expectGone(shared.info);
    }
  });

  return {
    drill: async (drillOptions) => {
      const reportPath = join(dir, `${drillOptions.operation}-${drillOptions.fault}-${Date.now()}.json`);
      const result = await runDrill({ profile: 'ci', env, reportPath, ...(shared ? { attachDir: shared.info.dir } : {}), ...drillOptions });
      // What was written is what was returned, and the timeline sits beside it.
      expect(JSON.parse(readFileSync(reportPath, 'utf8'))).toEqual(JSON.parse(JSON.stringify(result.report)));
      expect(existsSync(result.timelinePath)).toBe(true);
      if (!shared) expectGone(result.world);
      return result;
    },
  };
}
