import { GetRandomPasswordCommand, PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { MariaDbServer } from '@txn-dr/testing-mariadb';
import { RotationError } from '../src/errors';
import { EXCLUDED_PASSWORD_CHARACTERS, PASSWORD_LENGTH } from '../src/secret-store';
import { givenMaster, logsIn, rotationVars, SECRET_ARN, type Master } from './helpers';

// Secrets Manager is the in-process model; the database is a real MariaDB, started once for the file.
let server: MariaDbServer;
beforeAll(async () => {
  server = await MariaDbServer.create();
});
afterAll(async () => {
  await server?.destroy();
});

/** The labels of the secret's versions, by what the test knows them as. */
function labelsOf(master: Master, versions: Record<string, string>): Record<string, string[]> {
  const stages = master.secrets.stages();
  return Object.fromEntries(Object.entries(versions).map(([name, id]) => [name, stages[id] ?? []]));
}

describe('a full rotation', () => {
  let master: Master;
  let initialVersion: string;
  let token: string;
  beforeAll(async () => {
    master = await givenMaster(server);
    initialVersion = master.secrets.versionWith('AWSCURRENT')!;
    token = await master.rotate();
  });

  it('retires the old password and makes the new one work, for the same user', async () => {
    const current = master.credentials('AWSCURRENT');
    expect(current.username).toBe(master.username);
    expect(current.password).not.toBe(master.password);
    expect(await logsIn(server.info.port, master.username, master.password)).toBe(false);
    expect(await logsIn(server.info.port, master.username, current.password)).toBe(true);
  });

  it('moves AWSCURRENT to the new version and AWSPREVIOUS to the old one', () => {
    expect(labelsOf(master, { initial: initialVersion, rotated: token })).toEqual({
      initial: ['AWSPREVIOUS'],
      // AWSPENDING may stay on the version that is now current: the state AWS documents as a finished rotation.
      rotated: ['AWSCURRENT', 'AWSPENDING'],
    });
  });

  it('keeps every other field of the secret', () => {
    expect(JSON.parse(master.secrets.valueOf('AWSCURRENT')!)).toEqual({ username: master.username, password: expect.any(String), engine: 'mysql' });
  });

  it('asks Secrets Manager for a password MySQL and Aurora take', () => {
    expect(master.secrets.passwordRequests).toEqual([
      { PasswordLength: PASSWORD_LENGTH, ExcludeCharacters: EXCLUDED_PASSWORD_CHARACTERS, IncludeSpace: false, RequireEachIncludedType: true },
    ]);
    expect(EXCLUDED_PASSWORD_CHARACTERS.split('').sort()).toEqual(['"', "'", '/', '@', '\\'].sort());
    const password = master.credentials('AWSCURRENT').password;
    expect(password).toHaveLength(PASSWORD_LENGTH);
    expect([...password].filter((c) => EXCLUDED_PASSWORD_CHARACTERS.includes(c) || c === ' ')).toEqual([]);
  });

  it('puts the new version staged AWSPENDING only, under the rotation token', () => {
    expect(master.secrets.puts).toEqual([expect.objectContaining({ SecretId: SECRET_ARN, ClientRequestToken: token, VersionStages: ['AWSPENDING'] })]);
  });

  it('logs one line per step, with its outcome', () => {
    const lines = master.output.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => [l.level, l.step, l.outcome, l.versionId])).toEqual([
      ['INFO', 'createSecret', 'done', token],
      ['INFO', 'setSecret', 'done', token],
      ['INFO', 'testSecret', 'done', token],
      ['INFO', 'finishSecret', 'done', token],
    ]);
  });

  it('rotates again from the rotated secret', async () => {
    const before = master.credentials('AWSCURRENT').password;
    await master.rotate();
    const after = master.credentials('AWSCURRENT').password;
    expect(after).not.toBe(before);
    expect(await logsIn(server.info.port, master.username, before)).toBe(false);
    expect(await logsIn(server.info.port, master.username, after)).toBe(true);
  });
});

describe('each step run again with the same token', () => {
  it('finds its work done: one version, one password change, one label move', async () => {
    const master = await givenMaster(server);
    const token = master.secrets.startRotation();
    const twice = async (step: string) => [(await master.step(step, token)).outcome, (await master.step(step, token)).outcome];

    expect(await twice('createSecret')).toEqual(['done', 'already-done']);
    const pending = master.credentials('AWSPENDING');
    expect(master.secrets.mock.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(master.secrets.mock.commandCalls(GetRandomPasswordCommand)).toHaveLength(1);

    // The retry logs in with AWSCURRENT, is refused, and finds AWSPENDING accepted.
    expect(await twice('setSecret')).toEqual(['done', 'already-done']);
    expect(await logsIn(server.info.port, master.username, pending.password)).toBe(true);

    expect(await twice('testSecret')).toEqual(['done', 'done']);

    expect(await twice('finishSecret')).toEqual(['done', 'already-current']);
    expect(master.secrets.mock.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
    expect(master.credentials('AWSCURRENT')).toEqual(pending);
  });

  it('completes a rotation whose finishSecret failed once, as Secrets Manager retries it', async () => {
    const master = await givenMaster(server);
    const token = master.secrets.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret']) await master.step(step, token);
    master.secrets.failNext('UpdateSecretVersionStage', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(master.step('finishSecret', token)).rejects.toThrow(/finishSecret: ThrottlingException: Rate exceeded/);
    // The single-user window AWS documents: the database has the new password, AWSCURRENT the old.
    expect(master.credentials('AWSCURRENT').password).toBe(master.password);
    expect((await master.step('finishSecret', token)).outcome).toBe('done');
    expect(await logsIn(server.info.port, master.username, master.credentials('AWSCURRENT').password)).toBe(true);
  });
});

describe('a request the function refuses, changing nothing', () => {
  let master: Master;
  beforeEach(async () => {
    master = await givenMaster(server);
  });

  async function expectNothingChanged(): Promise<void> {
    expect(master.secrets.mock.commandCalls(PutSecretValueCommand)).toEqual([]);
    expect(master.secrets.mock.commandCalls(UpdateSecretVersionStageCommand)).toEqual([]);
    expect(master.credentials('AWSCURRENT').password).toBe(master.password);
    expect(await logsIn(server.info.port, master.username, master.password)).toBe(true);
  }

  it.each([['deleteSecret'], [''], [undefined], ['CreateSecret']])('an unknown step %j, before any call', async (step) => {
    const token = master.secrets.startRotation();
    await expect(master.step(step as string, token)).rejects.toThrow(new RotationError(`invalid step ${JSON.stringify(step)} for ${SECRET_ARN}: expected one of createSecret, setSecret, testSecret, finishSecret`));
    expect(master.secrets.mock.calls()).toEqual([]);
    await expectNothingChanged();
  });

  it('takes the step names as the user guide lists them too (create_secret, ...)', async () => {
    const token = master.secrets.startRotation();
    expect((await master.step('create_secret', token)).step).toBe('createSecret');
  });

  it('a token that names no version of the secret', async () => {
    master.secrets.startRotation();
    await expect(master.step('createSecret', 'not-a-version')).rejects.toThrow(/createSecret: version not-a-version of .* has no stage for rotation/);
    await expectNothingChanged();
  });

  it.each(['createSecret', 'setSecret', 'testSecret', 'finishSecret'])('%s for a version that is not staged AWSPENDING', async (step) => {
    await master.rotate();
    const rotated = master.credentials('AWSCURRENT');
    const puts = master.secrets.puts.length;
    // An invocation for the rotation before last, delivered late: its version is AWSPREVIOUS now.
    const previous = master.secrets.versionWith('AWSPREVIOUS')!;
    master.secrets.startRotation();
    await expect(master.step(step, previous)).rejects.toThrow(`${step}: version ${previous} of ${SECRET_ARN} is not staged AWSPENDING`);
    expect(master.secrets.puts).toHaveLength(puts);
    expect(master.credentials('AWSCURRENT')).toEqual(rotated);
    expect(await logsIn(server.info.port, master.username, rotated.password)).toBe(true);
  });

  it('a secret with rotation turned off', async () => {
    const token = master.secrets.startRotation();
    master.secrets.rotationEnabled = false;
    await expect(master.step('createSecret', token)).rejects.toThrow(`createSecret: rotation is not enabled for ${SECRET_ARN}`);
    await expectNothingChanged();
  });

  it('another secret than the one it rotates', async () => {
    const other = await givenMaster(server, { vars: rotationVars(server.info.port, { DR_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:someone-else-XyZ123' }) });
    const token = other.secrets.startRotation();
    await expect(other.step('createSecret', token)).rejects.toThrow(/this function rotates arn:aws:secretsmanager:us-east-1:111122223333:secret:someone-else-XyZ123 only, not arn:.*txdr-dev\/db\/master-AbCdEf/);
    expect(other.secrets.mock.commandCalls(PutSecretValueCommand)).toEqual([]);
  });

  it('a pending version that names another user', async () => {
    const token = master.secrets.startRotation();
    // Written as another tool might have: the version for the token names a different user.
    master.secrets.versions.get(token)!.value = JSON.stringify({ username: 'root', password: 'x' });
    await expect(master.step('setSecret', token)).rejects.toThrow(/names another user than AWSCURRENT/);
    expect(await logsIn(server.info.port, master.username, master.password)).toBe(true);
  });
});

describe('a setSecret that fails', () => {
  it('leaves AWSCURRENT working when the database refuses the change', async () => {
    // A user that may log in but not change passwords (no CREATE USER privilege): ALTER USER fails.
    const master = await givenMaster(server, { privileges: 'none' });
    const token = master.secrets.startRotation();
    await master.step('createSecret', token);
    await expect(master.step('setSecret', token)).rejects.toThrow(/changing the password failed: ER_SPECIFIC_ACCESS_DENIED_ERROR \(errno 1227\)/);
    expect(await logsIn(server.info.port, master.username, master.password)).toBe(true);
    expect(await logsIn(server.info.port, master.username, master.credentials('AWSPENDING').password)).toBe(false);
    expect(master.credentials('AWSCURRENT').password).toBe(master.password);
    // And the rotation stops there: the test step refuses the pending credentials.
    await expect(master.step('testSecret', token)).rejects.toThrow(/testing the pending credentials: connecting failed: ER_ACCESS_DENIED_ERROR \(errno 1045\)/);
  });

  it('leaves AWSCURRENT working when the database is out of reach', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const unreachable = await givenMaster(server, { vars: rotationVars(1) });
    const token = unreachable.secrets.startRotation();
    await unreachable.step('createSecret', token);
    await expect(unreachable.step('setSecret', token)).rejects.toThrow(/setSecret: DatabaseError: logging in: connecting failed: ECONNREFUSED/);
    expect(await logsIn(server.info.port, unreachable.username, unreachable.password)).toBe(true);
    expect(unreachable.credentials('AWSCURRENT').password).toBe(unreachable.password);
  });

  it('fails when the database refuses both AWSCURRENT and AWSPENDING, changing nothing', async () => {
    const master = await givenMaster(server);
    const token = master.secrets.startRotation();
    await master.step('createSecret', token);
    // Someone changed the password outside the rotation.
    await server.root(`ALTER USER '${master.username}'@'127.0.0.1' IDENTIFIED BY 'changed-elsewhere-123'`);
    await expect(master.step('setSecret', token)).rejects.toThrow(`setSecret: the database refuses both AWSCURRENT and version ${token} of ${SECRET_ARN} for user ${master.username}`);
    expect(await logsIn(server.info.port, master.username, 'changed-elsewhere-123')).toBe(true);
  });
});

describe('a server that does not answer', () => {
  it('gives up within the database time limit instead of hanging', async () => {
    const frozen = await MariaDbServer.create();
    try {
      const master = await givenMaster(frozen, { vars: rotationVars(frozen.info.port, { DR_DB_TIMEOUT_MS: '300' }) });
      const token = master.secrets.startRotation();
      await master.step('createSecret', token);
      await frozen.freeze();
      const started = Date.now();
      await expect(master.step('setSecret', token)).rejects.toThrow(/logging in: connecting failed: ETIMEDOUT|CallTimeoutError/);
      // 300 ms for the connection, plus the backstop's second: far from a hung invocation.
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await frozen.thaw();
      await frozen.destroy();
    }
  });
});

describe('TLS', () => {
  it('is required unless the setting says off: no fallback to plain TCP', async () => {
    const master = await givenMaster(server, { vars: rotationVars(server.info.port, { DR_DB_TLS: 'rds' }) });
    const token = master.secrets.startRotation();
    await master.step('createSecret', token);
    // The local server offers no TLS; the RDS CA bundle could not vouch for it anyway.
    await expect(master.step('setSecret', token)).rejects.toThrow(/logging in: connecting failed: HANDSHAKE_NO_SSL_SUPPORT/);
    expect(await logsIn(server.info.port, master.username, master.password)).toBe(true);
  });
});

describe('the RotationToken of the event', () => {
  it('is passed to PutSecretValue and never logged', async () => {
    const master = await givenMaster(server);
    const token = master.secrets.startRotation();
    const rotationToken = 'rotation-token-0d1f6c1e-sensitive';
    await master.step('createSecret', token, { RotationToken: rotationToken });
    expect(master.secrets.puts[0]).toMatchObject({ RotationToken: rotationToken });
    await expect(master.step('nonsense', token, { RotationToken: rotationToken })).rejects.toThrow(RotationError);
    expect(master.output.text()).not.toContain(rotationToken);
  });
});

describe('what the function writes and throws', () => {
  it('never holds a password: not in log lines, error messages, stacks or error fields', async () => {
    const masters = await Promise.all([givenMaster(server), givenMaster(server, { privileges: 'none' }), givenMaster(server, { vars: rotationVars(1) })]);
    const [ok, refused, unreachable] = masters;
    await ok!.rotate();
    await ok!.rotate();
    for (const master of [refused!, unreachable!]) {
      const token = master.secrets.startRotation();
      await master.step('createSecret', token);
      await master.step('setSecret', token).catch(() => undefined);
      await master.step('testSecret', token).catch(() => undefined);
    }
    for (const master of masters) {
      const passwords = [...master.secrets.versions.values()].map((v) => JSON.parse(v.value ?? '{}') as { password?: string }).flatMap((v) => (v.password ? [v.password] : []));
      expect(passwords.length).toBeGreaterThanOrEqual(2);
      const text = master.output.text();
      expect(text.length).toBeGreaterThan(0);
      for (const password of passwords) expect(text).not.toContain(password);
    }
    // The failures were recorded, so the check above looked at real error output.
    expect(refused!.output.errors.join('\n')).toMatch(/ER_SPECIFIC_ACCESS_DENIED_ERROR/);
    expect(unreachable!.output.errors.join('\n')).toMatch(/ECONNREFUSED/);
  });
});
