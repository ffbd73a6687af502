import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EnvironmentOverrides, defineEnvironment } from '@txn-dr/config';
import { createAwsClients } from '../src/aws/clients';
import { AwsWorld } from '../src/aws/world';
import { type CliDeps, runCli } from '../src/cli';
import type { DrReport } from '../src/report';
import { resolveTargets } from '../src/targets';
import { FakeAws, FakeClock, type FakeAwsOptions } from './fake-aws';

export interface Harness {
  readonly fake: FakeAws;
  readonly clock: FakeClock;
  readonly targets: ReturnType<typeof resolveTargets>;
  /** Every line the CLI printed to stdout, across runs. */
  readonly out: string[];
  readonly err: string[];
  /** Questions asked, in order. */
  readonly questions: string[];
  readonly root: string;
  /** Runs `dr <argv>` against the model; returns the exit code. */
  run(argv: string[], deps?: Partial<CliDeps>): Promise<number>;
  /** The JSON reports written so far, oldest first. */
  reports(): DrReport[];
  /** stdout of the last run. */
  lastOutput(): string;
  /** Undoes the mocks and removes the reports. */
  dispose(): void;
}

export function harness(options: FakeAwsOptions & { env?: Partial<EnvironmentOverrides> } = {}): Harness {
  const env = defineEnvironment({ name: 'dev', ...options.env });
  const targets = resolveTargets(env);
  const clock = new FakeClock();
  const fake = new FakeAws(targets, clock, options).install();
  const root = mkdtempSync(join(tmpdir(), 'dr-'));
  const out: string[] = [];
  const err: string[] = [];
  const questions: string[] = [];
  let lastStart = 0;
  return {
    fake,
    clock,
    targets,
    out,
    err,
    questions,
    root,
    run: (argv, deps = {}) => {
      lastStart = out.length;
      return runCli(argv, {
        loadEnvironment: () => env,
        createWorld: (t, o) => new AwsWorld(t, createAwsClients(t, o), { http: fake.http, clock, ...o }),
        clock,
        out: (text) => out.push(...text.split('\n')),
        err: (text) => err.push(...text.split('\n')),
        confirm: async (question) => {
          questions.push(question);
          return true;
        },
        root,
        environmentsDir: join(root, 'libs', 'config', 'environments'),
        // The lock is the real file lock beside local state, under this run's root; no STS call.
        lock: { operator: 'arn:aws:sts::123456789012:assumed-role/dr-operator/test' },
        ...deps,
      });
    },
    reports: () => {
      const dir = join(root, 'reports', 'dr');
      let files: string[] = [];
      try {
        files = readdirSync(dir).sort();
      } catch {
        return [];
      }
      return files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as DrReport).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    },
    lastOutput: () => out.slice(lastStart).join('\n'),
    dispose: () => {
      fake.restore();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
