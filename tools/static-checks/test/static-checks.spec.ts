import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { WORKSPACE_ROOT } from './workspace';

// static-checks type-checks and lints every project once (tools/static-checks/README.md). These
// checks keep that true as projects and folders are added: a file outside its program would go
// unchecked, and a per-project target would check it twice.

const tracked = (pattern: string) => execFileSync('git', ['ls-files', pattern], { cwd: WORKSPACE_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);

interface ProjectJson {
  readonly name: string;
  readonly implicitDependencies?: string[];
  readonly targets?: Record<string, unknown>;
}
const projects = tracked('*project.json').map((file) => ({ root: dirname(file), json: JSON.parse(readFileSync(join(WORKSPACE_ROOT, file), 'utf8')) as ProjectJson }));

/** The files of the one TypeScript program, relative to the workspace. */
function programFiles(): Set<string> {
  const configFile = join(WORKSPACE_ROOT, 'tools', 'static-checks', 'tsconfig.json');
  const { config } = ts.readConfigFile(configFile, ts.sys.readFile) as { config: unknown };
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configFile));
  return new Set(parsed.fileNames.map((file) => relative(WORKSPACE_ROOT, file)));
}

describe('static-checks', () => {
  it('type-checks every TypeScript file of every project (the lint fixtures aside)', () => {
    const inProgram = programFiles();
    const projectRoots = projects.map((project) => `${project.root}/`);
    const projectFiles = tracked('*.ts').filter((file) => projectRoots.some((root) => file.startsWith(root)) && !file.startsWith('tools/workspace-checks/fixtures/'));
    expect(projectFiles.length).toBeGreaterThan(300);
    expect(projectFiles.filter((file) => !inProgram.has(file))).toEqual([]);
  });

  it('is the only project with a typecheck or lint target, and depends on every project', () => {
    const withStaticTargets = projects.filter(({ json }) => json.targets?.['typecheck'] !== undefined || json.targets?.['lint'] !== undefined).map(({ json }) => json.name);
    expect(withStaticTargets).toEqual(['static-checks']);
    expect(projects.find(({ json }) => json.name === 'static-checks')?.json.implicitDependencies).toEqual(['*']);
  });

  it('type-checks with TypeScript 7, called by its path; typescript-eslint keeps TypeScript 6', () => {
    const manifest = (name: string) => JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    const command = (projects.find(({ json }) => json.name === 'static-checks')!.json.targets!['typecheck'] as { command: string }).command;
    // Both packages ship `tsc`, and which one npm links into node_modules/.bin is not promised.
    expect(command.startsWith('node node_modules/typescript-native/bin/tsc ')).toBe(true);
    expect(manifest('typescript-native').version).toMatch(/^7\./);
    expect(manifest('typescript').version).toMatch(/^6\./);
  });

  it('finds no test helper in a project\'s src: what only specs import lives outside it, where the synth cache does not see it', () => {
    const isSpec = (file: string) => file.endsWith('.spec.ts');
    // workspace-checks is made of checks and their specs alone: no stack or service reads it.
    const sources = tracked('*.ts').filter((file) => /^(apps|libs|tools)\/(.+\/)?src\//.test(file) && !file.startsWith('tools/workspace-checks/'));
    const importers = new Map<string, string[]>();
    for (const file of sources) {
      for (const { fileName } of ts.preProcessFile(readFileSync(join(WORKSPACE_ROOT, file), 'utf8')).importedFiles) {
        if (!fileName.startsWith('.')) continue;
        const target = relative(WORKSPACE_ROOT, resolve(WORKSPACE_ROOT, dirname(file), fileName));
        for (const candidate of [`${target}.ts`, `${target}/index.ts`]) importers.set(candidate, [...(importers.get(candidate) ?? []), file]);
      }
    }
    const onlyForSpecs = sources.filter((file) => !isSpec(file) && (importers.get(file) ?? []).length > 0 && importers.get(file)!.every(isSpec));
    expect(onlyForSpecs).toEqual([]);
    // A helper other projects' tests import goes through an export of its package: never from src.
    const testingExports = tracked('*package.json').flatMap((file) => {
      const exports = (JSON.parse(readFileSync(join(WORKSPACE_ROOT, file), 'utf8')) as { exports?: Record<string, string> }).exports ?? {};
      return Object.entries(exports).filter(([key, path]) => /test|fixture|fake/.test(key) && path.includes('/src/')).map(([key]) => `${file} ${key}`);
    });
    expect(testingExports).toEqual([]);
  });
});
