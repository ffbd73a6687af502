import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');

const NX_ENV = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

/** Runs the workspace's own Nx CLI, offline and without a daemon, and returns its stdout. */
export function nx(...args: string[]): string {
  return execFileSync(process.execPath, [join(WORKSPACE_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), ...args], {
    cwd: WORKSPACE_ROOT,
    encoding: 'utf8',
    env: NX_ENV,
  });
}

/** The projects Nx marks affected by changes to the given files. */
export function affectedBy(...files: string[]): string[] {
  return nx('show', 'projects', '--affected', `--files=${files.join(',')}`, '--json')
    .trim()
    .match(/\[[\s\S]*\]/)
    ?.map((json) => JSON.parse(json) as string[])[0]
    ?.sort() ?? [];
}

/** Task id -> the task ids it waits for. */
export type TaskGraph = Record<string, string[]>;

/** The task graph of a run, as Nx would schedule it (nothing is run). */
export function taskGraph(...args: string[]): TaskGraph {
  const file = join(mkdtempSync(join(tmpdir(), 'graph-')), 'graph.json');
  nx(...args, `--graph=${file}`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { tasks: { dependencies: TaskGraph } }).tasks.dependencies;
}

/** What a change to one file makes affected: its projects, and the task graph of `nx affected -t deploy`. */
export interface AffectedCase {
  readonly affected: string[];
  readonly deploy: TaskGraph;
}

/**
 * Asked of Nx's API in one process (see affected-cases.cjs): for each file, on its own, the
 * projects a change to it makes affected and the deploy task graph of that change; for each run
 * (`project:target` as `nx run` takes it, or `*:target` for `nx run-many -t target`), its task
 * graph. task-graph.spec.ts checks one of each against the CLI.
 */
export function nxAnswers(question: { files: string[]; runs: string[] }): { affected: Record<string, AffectedCase>; graphs: Record<string, TaskGraph> } {
  return JSON.parse(
    execFileSync(process.execPath, [join(__dirname, 'affected-cases.cjs'), WORKSPACE_ROOT], {
      input: JSON.stringify(question),
      encoding: 'utf8',
      env: NX_ENV,
    }),
  ) as { affected: Record<string, AffectedCase>; graphs: Record<string, TaskGraph> };
}
