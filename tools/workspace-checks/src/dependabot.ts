import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { WORKSPACE_ROOT } from './nx';

export const DEPENDABOT_FILE = join(WORKSPACE_ROOT, '.github', 'dependabot.yml');

/** A Dependabot version-update group (the fields this workspace uses). */
export interface DependabotGroup {
  readonly patterns?: string[];
  readonly 'exclude-patterns'?: string[];
  readonly 'update-types'?: UpdateType[];
}

export type UpdateType = 'major' | 'minor' | 'patch';

/** One entry of `updates` (the fields this workspace uses). */
export interface DependabotUpdate {
  readonly 'package-ecosystem': string;
  readonly directory?: string;
  readonly directories?: string[];
  readonly schedule?: { readonly interval?: string };
  readonly groups?: Record<string, DependabotGroup>;
}

export interface DependabotConfig {
  readonly version?: number;
  readonly updates?: DependabotUpdate[];
}

export function readDependabot(file = DEPENDABOT_FILE): DependabotConfig {
  return (parse(readFileSync(file, 'utf8')) ?? {}) as DependabotConfig;
}

/** What the workspace needs updated: the root lockfile's npm packages and the workflows' actions. */
export const REQUIRED_UPDATES = [
  { ecosystem: 'npm', directory: '/', interval: 'weekly' },
  { ecosystem: 'github-actions', directory: '/', interval: 'weekly' },
] as const;

/** The update entry for an ecosystem and directory, if the config has one. */
export function updateFor(config: DependabotConfig, ecosystem: string, directory = '/'): DependabotUpdate | undefined {
  return config.updates?.find((update) => update['package-ecosystem'] === ecosystem && (update.directory === directory || update.directories?.includes(directory)));
}

/** What keeps the config from covering `REQUIRED_UPDATES`. */
export function coverageProblems(config: DependabotConfig, required: readonly { ecosystem: string; directory: string; interval: string }[] = REQUIRED_UPDATES): string[] {
  const problems: string[] = [];
  if (config.version !== 2) problems.push(`version: 2 is the only Dependabot config version, not ${String(config.version)}`);
  for (const { ecosystem, directory, interval } of required) {
    const update = updateFor(config, ecosystem, directory);
    if (!update) problems.push(`no ${ecosystem} updates for ${directory}`);
    else if (update.schedule?.interval !== interval) problems.push(`${ecosystem} updates run ${String(update.schedule?.interval)}, not ${interval}`);
  }
  return problems;
}

/** Dependabot's group patterns: `*` matches any run of characters, nothing else is special. */
export function matchesPattern(pattern: string, name: string): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`).test(name);
}

/**
 * The group a dependency's update of the given type joins: the first group, in file order, whose
 * patterns match it, whose exclude-patterns do not, and whose update-types (when listed) include
 * the type. Undefined: the update gets a pull request of its own.
 */
export function groupOf(update: DependabotUpdate, dependency: string, type: UpdateType): string | undefined {
  for (const [name, group] of Object.entries(update.groups ?? {})) {
    if (!(group.patterns ?? []).some((pattern) => matchesPattern(pattern, dependency))) continue;
    if ((group['exclude-patterns'] ?? []).some((pattern) => matchesPattern(pattern, dependency))) continue;
    if (group['update-types'] && !group['update-types'].includes(type)) continue;
    return name;
  }
  return undefined;
}

/**
 * The dependencies that must arrive together: for each update type, all of them in one group.
 * Returns a problem per split, naming where each dependency went.
 */
export function togetherProblems(update: DependabotUpdate, label: string, dependencies: readonly string[]): string[] {
  const problems: string[] = [];
  for (const type of ['major', 'minor', 'patch'] as const) {
    const groups = new Map(dependencies.map((dependency) => [dependency, groupOf(update, dependency, type)]));
    if (new Set(groups.values()).size === 1 && groups.values().next().value !== undefined) continue;
    const where = [...groups].map(([dependency, group]) => `${dependency} -> ${group ?? 'own pull request'}`).join(', ');
    problems.push(`${label} ${type} updates are split: ${where}`);
  }
  return problems;
}

/** Group patterns (other than `*`) that match none of the dependencies: a typo, or a package gone. */
export function deadPatterns(update: DependabotUpdate, dependencies: readonly string[]): string[] {
  return Object.entries(update.groups ?? {}).flatMap(([name, group]) =>
    (group.patterns ?? []).filter((pattern) => pattern !== '*' && !dependencies.some((dependency) => matchesPattern(pattern, dependency))).map((pattern) => `${name}: ${pattern}`),
  );
}

interface PackageJson {
  readonly name?: string;
  readonly workspaces?: string[];
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

const readPackage = (dir: string): PackageJson | undefined => {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
};

/**
 * The packages Dependabot's npm updates can touch: the direct dependencies of the root and of
 * every npm workspace (`dir/*` patterns), without the workspaces themselves. Sorted, unique.
 */
export function npmDependencies(root = WORKSPACE_ROOT): string[] {
  const rootPackage = readPackage(root) ?? {};
  const packages = [rootPackage];
  for (const pattern of rootPackage.workspaces ?? []) {
    const parent = pattern.replace(/\/\*$/, '');
    const dirs = pattern.endsWith('/*') ? readdirNames(join(root, parent)).map((name) => join(root, parent, name)) : [join(root, pattern)];
    for (const dir of dirs) {
      const found = readPackage(dir);
      if (found) packages.push(found);
    }
  }
  const workspaceNames = new Set(packages.map((p) => p.name));
  const names = packages.flatMap((p) => [p.dependencies, p.devDependencies, p.optionalDependencies, p.peerDependencies].flatMap((deps) => Object.keys(deps ?? {})));
  return [...new Set(names)].filter((name) => !workspaceNames.has(name)).sort();
}

function readdirNames(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}
