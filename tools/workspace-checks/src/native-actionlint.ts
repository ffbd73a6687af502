import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { WORKSPACE_ROOT } from './nx';
import { readWorkflow } from './nx-cache';
import { rel } from './workflows';

export const ACTIONLINT_CONFIG = join(WORKSPACE_ROOT, '.github', 'actionlint.yaml');

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly env?: Record<string, unknown>;
}
interface Job {
  readonly needs?: string | string[];
  readonly steps?: Step[];
}

/** `$NAME` and `${NAME}` of a step's own `env:` replaced by their values, as the shell would. */
function withStepEnv(step: Step): string {
  const env = step.env ?? {};
  return (step.run ?? '').replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => (name in env ? String(env[name]) : whole));
}

const RELEASE_ARCHIVE = /https:\/\/github\.com\/rhysd\/actionlint\/releases\/download\/v(\d+\.\d+\.\d+)\/actionlint_(\d+\.\d+\.\d+)_linux_amd64\.tar\.gz/;
/** Fetching and running a script: whatever the branch holds today runs, unchecked. */
const PIPED_SCRIPT = /download-actionlint\.bash|\|\s*(ba)?sh\b|(ba)?sh\s+<\(/;
/** A script line that runs actionlint, by name or by path (`actionlint -color`, `"$dir/actionlint"`). */
const RUNS_ACTIONLINT = /^\s*(?:"?[$\w{}./-]*\/)?actionlint"?(?:\s|$)/m;
/** The `tar` command (not `.tar` in a file name). */
const TAR_COMMAND = /(?:^|[;&|(])\s*tar\s/m;
const PINNED_IMAGE = /^docker:\/\/rhysd\/actionlint(:[^@]+)?@sha256:[0-9a-f]{64}$/;

/**
 * What keeps a workflow from linting the workflows with the native actionlint, verified: a job that
 * waits for nothing (the first answer of a run) either runs the rhysd/actionlint image pinned by
 * digest, or downloads one release archive, checks it against its SHA-256 before unpacking it, and
 * then runs it. Empty when some job does.
 */
export function nativeActionlintProblems(file: string, workflow: { readonly jobs?: Record<string, Job> } = readWorkflow(file)): string[] {
  const candidates: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
    const steps = job.steps ?? [];
    const problems: string[] = [];
    const image = steps.find((step) => step.uses?.startsWith('docker://rhysd/actionlint'));
    const installAt = steps.findIndex((step) => RELEASE_ARCHIVE.test(withStepEnv(step)) || PIPED_SCRIPT.test(step.run ?? ''));
    if (!image && installAt < 0) continue;
    if (job.needs !== undefined) problems.push(`it waits for ${String(job.needs)}; the workflow check should answer first`);
    if (image) {
      if (!PINNED_IMAGE.test(image.uses!)) problems.push(`${image.uses} is not pinned by digest (docker://rhysd/actionlint@sha256:<64 hex>)`);
    } else {
      const install = withStepEnv(steps[installAt]!);
      const archive = RELEASE_ARCHIVE.exec(install);
      if (PIPED_SCRIPT.test(install)) problems.push('it runs a downloaded script instead of checking a release archive');
      if (!archive) problems.push('it does not download a release archive (releases/download/v<version>/actionlint_<version>_linux_amd64.tar.gz)');
      else if (archive[1] !== archive[2]) problems.push(`the archive of ${archive[2]} is fetched from the release v${archive[1]}`);
      const checkAt = install.search(/sha256sum\s+(-c|--check)\b/);
      const tarAt = install.search(TAR_COMMAND);
      if (checkAt < 0 || !/\b[0-9a-f]{64}\b/.test(install)) problems.push('the archive is not checked against a SHA-256 (sha256sum --check with the 64-hex digest)');
      else if (tarAt >= 0 && tarAt < checkAt) problems.push('the archive is unpacked before its checksum is checked');
      if (!steps.slice(installAt).some((step) => RUNS_ACTIONLINT.test(step.run ?? ''))) problems.push('actionlint is installed but never run');
    }
    if (problems.length === 0) return [];
    candidates.push(...problems.map((problem) => `${rel(file)}#${id}: ${problem}`));
  }
  return candidates.length > 0 ? candidates : [`${rel(file)}: no job runs the native actionlint`];
}

/** The configuration variables (`vars.NAME`) the files read, sorted, unique. */
export function variablesUsed(files: readonly string[]): string[] {
  const names = files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\bvars\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]!));
  return [...new Set(names)].sort();
}

/** The `config-variables` an actionlint configuration declares; undefined when it does not check them. */
export function declaredVariables(configFile = ACTIONLINT_CONFIG): string[] | undefined {
  const config = parse(readFileSync(configFile, 'utf8')) as { 'config-variables'?: string[] | null } | null;
  return config?.['config-variables'] ?? undefined;
}

/**
 * How the declared configuration variables differ from those the workflows read. actionlint
 * reports a `vars.` name missing from the list; this also catches the list keeping a name no
 * workflow reads any more, and a configuration that does not check names at all.
 */
export function configVariableProblems(declared: readonly string[] | undefined, used: readonly string[]): string[] {
  if (declared === undefined) return ['config-variables is not set: actionlint accepts any vars.<name>'];
  return [
    ...used.filter((name) => !declared.includes(name)).map((name) => `vars.${name} is read but not declared`),
    ...declared.filter((name) => !used.includes(name)).map((name) => `${name} is declared but no workflow reads it`),
  ];
}
