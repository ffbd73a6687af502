import { basename, join } from 'node:path';
import { type ActionUse, actionReferencingFiles, actionUses, parseActionRef, pinProblems } from './action-pins';
import { rel } from './workflows';

const FIXTURES = join(__dirname, '..', 'fixtures', 'pins');
const files = actionReferencingFiles();
const uses = files.flatMap((file) => actionUses(file));

describe('the workflows and composite actions of .github', () => {
  it('reference actions (a reader that found none would pass vacuously)', () => {
    expect(files.map((file) => basename(file))).toEqual(expect.arrayContaining(['ci.yml', 'deploy.yml', 'stack.yml']));
    expect(uses.filter((use) => !use.uses.startsWith('./')).length).toBeGreaterThan(15);
    expect(uses.map((use) => use.uses)).toContain('./.github/workflows/stack.yml');
  });

  it('pin every action to a full commit SHA, with its release in a comment, one pin per action', () => {
    expect(pinProblems(uses)).toEqual([]);
  });
});

describe('reading uses', () => {
  it('finds steps, reusable workflow calls and composite action steps, with their line and comment', () => {
    const found = (name: string) => actionUses(join(FIXTURES, name)).map(({ line, uses, comment }) => ({ line, uses, comment }));
    expect(found('workflows/short-sha.yml')).toEqual([{ line: 10, uses: 'actions/checkout@3d3c42e', comment: 'v7.0.1' }]);
    expect(found('workflows/reusable.yml')).toEqual([{ line: 8, uses: 'octo-org/shared-workflows/.github/workflows/build.yml@main', comment: undefined }]);
    expect(found('actions/setup/action.yml')).toEqual([{ line: 7, uses: 'actions/setup-node@v4', comment: undefined }]);
  });

  it('finds the composite actions of a .github folder', () => {
    expect(actionReferencingFiles(FIXTURES).map((file) => rel(file).replace(/^.*fixtures\/pins\//, ''))).toEqual(
      expect.arrayContaining(['workflows/tag.yml', 'actions/setup/action.yml']),
    );
  });

  it.each([
    ['actions/checkout@v4', { repo: 'actions/checkout', ref: 'v4' }],
    ['actions/cache/restore@27d5ce7f107fe9357f9df03efb73ab90386fccae', { repo: 'actions/cache', ref: '27d5ce7f107fe9357f9df03efb73ab90386fccae' }],
    ['actions/checkout', undefined],
    ['checkout@v4', undefined],
  ])('parses %s', (reference, expected) => {
    expect(parseActionRef(reference)).toEqual(expected);
  });
});

// Every seeded-bad file fails with the message given, and only with it.
const seeded: [file: string, expected: RegExp][] = [
  ['workflows/tag.yml', /tag\.yml:10: actions\/checkout@v4: pin to the full 40-character commit SHA, not "v4"/],
  ['workflows/short-sha.yml', /short-sha\.yml:10: actions\/checkout@3d3c42e: pin to the full 40-character commit SHA/],
  ['workflows/no-comment.yml', /no-comment\.yml:10: .*: name the release of the SHA in a trailing comment \(# v1\.2\.3\)$/],
  ['workflows/comment-not-a-release.yml', /comment-not-a-release\.yml:10: .*: name the release .*, not "# v7"/],
  ['workflows/docker-tag.yml', /docker-tag\.yml:10: docker:\/\/rhysd\/actionlint:1\.7\.12: a Docker image is pinned by its digest/],
  ['workflows/two-pins.yml', /^actions\/cache: one action, one pin; found 27d5ce7f\S+ # v5\.0\.5 \(.*two-pins\.yml:10\), 66822842\S+ # v5\.0\.4 \(.*two-pins\.yml:17\)$/],
  ['workflows/reusable.yml', /reusable\.yml:8: octo-org\/shared-workflows\/\.github\/workflows\/build\.yml@main: pin to the full 40-character commit SHA, not "main"/],
  ['actions/setup/action.yml', /setup\/action\.yml:7: actions\/setup-node@v4: pin to the full 40-character commit SHA/],
];

describe.each(seeded)('the seeded-bad %s', (name, expected) => {
  it('fails the pin check', () => {
    expect(pinProblems(actionUses(join(FIXTURES, name)))).toEqual([expect.stringMatching(expected)]);
  });
});

it('has a case for every fixture file', () => {
  const all = actionReferencingFiles(FIXTURES).map((file) => file.slice(FIXTURES.length + 1));
  expect(all.sort()).toEqual(seeded.map(([name]) => name).sort());
});

describe('references that need no SHA', () => {
  const at = (reference: string): ActionUse => ({ file: join(FIXTURES, 'inline.yml'), line: 1, uses: reference });

  it.each(['./.github/workflows/stack.yml', './.github/actions/setup', `docker://alpine@sha256:${'0'.repeat(64)}`])('accepts %s', (reference) => {
    expect(pinProblems([at(reference)])).toEqual([]);
  });

  it('refuses a Docker digest that is not whole', () => {
    expect(pinProblems([at(`docker://alpine@sha256:${'0'.repeat(12)}`)])).toEqual([expect.stringContaining('pinned by its digest')]);
  });
});
