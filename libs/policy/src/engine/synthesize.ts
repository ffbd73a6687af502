import { STACK_NAMES, stackProject, type StackName } from '@txn-dr/contracts';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { workspaceRoot } from './load';

/** One stack app run: how it ended, what it printed, where it wrote. */
export interface StackSynth {
  readonly environment: string;
  readonly stack: StackName;
  /** Exit status of the app: 0 when the stack was synthesized and passed the synth-time policy. */
  readonly status: number | null;
  readonly stderr: string;
  /** The CDKTF_OUTDIR the app was given. */
  readonly outdir: string;
}

export interface SynthesizeOptions {
  /** The workspace root. @default the one above this file */
  readonly root?: string;
  /** Stack apps run at once. @default the number of CPUs */
  readonly concurrency?: number;
}

/** Where `synthesizeEnvironments` puts a stack of an environment under its folder. */
export function environmentOutdir(folder: string, environment: string, stack: StackName): string {
  return join(folder, environment, stack);
}

function runApp(root: string, environment: string, stack: StackName, outdir: string): Promise<StackSynth> {
  // cdktf creates the output folder, but not its parents.
  mkdirSync(dirname(outdir), { recursive: true });
  return new Promise((resolve, reject) => {
    // As `nx run <stack>:synth` runs it, with only the variables that choose what is synthesized:
    // a developer's shell (another ENVIRONMENT_SUFFIX, a state bucket) changes nothing here.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: join(root, 'apps', stackProject(stack)),
      env: { PATH: process.env.PATH ?? '', CHECKPOINT_DISABLE: '1', CDKTF_OUTDIR: outdir, ENVIRONMENT_SUFFIX: environment },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ environment, stack, status, stderr, outdir }));
  });
}

/**
 * Synthesizes every stack of every environment named, each by its own app in a child process, into
 * `<folder>/<environment>/<stack>`. Resolves with every run, failed ones included: a stack that
 * breaks the synth-time policy exits 1 and says why on stderr, for the caller to show.
 */
export async function synthesizeEnvironments(environments: readonly string[], folder: string, options: SynthesizeOptions = {}): Promise<StackSynth[]> {
  const root = options.root ?? workspaceRoot();
  const jobs = environments.flatMap((environment) => STACK_NAMES.map((stack) => ({ environment, stack })));
  const results: StackSynth[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      const { environment, stack } = jobs[index]!;
      results[index] = await runApp(root, environment, stack, environmentOutdir(folder, environment, stack));
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? availableParallelism(), jobs.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}
