import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { MasterDatabase } from '../src/database';
import { RotationError } from '../src/errors';
import { createHandler } from '../src/handler';
import { Output, rotationVars, SECRET_ARN } from './helpers';

const secrets = new SecretsManagerClient({ region: 'us-east-1' });
const stub = mockClient(secrets);
beforeEach(() => stub.reset());

/** A database the handler must not reach in these cases. */
const untouchable: MasterDatabase = {
  accepts: () => Promise.reject(new Error('the database was called')),
  changePassword: () => Promise.reject(new Error('the database was called')),
  check: () => Promise.reject(new Error('the database was called')),
};
const options = (output: Output) => ({ log: output.log, database: () => untouchable });
const event = { Step: 'createSecret', SecretId: SECRET_ARN, ClientRequestToken: 'c9d0a4b2-5f1e-4d8a-9a55-1f6a0b7e2c13' };

describe('a broken function environment', () => {
  it('fails every invocation, naming each problem, without calling AWS', async () => {
    const output = new Output();
    const handler = createHandler({ secrets }, { DR_DB_TLS: 'plain' }, options(output));
    for (let i = 0; i < 2; i++) {
      await expect(handler(event)).rejects.toThrow(
        new RotationError('the function environment is invalid: DR_SECRET_ARN is not set; DR_DB_HOST is not set; DR_DB_TLS must be rds or off, got plain'),
      );
    }
    expect(stub.calls()).toEqual([]);
    expect(output.lines.map((line) => JSON.parse(line).message)).toEqual([
      'rotation step not run: the function environment is invalid',
      'rotation step not run: the function environment is invalid',
    ]);
  });
});

describe('an event that is not a rotation request', () => {
  it.each([
    [null, 'the event has no SecretId'],
    [{ Step: 'createSecret', SecretId: SECRET_ARN }, `the event for ${SECRET_ARN} has no ClientRequestToken`],
    [{ Step: 'createSecret', ClientRequestToken: 't' }, 'the event has no SecretId'],
  ])('%j is refused before any call: %s', async (raw, message) => {
    const output = new Output();
    const handler = createHandler({ secrets }, rotationVars(3306), options(output));
    await expect(handler(raw)).rejects.toThrow(new RotationError(message));
    expect(stub.calls()).toEqual([]);
    expect(JSON.parse(output.lines[0]!)).toMatchObject({ level: 'ERROR', message: 'rotation step failed', error: `RotationError: ${message}` });
  });
});

describe('a Secrets Manager call that does not answer', () => {
  afterEach(() => jest.useRealTimers());

  it('is aborted at the call time limit and fails the step', async () => {
    jest.useFakeTimers();
    let signal: AbortSignal | undefined;
    stub.on(DescribeSecretCommand).callsFake(() => new Promise(() => undefined));
    // The abort signal the SDK is given, seen through the client's send().
    const send = secrets.send.bind(secrets);
    jest.spyOn(secrets, 'send').mockImplementation(((command: never, opts?: { abortSignal?: AbortSignal }) => {
      signal = opts?.abortSignal;
      return send(command, opts as never);
    }) as never);
    const output = new Output();
    const handler = createHandler({ secrets }, rotationVars(3306, { DR_CALL_TIMEOUT_MS: '2000' }), options(output));
    const outcome = handler(event).then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    await jest.advanceTimersByTimeAsync(1_999);
    expect(signal?.aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await outcome).toBe('createSecret: CallTimeoutError: DescribeSecret timed out after 2000 ms');
    expect(signal?.aborted).toBe(true);
  });
});
