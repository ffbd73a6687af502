import { PreflightError, type Runner, checkCredentials, checkTerraform, findCredentialSource, initStack } from '../src/preflight';

const ok = (stdout: string): ReturnType<Runner> => ({ status: 0, stdout, stderr: '' });
const none = () => false;

describe('checkTerraform', () => {
  it('accepts Terraform 1.11 and newer', () => {
    expect(checkTerraform(() => ok('{"terraform_version":"1.11.4"}'))).toBe('1.11.4');
    expect(checkTerraform(() => ok('{"terraform_version":"2.0.0"}'))).toBe('2.0.0');
  });

  it('says Terraform is missing when it is not on PATH', () => {
    const missing: Runner = () => ({ status: null, stdout: '', stderr: '', error: Object.assign(new Error('spawn terraform ENOENT'), { code: 'ENOENT' }) });
    expect(() => checkTerraform(missing)).toThrow(new PreflightError('Terraform is not installed (no `terraform` on PATH): install Terraform 1.11 or newer to diff or deploy a stack.'));
  });

  it('refuses a Terraform too old for write-only arguments', () => {
    expect(() => checkTerraform(() => ok('{"terraform_version":"1.9.8"}'))).toThrow(/Terraform 1\.9\.8 is too old/);
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
