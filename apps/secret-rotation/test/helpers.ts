import { SECRET_ROTATION_ENV } from '@txn-dr/contracts';
import type { MariaDbServer } from '@txn-dr/testing-mariadb';
import { createConnection } from 'mysql2/promise';
import { randomUUID } from 'node:crypto';
import type { Logger } from '@txn-dr/function-runtime';
import { createHandler, type HandlerOptions, type StepResult } from '../src/handler';
import type { RotationStep } from '../src/rotation';
import { SecretsManagerModel } from './secrets-manager-model';

export const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:txdr-dev/db/master-AbCdEf';

/** The function's environment against a local server: plain TCP, which only this setting allows. */
export function rotationVars(port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [SECRET_ROTATION_ENV.secretArn]: SECRET_ARN,
    [SECRET_ROTATION_ENV.dbHost]: '127.0.0.1',
    [SECRET_ROTATION_ENV.dbPort]: String(port),
    [SECRET_ROTATION_ENV.dbTls]: 'off',
    [SECRET_ROTATION_ENV.dbTimeoutMs]: '3000',
    [SECRET_ROTATION_ENV.callTimeoutMs]: '2000',
    ...extra,
  };
}

/** Whether the server takes this user name and password over TCP. */
export async function logsIn(port: number, user: string, password: string): Promise<boolean> {
  try {
    const connection = await createConnection({ host: '127.0.0.1', port, user, password, connectTimeout: 5_000 });
    connection.destroy();
    return true;
  } catch (error) {
    if ((error as { errno?: number }).errno === 1045) return false;
    throw error;
  }
}

/** Every line logged, as the JSON the function writes, and every error thrown. */
export class Output {
  readonly lines: string[] = [];
  readonly errors: string[] = [];
  readonly log: Logger = {
    info: (message, fields) => this.lines.push(JSON.stringify({ level: 'INFO', message, ...fields })),
    error: (message, fields) => this.lines.push(JSON.stringify({ level: 'ERROR', message, ...fields })),
  };

  /** Records an error the way a runtime might print it: message, stack and every own field. */
  record(error: unknown): void {
    const fields = typeof error === 'object' && error !== null ? JSON.stringify(error, Object.getOwnPropertyNames(error)) : String(error);
    this.errors.push(`${String(error)}\n${(error as Error).stack ?? ''}\n${fields}`);
  }

  /** Everything written or thrown, as one text. */
  text(): string {
    return [...this.lines, ...this.errors].join('\n');
  }
}

let accounts = 0;

/** A master user with every privilege on the server, its secret in the model, and a handler over both. */
export interface Master {
  readonly username: string;
  readonly password: string;
  readonly secrets: SecretsManagerModel;
  readonly output: Output;
  readonly handler: (event: unknown) => Promise<StepResult>;
  /** Runs one step for the token through the handler; a thrown error is recorded, then rethrown. */
  step(step: RotationStep | string, token: string, extra?: Record<string, unknown>): Promise<StepResult>;
  /** Starts a rotation (as RotateSecret does) and runs the four steps in order. */
  rotate(): Promise<string>;
  /** The credentials of the version with this label. */
  credentials(stage: string): { username: string; password: string };
}

export async function givenMaster(
  server: MariaDbServer,
  options: { privileges?: 'all' | 'none'; vars?: Record<string, string>; handler?: HandlerOptions } = {},
): Promise<Master> {
  const username = `dr_master_${++accounts}`;
  const password = `initial-${randomUUID()}`;
  const grant = options.privileges === 'none' ? '' : `GRANT ALL PRIVILEGES ON *.* TO '${username}'@'127.0.0.1' WITH GRANT OPTION;`;
  await server.root(`CREATE USER '${username}'@'127.0.0.1' IDENTIFIED BY '${password}';${grant}`);
  // `engine` stands for any field besides the credentials: it must survive the rotation.
  const secrets = new SecretsManagerModel(SECRET_ARN, JSON.stringify({ username, password, engine: 'mysql' }));
  const output = new Output();
  const handler = createHandler({ secrets: secrets.client }, options.vars ?? rotationVars(server.info.port), { log: output.log, ...options.handler });
  const step = async (name: string, token: string, extra: Record<string, unknown> = {}) => {
    try {
      return await handler({ Step: name, SecretId: SECRET_ARN, ClientRequestToken: token, ...extra });
    } catch (error) {
      output.record(error);
      throw error;
    }
  };
  return {
    username,
    password,
    secrets,
    output,
    handler,
    step,
    async rotate() {
      const token = secrets.startRotation();
      for (const name of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await step(name, token);
      return token;
    },
    credentials(stage) {
      return JSON.parse(secrets.valueOf(stage) ?? 'null') as { username: string; password: string };
    },
  };
}
