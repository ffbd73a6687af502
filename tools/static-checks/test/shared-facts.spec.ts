import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { WORKSPACE_ROOT } from './workspace';
import { SHARED_FACTS, type SharedFact, copiesOf, sourceFiles } from './shared-facts';

const files = sourceFiles(WORKSPACE_ROOT);
const text = (path: string): string | undefined => files.find((file) => file.path === path)?.text;

describe('facts shared across projects', () => {
  it('are spelt once, in @txn-dr/contracts, and imported everywhere else', () => {
    expect(copiesOf(SHARED_FACTS, files)).toEqual([]);
  });

  it.each(SHARED_FACTS.map((fact) => [fact.fact, fact] as const))('%s: its home still spells it', (_name, fact) => {
    // contracts, or config: the one library below contracts, which contracts and config's users both import.
    expect(fact.home).toMatch(/^libs\/(contracts|config)\/src\//);
    expect(text(fact.home)).toMatch(fact.pattern);
  });

  it.each(SHARED_FACTS.flatMap((fact) => Object.keys(fact.keptBy ?? {}).map((path) => [path, fact.fact, fact] as const)))(
    '%s still spells %s itself, as its keptBy entry says (drop the entry when it no longer does)',
    (path, _name, fact) => {
      expect(text(path)).toMatch(fact.pattern);
    },
  );
});

describe('copiesOf', () => {
  const fact: SharedFact = {
    fact: 'the answer',
    pattern: /['"]forty-two['"]/,
    home: 'libs/contracts/src/answer.ts',
    use: 'ANSWER',
    keptBy: { 'apps/old/src/legacy.ts': 'older than the contract' },
  };

  it('names every copy outside the home and the files that keep their own, by line', () => {
    const found = copiesOf(
      [fact],
      [
        { path: 'libs/contracts/src/answer.ts', text: "export const ANSWER = 'forty-two';" },
        { path: 'apps/old/src/legacy.ts', text: "const answer = 'forty-two';" },
        { path: 'tools/new/src/main.ts', text: `import x from 'y';\nconst answer = "forty-two";` },
        { path: 'tools/new/src/other.ts', text: '// forty-two, in a comment, is no copy' },
      ],
    );
    expect(found).toEqual(['tools/new/src/main.ts:2: the answer; use ANSWER']);
  });
});

describe('sourceFiles', () => {
  it("reads the TypeScript of every project's src folder, leaving out specs, tests, fixtures and dependencies", () => {
    const root = mkdtempSync(join(tmpdir(), 'shared-facts-'));
    const write = (path: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), `// ${path}\n`);
    };
    for (const path of [
      'apps/app/src/main.ts',
      'apps/app/src/main.spec.ts',
      'apps/app/scripts/build.ts',
      'libs/infra/layer/src/construct.ts',
      'libs/infra/layer/src/node_modules/dep/index.ts',
      'libs/lib/test/helper.ts',
      'libs/lib/test/fixtures/app/src/main.ts',
      'tools/tool/src/nested/cli.ts',
      'tools/tool/src/readme.md',
    ]) {
      write(path);
    }
    expect(sourceFiles(root).map((file) => file.path)).toEqual(['apps/app/src/main.ts', 'libs/infra/layer/src/construct.ts', 'tools/tool/src/nested/cli.ts']);
  });
});
