import type { MasterDatabase } from './database';
import { RotationError } from './errors';
import { STAGE, type SecretMetadata, type SecretStore } from './secret-store';
import { parseSecret, withPassword, type SecretDocument } from './secret-value';

/**
 * The rotation contract of Secrets Manager, as its Lambda rotation functions and AWS's MySQL
 * single-user template implement it. Secrets Manager calls the function once per step, each with
 * `{ Step, SecretId, ClientRequestToken }`, and retries the whole rotation when a step fails, so
 * every step is idempotent: run again with the same token, it finds its work done and does nothing.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda.html
 * https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas/blob/master/SecretsManagerRDSMySQLRotationSingleUser/lambda_function.py
 */
export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/**
 * The same steps as the user guide's parameter list spells them. Its step-by-step section, AWS's
 * templates and its example events use the camel-case names; both are taken.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda.html
 */
const SNAKE_CASE_STEPS: Readonly<Record<string, RotationStep>> = {
  create_secret: 'createSecret',
  set_secret: 'setSecret',
  test_secret: 'testSecret',
  finish_secret: 'finishSecret',
};

/** The invocation Secrets Manager sends. */
export interface RotationEvent {
  readonly Step: RotationStep;
  /** The secret's ARN (or name). */
  readonly SecretId: string;
  /** The version id of the new version: AWSPENDING while the rotation runs. */
  readonly ClientRequestToken: string;
  /**
   * Identifies the source of the request; needed by PutSecretValue when the function calls Secrets
   * Manager through an assumed role or across accounts, passed on whenever it is sent. Sensitive:
   * never logged.
   */
  readonly RotationToken?: string;
}

/** What a step did, for the log line and the tests. */
export type StepOutcome =
  /** The step did its work. */
  | 'done'
  /** A retry: the work was already done (the pending version exists, the database already takes it, it is already current). */
  | 'already-done'
  /** The token's version is AWSCURRENT already: the rotation finished, nothing to do. */
  | 'already-current';

export interface RotationDependencies {
  readonly store: SecretStore;
  readonly database: MasterDatabase;
  /** The one secret this function may rotate. */
  readonly secretArn: string;
}

/** Checks the shape of an invocation; a wrong step is refused before any call is made. */
export function parseEvent(raw: unknown): RotationEvent {
  const event = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const { Step, SecretId, ClientRequestToken, RotationToken } = event;
  if (typeof SecretId !== 'string' || SecretId === '') throw new RotationError('the event has no SecretId');
  if (typeof ClientRequestToken !== 'string' || ClientRequestToken === '') throw new RotationError(`the event for ${SecretId} has no ClientRequestToken`);
  const step = typeof Step === 'string' ? ((ROTATION_STEPS as readonly string[]).includes(Step) ? (Step as RotationStep) : SNAKE_CASE_STEPS[Step]) : undefined;
  if (step === undefined) {
    throw new RotationError(`invalid step ${JSON.stringify(Step)} for ${SecretId}: expected one of ${ROTATION_STEPS.join(', ')}`);
  }
  return { Step: step, SecretId, ClientRequestToken, ...(typeof RotationToken === 'string' && RotationToken !== '' ? { RotationToken } : {}) };
}

/**
 * One step of a rotation. First, as the contract asks, the secret must be the one this function
 * rotates, have rotation turned on (DescribeSecret RotationEnabled), and the token must name a
 * version staged AWSPENDING; a version already AWSCURRENT means the rotation is over.
 */
export async function runStep(event: RotationEvent, deps: RotationDependencies): Promise<StepOutcome> {
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
  const metadata = await deps.store.describe(secretId);
  if (metadata.arn !== deps.secretArn) {
    throw new RotationError(`${step}: this function rotates ${deps.secretArn} only, not ${metadata.arn || secretId}`);
  }
  if (!metadata.rotationEnabled) throw new RotationError(`${step}: rotation is not enabled for ${metadata.arn}`);
  const stages = metadata.versions[token];
  if (stages === undefined) throw new RotationError(`${step}: version ${token} of ${metadata.arn} has no stage for rotation`);
  if (stages.includes(STAGE.current)) return 'already-current';
  if (!stages.includes(STAGE.pending)) throw new RotationError(`${step}: version ${token} of ${metadata.arn} is not staged ${STAGE.pending}`);

  const arn = metadata.arn;
  switch (step) {
    case 'createSecret':
      return createSecret(deps, arn, token, event.RotationToken);
    case 'setSecret':
      return setSecret(deps, arn, token);
    case 'testSecret':
      return testSecret(deps, arn, token);
    case 'finishSecret':
      return finishSecret(deps, metadata, token);
  }
}

/**
 * createSecret: when the token's version has no value yet, a new password from GetRandomPassword,
 * put under the token and staged AWSPENDING; the user name and every other field stay as in
 * AWSCURRENT.
 */
async function createSecret({ store }: RotationDependencies, arn: string, token: string, rotationToken: string | undefined): Promise<StepOutcome> {
  const current = await read(store, arn, STAGE.current);
  if ((await store.value(arn, STAGE.pending, token)) !== undefined) return 'already-done';
  await store.putPending(arn, token, withPassword(current, await store.randomPassword()), rotationToken);
  return 'done';
}

/**
 * setSecret, single user: the master user logs in with AWSCURRENT and sets its own password to
 * AWSPENDING's. On a retry after the change went through, AWSCURRENT is refused and AWSPENDING
 * accepted: the work is done. Both refused: the rotation fails, changing nothing.
 */
async function setSecret({ store, database }: RotationDependencies, arn: string, token: string): Promise<StepOutcome> {
  const current = await read(store, arn, STAGE.current);
  const pending = await read(store, arn, STAGE.pending, token);
  if (pending.credentials.username !== current.credentials.username) {
    throw new RotationError(`setSecret: version ${token} of ${arn} names another user than AWSCURRENT: single-user rotation changes the current user only`);
  }
  if (await database.accepts(current.credentials)) {
    await database.changePassword(current.credentials, pending.credentials.password);
    return 'done';
  }
  if (await database.accepts(pending.credentials)) return 'already-done';
  throw new RotationError(`setSecret: the database refuses both AWSCURRENT and version ${token} of ${arn} for user ${current.credentials.username}`);
}

/** testSecret: the AWSPENDING credentials log in, as the same user, and read. */
async function testSecret({ store, database }: RotationDependencies, arn: string, token: string): Promise<StepOutcome> {
  const pending = await read(store, arn, STAGE.pending, token);
  const account = await database.check(pending.credentials);
  if (account.slice(0, account.lastIndexOf('@')) !== pending.credentials.username) {
    throw new RotationError(`testSecret: version ${token} of ${arn} logged in as ${account}, not as ${pending.credentials.username}`);
  }
  return 'done';
}

/** finishSecret: AWSCURRENT moves from the version that has it to the token's (AWSPREVIOUS follows). */
async function finishSecret({ store }: RotationDependencies, metadata: SecretMetadata, token: string): Promise<StepOutcome> {
  const current = Object.entries(metadata.versions).find(([, stages]) => stages.includes(STAGE.current))?.[0];
  await store.makeCurrent(metadata.arn, token, current);
  return 'done';
}

/** A version's credentials; a missing or malformed version fails the step, naming it, never its content. */
async function read(store: SecretStore, arn: string, stage: string, token?: string): Promise<SecretDocument> {
  const version = token ? `version ${token} (${stage}) of ${arn}` : `${stage} of ${arn}`;
  const text = await store.value(arn, stage, token);
  if (text === undefined) throw new RotationError(`${version} has no value`);
  try {
    return parseSecret(text, version);
  } catch (error) {
    throw new RotationError((error as Error).message);
  }
}
