import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Argument, type Command, Option } from 'commander';
import type { Environment } from '@txn-dr/config';
import { table } from '../format';
import { FAULTS, type Fault, type WorldInfo } from '../local/protocol';
import { OPERATIONS, type Operation } from '../operations';
import type { DrillReport } from './analysis';
import { runDrill, startWorld } from './drill';
import { DEFAULT_WORLD_DIR } from './paths';
import { DB_ENDPOINTS, DEFAULT_DB_ENDPOINT, type DbEndpoint, PROFILES, type ProfileName } from './profile';
import { renderRestoreDrill, runRestoreDrill } from './restore';

export interface DrillCommandDeps {
  readonly loadEnvironment: () => Environment;
  readonly out: (text: string) => void;
  readonly root: string;
  readonly signal?: AbortSignal;
  readonly setExitCode: (code: number) => void;
}

const ACTIONS = ['up', 'down', ...OPERATIONS, 'restore'] as const;

interface DrillFlags {
  readonly fault: Fault;
  readonly profile: ProfileName;
  readonly dbEndpoint: DbEndpoint;
  readonly report?: string;
  readonly dir?: string;
  readonly attach?: string;
}

/** The drill's figures as a person reads them. */
export function renderDrill(report: DrillReport): string {
  const loss = report.reportedDataLoss;
  const rows: [string, string][] = [
    ['outcome of the operation', report.outcome],
    ['writes acknowledged', String(report.acknowledged)],
    ['acknowledged writes lost', String(report.lostAcknowledged)],
    ['split-brain writes (only on the old writer)', String(report.splitBrainWrites)],
    ['write downtime (longest gap)', `${report.writeDowntimeSeconds} s`],
    ['RTO (fault to first write served by the new region)', report.rtoSeconds === null ? 'not reached' : `${report.rtoSeconds} s`],
  ];
  if (loss) rows.push(['data loss the CLI reported', loss.replicationLagMs === null ? 'unknown' : `lag ${(loss.replicationLagMs / 1000).toFixed(1)} s (${loss.honest ? 'bounds the loss' : 'UNDERSTATES the loss'})`]);
  if (report.fencingConfirmed !== null) rows.push(['old region fenced', report.fencingConfirmed ? 'confirmed' : 'NOT confirmed']);
  return [
    `drill ${report.operation}, fault ${report.fault}, profile ${report.profile}, service database endpoint ${report.dbEndpoint}: ${report.from.region} -> ${report.to.region}`,
    table(['measured', 'value'], rows),
    table(['step', 'status', 'seconds'], report.steps.map((s) => [s.name, s.status, String(s.seconds)])),
  ].join('\n');
}

/** `dr drill up|down|<operation>`: the local world and the drill that measures recovery in it. */
export function registerDrillCommands(program: Command, deps: DrillCommandDeps): void {
  program
    .command('drill')
    .description('Run an operation against a local world (two MariaDB servers replicating, the real service, a Route 53-like router) under load, inject a fault, and measure what was lost and how long writes stopped')
    .addArgument(new Argument('<action>', 'up: start a world and leave it running; down: stop it; restore: point-in-time recovery from a base backup and the binary logs; or the operation to drill').choices(ACTIONS))
    .addOption(new Option('--fault <fault>', 'what goes wrong first').choices(FAULTS).default('none'))
    .addOption(new Option('--profile <profile>', 'ci: timings scaled down 60x; real: the documented AWS timings').choices(PROFILES).default('ci'))
    .addOption(new Option('--db-endpoint <endpoint>', 'where the service reads and writes: its region\'s database, or the global writer endpoint').choices(DB_ENDPOINTS).default(DEFAULT_DB_ENDPOINT))
    .option('--report <file>', 'where the JSON report goes (the timeline SVG goes beside it)')
    .option('--dir <dir>', `folder of the world of \`drill up\` / \`drill down\` (default ${relative(deps.root, DEFAULT_WORLD_DIR)})`)
    .option('--attach <dir>', 'drill against the world `drill up` started in this folder instead of a new one')
    .action(async (action: (typeof ACTIONS)[number], flags: DrillFlags) => {
      const env = deps.loadEnvironment();
      const dir = flags.dir ?? DEFAULT_WORLD_DIR;
      if (action === 'up') {
        const world = await startWorld({ dir, profile: flags.profile, dbEndpoint: flags.dbEndpoint, env, detached: true });
        deps.out(`local world up (pid ${world.info.pid}, profile ${flags.profile}): public name ${world.info.publicUrl}`);
        deps.out(`operate it: DR_WORLD=${join(dir, 'world.json')} npx dr status`);
        deps.out(`drill in it: npx dr drill switchover --attach ${dir}; stop it: npx dr drill down${flags.dir ? ` --dir ${dir}` : ''}`);
        return;
      }
      if (action === 'down') {
        deps.out(await stopWorld(dir));
        return;
      }
      if (action === 'restore') {
        // A world of its own: one writer, its backup and a restored server, none of the pair.
        const reportPath = flags.report ?? join(deps.root, 'reports', 'dr', `drill-restore-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
        const result = await runRestoreDrill({ reportPath, log: (line) => deps.out(`drill: ${line}`), ...(deps.signal ? { signal: deps.signal } : {}) });
        deps.out(renderRestoreDrill(result.report));
        deps.out(`Report: ${relative(deps.root, reportPath) || reportPath}`);
        deps.setExitCode(result.report.outcome === 'recovered' ? 0 : 1);
        return;
      }
      const reportPath = flags.report ?? join(deps.root, 'reports', 'dr', `drill-${action}-${flags.fault}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
      const result = await runDrill({
        operation: action as Operation,
        fault: flags.fault,
        profile: flags.profile,
        dbEndpoint: flags.dbEndpoint,
        env,
        reportPath,
        ...(flags.attach ? { attachDir: flags.attach } : {}),
        log: (line) => deps.out(`drill: ${line}`),
        ...(deps.signal ? { signal: deps.signal } : {}),
      });
      // The summary first: a report that cannot be written must not hide what was measured.
      deps.out(renderDrill(result.report));
      deps.out(`Report: ${relative(deps.root, result.reportPath) || result.reportPath}; timeline: ${relative(deps.root, result.timelinePath) || result.timelinePath}`);
      deps.setExitCode(result.report.outcome === 'completed' ? 0 : 1);
    });
}

async function stopWorld(dir: string): Promise<string> {
  const path = join(dir, 'world.json');
  if (!existsSync(path)) return `no local world in ${dir}`;
  const info = JSON.parse(readFileSync(path, 'utf8')) as WorldInfo;
  const alive = () => {
    try {
      process.kill(info.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (alive()) {
    process.kill(info.pid, 'SIGTERM');
    for (let waited = 0; alive() && waited < 30_000; waited += 100) await delay(100);
    if (alive()) process.kill(info.pid, 'SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
  return `local world in ${dir} stopped and removed`;
}
