import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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
});
