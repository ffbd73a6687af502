import { TERRAFORM_REQUIRED_VERSION } from '@txn-dr/contracts';
import {
  PreflightError,
  type Runner,
  checkCredentials,
  checkTerraform,
  findCredentialSource,
  initStack,
  readTerraformVersion,
  satisfiesVersionConstraint,
} from '../src/preflight';

const ok = (stdout: string): ReturnType<Runner> => ({ status: 0, stdout, stderr: '' });
const none = () => false;
const INSTALL = 'install a Terraform that satisfies ">= 1.11.0" from https://developer.hashicorp.com/terraform/install';

describe('checkTerraform', () => {
  it('checks against the constraint every stack declares as required_version', () => {
    expect(TERRAFORM_REQUIRED_VERSION).toBe('>= 1.11.0');
  });

  it.each(['1.11.0', '1.11.4', '1.14.2', '2.0.0'])('accepts Terraform %s', (version) => {
    expect(checkTerraform(() => version)).toBe(version);
  });

  it.each(['1.10.5', '1.9.8', '0.12.31', '1.11.0-beta2', 'not-a-version'])('refuses Terraform %s, naming the constraint, the reason and how to install one that fits', (version) => {
    expect(() => checkTerraform(() => version)).toThrow(PreflightError);
    expect(() => checkTerraform(() => version)).toThrow(
      `Terraform ${version} cannot deploy these stacks: they require Terraform ">= 1.11.0" (the database password goes only through write-only arguments such as master_password_wo, which need Terraform 1.11 or later); ${INSTALL}`,
    );
  });

  it('passes on what the version reader throws', () => {
    const missing = () => {
      throw new PreflightError('Terraform is not installed');
    };
    expect(() => checkTerraform(missing)).toThrow('Terraform is not installed');
  });
});

describe('readTerraformVersion', () => {
  it('reads terraform_version from `terraform version -json`', () => {
    const calls: string[][] = [];
    const version = readTerraformVersion((command, args) => {
      calls.push([command, ...args]);
      return ok('{"terraform_version":"1.11.4","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}');
    });
    expect(version).toBe('1.11.4');
    expect(calls).toEqual([['terraform', 'version', '-json']]);
  });

  it('says Terraform is missing when it is not on PATH, and how to install it', () => {
    const missing: Runner = () => ({ status: null, stdout: '', stderr: '', error: Object.assign(new Error('spawn terraform ENOENT'), { code: 'ENOENT' }) });
    expect(() => readTerraformVersion(missing)).toThrow(new PreflightError(`Terraform is not installed (no \`terraform\` on PATH): ${INSTALL} (or with a version manager, e.g. \`tfenv install latest\`), put it on PATH and check it with \`terraform version\`.`));
  });

  it('reads the text form of a Terraform that knows no -json', () => {
    const old: Runner = (_command, args) => (args.includes('-json') ? { status: 1, stdout: '', stderr: 'flag provided but not defined: -json' } : ok('Terraform v0.12.31\n'));
    expect(readTerraformVersion(old)).toBe('0.12.31');
    expect(() => checkTerraform(() => readTerraformVersion(old))).toThrow(/^Terraform 0\.12\.31 cannot deploy these stacks/);
  });

  it('stops when neither form prints a version', () => {
    expect(() => readTerraformVersion(() => ({ status: 0, stdout: 'garbage', stderr: '' }))).toThrow(/^`terraform version` printed no version \(garbage\): install a Terraform/);
  });
});

describe('satisfiesVersionConstraint', () => {
  it.each([
    ['1.11.0', '>= 1.11.0', true],
    ['1.10.9', '>= 1.11.0', false],
    ['1.11.0-rc1', '>= 1.11.0', false],
    ['v1.12.1', '>= 1.11', true],
    ['1.12.1', '>= 1.11.0, < 2.0.0', true],
    ['2.0.0', '>= 1.11.0, < 2.0.0', false],
    ['1.11.4', '= 1.11.4', true],
    ['1.11.4', '1.11.3', false],
    ['1.11.4', '!= 1.11.4', false],
    ['1.11.9', '~> 1.11.0', true],
    ['1.12.0', '~> 1.11.0', false],
    ['1.19.0', '~> 1.11', true],
    ['2.0.0', '~> 1.11', false],
    ['1.10.0', '~> 1.11', false],
    ['1.11.0', '> 1.11.0', false],
    ['1.11.0', '<= 1.11.0', true],
  ])('%s against "%s": %s', (version, constraint, expected) => {
    expect(satisfiesVersionConstraint(version, constraint)).toBe(expected);
  });

  it('refuses a constraint it cannot read', () => {
    expect(() => satisfiesVersionConstraint('1.11.0', '>= one.eleven')).toThrow('unreadable Terraform version constraint: ">= one.eleven"');
  });
});

describe('credentials', () => {
  it.each([
    [{ AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 'x' }, 'AWS_ACCESS_KEY_ID'],
    [{ AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_ROLE_ARN: 'arn' }, 'AWS_WEB_IDENTITY_TOKEN_FILE (OIDC)'],
    [{ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/creds' }, 'container credentials'],
    [{ AWS_PROFILE: 'ops' }, 'AWS_PROFILE=ops'],
  ])('finds %j', (env, source) => {
    expect(findCredentialSource(env, '/home/x', none)).toBe(source);
  });

  it('finds the shared credentials file', () => {
    expect(findCredentialSource({}, '/home/x', (p) => p === '/home/x/.aws/credentials')).toBe('/home/x/.aws/credentials');
  });

  it('does not count a key id without its secret', () => {
    expect(findCredentialSource({ AWS_ACCESS_KEY_ID: 'AKIA' }, '/home/x', none)).toBeUndefined();
  });

  it('stops with one sentence when there are none', () => {
    expect(() => checkCredentials({}, '/home/x', none)).toThrow(/^No AWS credentials found: set AWS_PROFILE/);
  });
});

describe('initStack', () => {
  it('reports an uninstallable provider as such', () => {
    const offline: Runner = () => ({
      status: 1,
      stdout: '',
      stderr: 'Error: Failed to query available provider packages\nCould not retrieve the list of available versions for provider hashicorp/aws: could not connect to registry.terraform.io',
    });
    expect(() => initStack('/stack', offline)).toThrow(/^The AWS provider \(hashicorp\/aws\) could not be installed/);
  });

  it('passes other init failures through with Terraform\'s own words', () => {
    const backend: Runner = () => ({ status: 1, stdout: '', stderr: 'Error: Failed to get existing workspaces: S3 bucket does not exist.' });
    expect(() => initStack('/stack', backend)).toThrow(/terraform init failed in \/stack:\nError: Failed to get existing workspaces/);
  });

  it('runs init in the stack directory', () => {
    const calls: unknown[] = [];
    initStack('/stack', (command, args, cwd) => {
      calls.push([command, args, cwd]);
      return ok('');
    });
    expect(calls).toEqual([['terraform', ['init', '-input=false', '-no-color'], '/stack']]);
  });
});
