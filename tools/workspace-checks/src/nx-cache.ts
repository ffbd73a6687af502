import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { rel } from './workflows';

interface Step {
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly env?: Record<string, unknown>;
  readonly steps?: Step[];
}
interface Workflow {
  readonly on?: unknown;
  readonly env?: Record<string, unknown>;
  readonly jobs?: Record<string, Job>;
}

/** A command that runs Nx tasks, as opposed to one that only asks Nx something (`nx show`). */
const RUNS_NX_TASKS = /\bnx\s+(affected|run-many|run)\b/;
const LOCKFILE_HASH = "hashFiles('package-lock.json')";
/** Where Nx keeps its workspace data (and, with a cache directory set, the cache's database). */
const DEFAULT_WORKSPACE_DATA = '.nx/workspace-data';

const lines = (value: unknown): string[] =>
  String(value ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
const usesAction = (step: Step, ...actions: string[]) => actions.some((action) => step.uses?.startsWith(`${action}@`));

/** Whether a workflow checks pull requests: the CI workflows, as opposed to deploys and drills. */
export function isCiWorkflow(workflow: { readonly on?: unknown }): boolean {
  const on = workflow.on;
  if (typeof on === 'string') return on === 'pull_request';
  if (Array.isArray(on)) return on.includes('pull_request');
  return typeof on === 'object' && on !== null && 'pull_request' in on;
}

export function readWorkflow(file: string): Workflow {
  return parse(readFileSync(file, 'utf8')) as Workflow;
}

/**
 * What keeps the jobs of a workflow that run Nx tasks from reusing the Nx cache of earlier runs
 * safely. Each such job points Nx at a cache directory in the workspace (Nx 23 otherwise uses
 * ~/.nx/<workspace id>), restores it with actions/cache before the first Nx task, together with
 * the database that indexes it (Nx finds nothing in either alone), under a key of the runner OS,
 * the Node.js version, the lockfile's hash and the commit, falling back only to entries of the
 * same lockfile; and saves it after the Nx tasks when the restore step does not save it itself.
 */
export function nxCacheProblems(file: string, workflow: Workflow = readWorkflow(file)): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
    const steps = job.steps ?? [];
    const nxSteps = steps.flatMap((step, index) => (RUNS_NX_TASKS.test(step.run ?? '') ? [index] : []));
    if (nxSteps.length === 0) continue;
    const problem = (message: string) => problems.push(`${rel(file)}#${id}: ${message}`);
    const env = { ...workflow.env, ...job.env };
    const cacheDir = env['NX_CACHE_DIRECTORY'] === undefined ? undefined : String(env['NX_CACHE_DIRECTORY']);
    const dataDir = String(env['NX_WORKSPACE_DATA_DIRECTORY'] ?? DEFAULT_WORKSPACE_DATA);
    if (!cacheDir) {
      problem('NX_CACHE_DIRECTORY is not set: Nx 23 keeps its cache under ~/.nx/<workspace id>, which no cache step names');
      continue;
    }
    const restoreAt = steps.findIndex((step) => usesAction(step, 'actions/cache', 'actions/cache/restore') && lines(step.with?.['path']).includes(cacheDir));
    if (restoreAt < 0) {
      problem(`no actions/cache (or actions/cache/restore) step restores ${cacheDir}`);
      continue;
    }
    const restore = steps[restoreAt]!;
    const paths = lines(restore.with?.['path']);
    if (restoreAt > nxSteps[0]!) problem(`the Nx cache is restored after Nx has run (step ${restoreAt + 1}, Nx at step ${nxSteps[0]! + 1})`);
    if (!paths.includes(dataDir) && !paths.includes(`${dataDir}/*.db`)) {
      problem(`the cache's database (${dataDir}/*.db) is not restored with ${cacheDir}: Nx finds no entry without it`);
    }
    const key = String(restore.with?.['key'] ?? '');
    const keyParts: [string, RegExp, string][] = [
      ['the lockfile hash', /hashFiles\('package-lock\.json'\)/, 'entries of another lockfile would be restored'],
      ['the runner OS', /\brunner\.os\b/, 'outputs of another OS would be restored'],
      ['the Node.js version', /node-version|matrix\.node/, 'outputs of another Node.js would be restored'],
      ['the commit', /\bgithub\.sha\b/, 'one key per lockfile is saved once and never updated'],
    ];
    for (const [what, pattern, why] of keyParts) if (!pattern.test(key)) problem(`the key "${key}" leaves out ${what}: ${why}`);
    const restoreKeys = lines(restore.with?.['restore-keys']);
    if (restoreKeys.length === 0) problem('no restore-keys: a new commit never finds the entries of earlier ones');
    for (const prefix of restoreKeys) {
      if (!key.startsWith(prefix)) problem(`restore key "${prefix}" is not a prefix of the key`);
      if (!prefix.includes(LOCKFILE_HASH)) problem(`restore key "${prefix}" falls back to entries of another lockfile`);
    }
    if (usesAction(restore, 'actions/cache/restore')) {
      const saveAt = steps.findIndex((step, index) => index > restoreAt && usesAction(step, 'actions/cache/save'));
      const save = steps[saveAt];
      if (!save) problem('the Nx cache is restored but never saved (no actions/cache/save step)');
      else {
        if (saveAt < nxSteps.at(-1)!) problem(`the Nx cache is saved before the last Nx step (step ${saveAt + 1})`);
        if (lines(save.with?.['path']).sort().join('\n') !== [...paths].sort().join('\n')) problem('the save step saves other paths than the restore step restores');
        const savedKey = String(save.with?.['key'] ?? '');
        if (savedKey !== key && savedKey !== `\${{ steps.${restore.id}.outputs.cache-primary-key }}`) problem(`the save step saves under "${savedKey}", not the restore step's key`);
      }
    }
  }
  return problems;
}

/** The jobs of a workflow that restore an Nx cache (a cache step naming `.nx`). */
export function jobsRestoringNxCache(workflow: Workflow): string[] {
  return Object.entries(workflow.jobs ?? {})
    .filter(([, job]) => (job.steps ?? []).some((step) => usesAction(step, 'actions/cache', 'actions/cache/restore') && lines(step.with?.['path']).some((path) => path.includes('.nx'))))
    .map(([id]) => id);
}

/** Whether a job runs Nx tasks. */
export const runsNxTasks = (job: Job): boolean => (job.steps ?? []).some((step) => RUNS_NX_TASKS.test(step.run ?? ''));
