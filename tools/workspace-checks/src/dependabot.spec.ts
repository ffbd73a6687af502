import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DependabotConfig,
  coverageProblems,
  deadPatterns,
  groupOf,
  matchesPattern,
  npmDependencies,
  readDependabot,
  togetherProblems,
  updateFor,
} from './dependabot';

const FIXTURES = join(__dirname, '..', 'fixtures', 'dependabot');
const dependencies = npmDependencies();
const awsSdk = dependencies.filter((name) => name.startsWith('@aws-sdk/'));
const nxPackages = dependencies.filter((name) => name === 'nx' || name.startsWith('@nx/'));

/** Everything this spec asks of a Dependabot config, as one list of problems. */
function problems(config: DependabotConfig): string[] {
  const npm = updateFor(config, 'npm');
  return [
    ...coverageProblems(config),
    ...(npm
      ? [
          ...togetherProblems(npm, 'the AWS SDK clients', awsSdk),
          ...togetherProblems(npm, 'nx and its plugins', nxPackages),
          ...deadPatterns(npm, dependencies).map((dead) => `a group pattern matches no dependency: ${dead}`),
        ]
      : []),
  ];
}

it('reads the workspace dependencies (a reader that found none would pass vacuously)', () => {
  expect(awsSdk.length).toBeGreaterThan(5);
  expect(nxPackages).toEqual(expect.arrayContaining(['nx', '@nx/eslint', '@nx/js']));
  expect(dependencies).toEqual(expect.arrayContaining(['cdktf', 'fastify', 'typescript']));
  // The workspaces themselves are not npm packages Dependabot can update.
  expect(dependencies.filter((name) => name.startsWith('@txn-dr/'))).toEqual([]);
});

describe('.github/dependabot.yml', () => {
  const config = readDependabot();

  it('updates the npm packages and the actions weekly, brings the AWS SDK and nx in one pull request each, and names only packages the workspace has', () => {
    expect(problems(config)).toEqual([]);
  });

  it('sends every update of an AWS SDK client, and of nx and its plugins, to one group', () => {
    const npm = updateFor(config, 'npm')!;
    expect(new Set(awsSdk.map((name) => groupOf(npm, name, 'major')))).toEqual(new Set(['aws-sdk']));
    expect(new Set(nxPackages.map((name) => groupOf(npm, name, 'patch')))).toEqual(new Set(['nx']));
  });

  it('groups the minor and patch updates of the rest, and leaves each other major on its own', () => {
    const npm = updateFor(config, 'npm')!;
    expect(groupOf(npm, 'zod', 'minor')).toBe('minor-and-patch');
    expect(groupOf(npm, 'zod', 'major')).toBeUndefined();
  });
});

describe('group patterns', () => {
  it.each([
    ['@aws-sdk/*', '@aws-sdk/client-s3', true],
    ['@aws-sdk/*', '@aws-sdk-x/client-s3', false],
    ['nx', 'nx', true],
    ['nx', '@nx/js', false],
    ['*', 'anything', true],
    ['@types/node', '@types/nodes', false],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(matchesPattern(pattern, name)).toBe(expected);
  });
});

const seeded: [file: string, expected: RegExp][] = [
  ['no-actions.yml', /^no github-actions updates for \/$/],
  ['daily.yml', /^npm updates run daily, not weekly$/],
  ['aws-sdk-split.yml', /^the AWS SDK clients major updates are split: .*@aws-sdk\/client-s3 -> s3.*@aws-sdk\/client-sts -> aws-sdk/],
  ['nx-apart.yml', /^nx and its plugins major updates are split: .*@nx\/js -> nx-plugins.*nx -> own pull request/],
  ['majors-apart.yml', /^the AWS SDK clients major updates are split: @aws-sdk\/\S+ -> own pull request/],
  ['dead-pattern.yml', /^a group pattern matches no dependency: aws-sdk: @aws-skd\/\*$/],
];

describe.each(seeded)('the seeded-bad %s', (name, expected) => {
  it('fails', () => {
    expect(problems(readDependabot(join(FIXTURES, name)))).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});

it('has a case for every fixture file', () => {
  const fixtures = readdirSync(FIXTURES).filter((name) => name.endsWith('.yml'));
  expect(fixtures.sort()).toEqual(seeded.map(([name]) => name).sort());
});
