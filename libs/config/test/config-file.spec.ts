import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_FILE_VARIABLE, ENVIRONMENTS_DIR, loadEnvironment } from '../src/environment';
import { ConfigError } from '../src/errors';
import { issuesOf } from './issues';

const ONCALL = { protocol: 'email', endpoint: 'oncall@payments.acme.io' } as const;

/** A folder of its own for each test, outside the package. */
function folder(): string {
  return mkdtempSync(join(tmpdir(), 'env-file-'));
}

/** Writes `content` (JSON unless a string) to `name` under `dir`; returns its path. */
function write(dir: string, name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** The ConfigError a load throws. */
function errorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, got a valid environment');
}

it('is named by TXN_DR_CONFIG', () => {
  expect(CONFIG_FILE_VARIABLE).toBe('TXN_DR_CONFIG');
});

describe('an environment file outside the package', () => {
  it('names its environment, overlays the defaults like a file in environments/, and takes the state bucket from the variables', () => {
    const file = write(folder(), 'scratch.json', { name: 'scratch', capacity: { standby: { desired: 2 } }, alerts: { subscriptions: [ONCALL] } });
    const env = loadEnvironment({ env: { TXN_DR_CONFIG: file, TERRAFORM_STATE_BUCKET: 'acme-tf-state' } });
    expect(env.name).toBe('scratch');
    expect(env.dns).toMatchObject({ zoneName: 'dr-scratch.example.com', placeholder: true });
    expect(env.capacity.standby).toEqual({ min: 1, desired: 2, max: 4 });
    expect(env.regions.primary.region).toBe('us-east-1');
    expect(env.state).toEqual({ bucket: 'acme-tf-state', region: 'us-east-1' });
  });

  it('describes the same environment as the file in environments/ it copies, under the same rules', () => {
    // production.json with its own name: the same environment, the same rules (account, zone, alerts).
    const shipped = JSON.parse(readFileSync(join(ENVIRONMENTS_DIR, 'production.json'), 'utf8')) as Record<string, unknown>;
    const file = write(folder(), 'prod.json', { name: 'production', ...shipped });
    expect(loadEnvironment({ env: { TXN_DR_CONFIG: file, ENVIRONMENT_SUFFIX: 'production' } })).toEqual(loadEnvironment({ env: { ENVIRONMENT_SUFFIX: 'production' } }));
    const { accountId: _accountId, ...withoutAccount } = shipped;
    const incomplete = write(folder(), 'prod.json', { name: 'production', ...withoutAccount });
    expect(issuesOf(() => loadEnvironment({ env: { TXN_DR_CONFIG: incomplete } }))).toEqual([expect.stringMatching(/^accountId: is required for production/)]);
  });

  it('comes from the configFile option before TXN_DR_CONFIG', () => {
    const dir = folder();
    const chosen = write(dir, 'chosen.json', { name: 'chosen' });
    const other = write(dir, 'other.json', { name: 'other' });
    expect(loadEnvironment({ env: { TXN_DR_CONFIG: other }, configFile: chosen }).name).toBe('chosen');
  });

  it('resolves a relative path from the current directory', () => {
    const dir = folder();
    mkdirSync(join(dir, 'envs'));
    write(join(dir, 'envs'), 'scratch.json', { name: 'scratch' });
    expect(loadEnvironment({ env: { TXN_DR_CONFIG: 'envs/scratch.json' }, cwd: dir }).name).toBe('scratch');
    expect(loadEnvironment({ env: {}, configFile: './envs/scratch.json', cwd: dir }).name).toBe('scratch');
  });

  it('may agree with ENVIRONMENT_SUFFIX, and is refused when it does not, with everything else that is wrong', () => {
    const file = write(folder(), 'scratch.json', { name: 'scratch', state: { bucket: 'elsewhere' }, logs: { retentionDays: 10 } });
    expect(issuesOf(() => loadEnvironment({ env: { TXN_DR_CONFIG: file, ENVIRONMENT_SUFFIX: 'staging' } }))).toEqual([
      'name: is scratch in this file, but ENVIRONMENT_SUFFIX is staging: unset ENVIRONMENT_SUFFIX, or make the two name the same environment',
      expect.stringMatching(/^logs\.retentionDays: must be one of the CloudWatch Logs periods/),
      'state: is set from TERRAFORM_STATE_BUCKET(_REGION), not in the file',
    ]);
    const agreeing = write(folder(), 'scratch.json', { name: 'scratch' });
    expect(loadEnvironment({ env: { TXN_DR_CONFIG: agreeing, ENVIRONMENT_SUFFIX: 'scratch' } }).name).toBe('scratch');
  });

  it('must name its environment, and a malformed name is reported as such, without the ENVIRONMENT_SUFFIX of files in environments/', () => {
    const dir = folder();
    const nameless = write(dir, 'nameless.json', { capacity: { standby: { desired: 2 } } });
    expect(issuesOf(() => loadEnvironment({ env: { TXN_DR_CONFIG: nameless } }))).toEqual([
      'name: is required in an environment file outside environments/: it names the environment (part of every resource name and of the state key), for example "name": "scratch"',
    ]);
    const malformed = write(dir, 'malformed.json', { name: 'Scratch Env' });
    expect(issuesOf(() => loadEnvironment({ env: { TXN_DR_CONFIG: malformed } }))).toEqual([expect.stringMatching(/^name: must be 1-12 lowercase letters/)]);
  });

  it('names the file in the error, with every problem in it', () => {
    const file = write(folder(), 'scratch.json', { name: 'scratch', database: { instanceClas: 'db.r6g.large' }, regions: { secondary: { region: 'us-east-1' } } });
    const error = errorOf(() => loadEnvironment({ env: { TXN_DR_CONFIG: file } }));
    expect(error.message).toBe(
      `Invalid environment (${file}):\n` +
        '  - regions.secondary.region: must differ from regions.primary.region (both are us-east-1)\n' +
        '  - database.instanceClas: is not a field of database; did you mean database.instanceClass?',
    );
  });
});

describe('a file that cannot be used at all', () => {
  it.each([
    ['missing', (dir: string) => join(dir, 'missing.json'), /^\(file\): cannot be read \(ENOENT: no such file or directory\)$/],
    ['a folder', (dir: string) => dir, /^\(file\): cannot be read \(EISDIR: illegal operation on a directory\)$/],
    ['not JSON', (dir: string) => write(dir, 'broken.json', '{ "name": '), /^\(file\): is not valid JSON: /],
    ['a JSON list', (dir: string) => write(dir, 'list.json', [{ name: 'scratch' }]), /^\(file\): must hold a JSON object$/],
  ])('is a ConfigError naming its path when it is %s', (_description, pathIn, message) => {
    const path = pathIn(folder());
    const error = errorOf(() => loadEnvironment({ env: { TXN_DR_CONFIG: path } }));
    expect(error.source).toBe(path);
    expect(error.message).toMatch(new RegExp(`^Invalid environment \\(${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\):`));
    expect(error.issues.map((i) => `${i.field}: ${i.message}`)).toEqual([expect.stringMatching(message)]);
  });

  it('says where a relative path was resolved from', () => {
    const dir = folder();
    const error = errorOf(() => loadEnvironment({ env: {}, configFile: 'envs/missing.json', cwd: dir }));
    expect(error.source).toBe(join(dir, 'envs', 'missing.json'));
    expect(error.issues).toEqual([
      { field: '(file)', message: `cannot be read (ENOENT: no such file or directory); envs/missing.json was resolved from the current directory, ${dir}` },
    ]);
  });
});
