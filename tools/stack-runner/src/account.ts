import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_ENVIRONMENT_NAME } from '@txn-dr/config';
import { accessProblem, describeAwsError } from './aws-errors';
import { PreflightError } from './preflight';

/** The credentials belong to another account than the environment's: refused before any plan. */
export class AccountMismatchError extends PreflightError {
  override readonly name = 'AccountMismatchError';
}

export interface AccountCheckInput {
  /** The environment's name (ENVIRONMENT_SUFFIX). */
  readonly environment: string;
  /** Config `accountId`; undefined when the environment names none. */
  readonly accountId: string | undefined;
  /** STS in the region of the stack being run, with the SDK's default credential chain. */
  readonly sts: STSClient;
  /** The environment file that sets accountId, relative to the workspace root. */
  readonly environmentFile: string;
}

/** The account and ARN of the credentials in use. */
export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
}

/**
 * Whose credentials these are, from STS GetCallerIdentity: it needs no permission, so any working
 * credentials answer it, and an error is always about the credentials themselves.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
export async function callerIdentity(sts: STSClient): Promise<CallerIdentity> {
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Account) throw new PreflightError('STS GetCallerIdentity answered without an account.');
    return { account: identity.Account, arn: identity.Arn ?? 'an unnamed caller' };
  } catch (error) {
    if (error instanceof PreflightError) throw error;
    const fix =
      accessProblem(error) === 'credentials'
        ? 'Refresh the AWS credentials (for example `aws sso login`, or new keys for the profile in use) and run again.'
        : 'Check the credentials and the network, and run again.';
    throw new PreflightError(`Cannot tell which AWS account these credentials belong to: STS GetCallerIdentity failed (${describeAwsError(error)}). ${fix}`);
  }
}

/**
 * Compares the caller's account with config `accountId` before anything is planned, so that a
 * profile pointing at the wrong account stops here with both accounts named, rather than in
 * Terraform (whose providers refuse it too, through `allowed_account_ids`). An environment other
 * than `dev` must name its account. Returns what to tell the operator; throws AccountMismatchError
 * on a mismatch and PreflightError when the account cannot be known or is not configured.
 */
export async function checkAccount(input: AccountCheckInput): Promise<string> {
  const caller = await callerIdentity(input.sts);
  const configured = input.accountId;
  if (configured === undefined) {
    const setIt = `set "accountId": "<the 12-digit id of ${input.environment}'s account>" in ${input.environmentFile}`;
    if (input.environment !== DEFAULT_ENVIRONMENT_NAME) {
      throw new PreflightError(
        `${input.environment} names no AWS account, so nothing stops it from being applied to the wrong one: ${setIt} ` +
          `(these credentials are for ${caller.account}, ${caller.arn}), then run again.`,
      );
    }
    return `AWS account ${caller.account} (${caller.arn}): ${input.environment} names no accountId, so its providers accept any account; to lock them, ${setIt}.`;
  }
  if (caller.account !== configured) {
    throw new AccountMismatchError(
      `Refusing to run: these credentials are for AWS account ${caller.account} (${caller.arn}), but ${input.environment} lives in account ${configured} ` +
        `(accountId in ${input.environmentFile}). Use credentials for ${configured} (for example another AWS_PROFILE), or correct accountId if it is the config that is wrong.`,
    );
  }
  return `AWS account ${caller.account} is ${input.environment}'s (${caller.arn}).`;
}
