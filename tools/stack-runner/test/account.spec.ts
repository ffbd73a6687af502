import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountMismatchError, PreflightError, callerIdentity, checkAccount } from '../src';

const client = new STSClient({ region: 'us-east-1' });
const sts = mockClient(client);

const STAGING = '111111111111';
const OTHER = '999999999999';
const arnIn = (account: string) => `arn:aws:sts::${account}:assumed-role/deploy/alice`;
const FILE = 'libs/config/environments/staging.json';

const stsError = (name: string, status: number, message: string) =>
  new STSServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });

const check = (accountId: string | undefined, environment = 'staging') => checkAccount({ environment, accountId, sts: client, environmentFile: FILE });

beforeEach(() => {
  sts.reset();
});

describe('checkAccount', () => {
  it('goes on when the credentials are the environment account, and says so', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: STAGING, Arn: arnIn(STAGING), UserId: 'AROA:alice' });
    await expect(check(STAGING)).resolves.toBe(`AWS account ${STAGING} is staging's (${arnIn(STAGING)}).`);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it('refuses credentials of another account, naming both accounts and the file', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: OTHER, Arn: arnIn(OTHER) });
    const refusal = check(STAGING);
    await expect(refusal).rejects.toBeInstanceOf(AccountMismatchError);
    await expect(refusal).rejects.toThrow(
      `Refusing to run: these credentials are for AWS account ${OTHER} (${arnIn(OTHER)}), but staging lives in account ${STAGING} (accountId in ${FILE}). ` +
        `Use credentials for ${STAGING} (for example another AWS_PROFILE), or correct accountId if it is the config that is wrong.`,
    );
  });

  it('lets dev name no account, and says how to lock it', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: OTHER, Arn: arnIn(OTHER) });
    await expect(check(undefined, 'dev')).resolves.toBe(
      `AWS account ${OTHER} (${arnIn(OTHER)}): dev names no accountId, so its providers accept any account; to lock them, set "accountId": "<the 12-digit id of dev's account>" in ${FILE}.`,
    );
  });

  it('refuses any other environment that names no account, offering the caller account to check', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: OTHER, Arn: arnIn(OTHER) });
    const refusal = check(undefined, 'qa');
    await expect(refusal).rejects.toBeInstanceOf(PreflightError);
    await expect(refusal).rejects.not.toBeInstanceOf(AccountMismatchError);
    await expect(refusal).rejects.toThrow(/^qa names no AWS account, so nothing stops it from being applied to the wrong one: set "accountId": .* \(these credentials are for 999999999999, /);
  });
});

describe('callerIdentity', () => {
  it.each([
    ['expired credentials', stsError('ExpiredToken', 403, 'The security token included in the request is expired'), /ExpiredToken: The security token included in the request is expired\)\. Refresh the AWS credentials/],
    ['an unknown key', stsError('InvalidClientTokenId', 403, 'The security token included in the request is invalid.'), /InvalidClientTokenId: .*Refresh the AWS credentials/],
    ['no credentials at all', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), /CredentialsProviderError: Could not load credentials from any providers\)\. Refresh the AWS credentials/],
    ['a network failure', Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:443'), { name: 'TimeoutError' }), /TimeoutError: connect ETIMEDOUT 10\.0\.0\.1:443\)\. Check the credentials and the network, and run again\.$/],
  ])('says what to do about %s, without guessing an account', async (_description, error, message) => {
    sts.on(GetCallerIdentityCommand).rejects(error);
    const failure = callerIdentity(client);
    await expect(failure).rejects.toBeInstanceOf(PreflightError);
    await expect(failure).rejects.toThrow(/^Cannot tell which AWS account these credentials belong to: STS GetCallerIdentity failed \(/);
    await expect(callerIdentity(client)).rejects.toThrow(message);
  });

  it('refuses an answer without an account', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Arn: arnIn(STAGING) });
    await expect(callerIdentity(client)).rejects.toThrow('STS GetCallerIdentity answered without an account.');
  });
});
