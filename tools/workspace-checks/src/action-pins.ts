import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Scalar } from 'yaml';
import { WORKSPACE_ROOT } from './nx';
import { type Finding, rel, workflowFiles } from './workflows';

export const GITHUB_DIR = join(WORKSPACE_ROOT, '.github');

/** One `uses:` of a workflow or a composite action, and where it is written. */
export interface ActionUse {
  readonly file: string;
  readonly line: number;
  /** The reference as written: `owner/repo[/path]@ref`, `./path` or `docker://image`. */
  readonly uses: string;
  /** The comment after it on the same line, trimmed; undefined when there is none. */
  readonly comment?: string;
}

/** The composite actions under a folder (`<folder>/**\/action.yml`), as absolute paths, sorted. */
export function compositeActionFiles(dir = join(GITHUB_DIR, 'actions')): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => /(^|\/)action\.ya?ml$/.test(path))
    .sort()
    .map((path) => join(dir, path));
}

/** Every file of a `.github` folder that can reference an action: its workflows and composite actions. */
export function actionReferencingFiles(githubDir = GITHUB_DIR): string[] {
  const workflows = join(githubDir, 'workflows');
  return [...(existsSync(workflows) ? workflowFiles(workflows) : []), ...compositeActionFiles(join(githubDir, 'actions'))];
}

/**
 * The `uses:` of a workflow (jobs that call a reusable workflow, and steps) or of a composite
 * action (`runs.steps`). The version comment is read from the source line, after the value.
 */
export function actionUses(file: string): ActionUse[] {
  const text = readFileSync(file, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const found: ActionUse[] = [];
  const take = (node: unknown) => {
    if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return;
    const end = node.range[1];
    const lineEnd = text.indexOf('\n', end);
    const rest = text.slice(end, lineEnd === -1 ? undefined : lineEnd);
    const comment = /^\s+#(.*)$/.exec(rest)?.[1]?.trim();
    found.push({ file, line: lineCounter.linePos(node.range[0]).line, uses: (node as Scalar<string>).value, ...(comment ? { comment } : {}) });
  };
  const takeSteps = (steps: unknown) => {
    if (!isSeq(steps)) return;
    for (const step of steps.items) if (isMap(step)) take(step.get('uses', true));
  };
  const jobs = doc.get('jobs');
  if (isMap(jobs)) {
    for (const job of jobs.items) {
      if (!isMap(job.value)) continue;
      take(job.value.get('uses', true));
      takeSteps(job.value.get('steps', true));
    }
  }
  takeSteps(doc.getIn(['runs', 'steps'], true));
  return found;
}

const FULL_SHA = /^[0-9a-f]{40}$/;
const DOCKER_DIGEST = /@sha256:[0-9a-f]{64}$/;
/** The release a pin stands for, as Dependabot writes it back: `v1.2.3`. */
const RELEASE = /^v\d+\.\d+\.\d+$/;

/** `owner/repo` of a remote action reference (`owner/repo/sub/path@ref`), and its ref. */
export function parseActionRef(uses: string): { repo: string; ref: string } | undefined {
  const match = /^([^/@\s]+\/[^/@\s]+)(?:\/[^@\s]*)?@(\S+)$/.exec(uses);
  return match ? { repo: match[1]!, ref: match[2]! } : undefined;
}

/**
 * What is wrong with the pins of these references. Each remote action is pinned to a full commit
 * SHA (a tag or branch can be moved to other code) with its release in a comment (`# v1.2.3`, which
 * Dependabot updates along with the SHA); a Docker image by its digest. Local actions and reusable
 * workflows (`./...`) are this repository's own code at the same commit. Across all the files one
 * action has one pin, so no workflow is left behind on an older one.
 */
export function pinProblems(uses: readonly ActionUse[]): Finding[] {
  const problems: Finding[] = [];
  const pins = new Map<string, Map<string, ActionUse>>();
  for (const use of uses) {
    const at = `${rel(use.file)}:${use.line}: ${use.uses}`;
    if (use.uses.startsWith('./')) continue;
    if (use.uses.startsWith('docker://')) {
      if (!DOCKER_DIGEST.test(use.uses)) problems.push(`${at}: a Docker image is pinned by its digest (image@sha256:<64 hex>)`);
      continue;
    }
    const ref = parseActionRef(use.uses);
    if (!ref) {
      problems.push(`${at}: not an action reference (owner/repo[/path]@ref)`);
      continue;
    }
    if (!FULL_SHA.test(ref.ref)) {
      problems.push(`${at}: pin to the full 40-character commit SHA, not "${ref.ref}"`);
      continue;
    }
    if (!use.comment || !RELEASE.test(use.comment)) {
      problems.push(`${at}: name the release of the SHA in a trailing comment (# v1.2.3)${use.comment ? `, not "# ${use.comment}"` : ''}`);
      continue;
    }
    const pin = `${ref.ref} # ${use.comment}`;
    const seen = pins.get(ref.repo) ?? new Map<string, ActionUse>();
    if (!seen.has(pin)) seen.set(pin, use);
    pins.set(ref.repo, seen);
  }
  for (const [repo, seen] of pins) {
    if (seen.size < 2) continue;
    const where = [...seen].map(([pin, use]) => `${pin} (${rel(use.file)}:${use.line})`).join(', ');
    problems.push(`${repo}: one action, one pin; found ${where}`);
  }
  return problems;
}
