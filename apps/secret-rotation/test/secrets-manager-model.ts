import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
  type GetRandomPasswordCommandInput,
  type PutSecretValueCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { randomInt, randomUUID } from 'node:crypto';

const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';
const PREVIOUS = 'AWSPREVIOUS';

interface Version {
  value?: string;
  readonly stages: Set<string>;
}

const meta = { $metadata: {} };

/**
 * One secret as Secrets Manager keeps it, behind a mocked client: versions with values and staging
 * labels, the rules the API reference gives for each call the rotation makes, and RotateSecret's
 * start of a rotation (an AWSPENDING version id with no value yet, as DescribeSecret's
 * VersionIdsToStages describes). Labels move as documented: one version per label, AWSPREVIOUS
 * following AWSCURRENT.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UpdateSecretVersionStage.html
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html
 */
export class SecretsManagerModel {
  readonly client = new SecretsManagerClient({ region: 'us-east-1' });
  /** The client's stub, to inject failures (`mock.on(Command).rejectsOnce(...)`) and read calls. */
  readonly mock: AwsClientStub<SecretsManagerClient>;
  rotationEnabled = true;
  readonly versions = new Map<string, Version>();
  /** Every GetRandomPassword request, to check what was asked for. */
  readonly passwordRequests: GetRandomPasswordCommandInput[] = [];
  /** Every PutSecretValue request. */
  readonly puts: PutSecretValueCommandInput[] = [];
  private readonly failures = new Map<string, Error[]>();

  constructor(
    readonly arn: string,
    initialValue: string,
  ) {
    this.versions.set(randomUUID(), { value: initialValue, stages: new Set([CURRENT]) });
    const stub = mockClient(this.client);
    const failing = <I, O>(name: string, call: (input: I) => O) => (input: I) => {
      const failure = this.failures.get(name)?.shift();
      if (failure) throw failure;
      return call(input);
    };
    stub.on(DescribeSecretCommand).callsFake(failing('DescribeSecret', (input: { SecretId?: string }) => this.describe(input.SecretId)));
    stub.on(GetSecretValueCommand).callsFake(failing('GetSecretValue', (input: { SecretId?: string; VersionId?: string; VersionStage?: string }) => this.getValue(input)));
    stub.on(PutSecretValueCommand).callsFake(failing('PutSecretValue', (input: PutSecretValueCommandInput) => this.put(input)));
    stub.on(UpdateSecretVersionStageCommand).callsFake(
      failing('UpdateSecretVersionStage', (input: { SecretId?: string; VersionStage?: string; MoveToVersionId?: string; RemoveFromVersionId?: string }) => this.updateStage(input)),
    );
    stub.on(GetRandomPasswordCommand).callsFake(failing('GetRandomPassword', (input: GetRandomPasswordCommandInput) => this.randomPassword(input)));
    this.mock = stub;
  }

  /** The next call of the operation fails with `error`; later ones behave again. */
  failNext(operation: 'DescribeSecret' | 'GetSecretValue' | 'PutSecretValue' | 'UpdateSecretVersionStage' | 'GetRandomPassword', error: Error): void {
    this.failures.set(operation, [...(this.failures.get(operation) ?? []), error]);
  }

  /** What RotateSecret does before it invokes createSecret: a new version id staged AWSPENDING, with no value. */
  startRotation(token: string = randomUUID()): string {
    const pending = this.versionWith(PENDING);
    if (pending && !this.versions.get(pending)!.stages.has(CURRENT)) {
      throw new InvalidRequestException({ ...meta, message: 'A previous rotation isn\'t complete. That rotation will be reattempted.' });
    }
    this.moveLabel(PENDING, token);
    return token;
  }

  /** The version id that holds a label. */
  versionWith(stage: string): string | undefined {
    return [...this.versions].find(([, version]) => version.stages.has(stage))?.[0];
  }

  /** The value of the version that holds a label. */
  valueOf(stage: string): string | undefined {
    const id = this.versionWith(stage);
    return id === undefined ? undefined : this.versions.get(id)!.value;
  }

  /** Labels by version id, as DescribeSecret lists them (versions without labels are left out). */
  stages(): Record<string, string[]> {
    return Object.fromEntries([...this.versions].filter(([, v]) => v.stages.size > 0).map(([id, v]) => [id, [...v.stages].sort()]));
  }

  private describe(secretId: string | undefined) {
    this.find(secretId);
    return { ...meta, ARN: this.arn, Name: this.arn.split(':secret:')[1], RotationEnabled: this.rotationEnabled, VersionIdsToStages: this.stages() };
  }

  private getValue(input: { SecretId?: string; VersionId?: string; VersionStage?: string }) {
    this.find(input.SecretId);
    const id = input.VersionId ?? this.versionWith(input.VersionStage ?? CURRENT);
    const version = id === undefined ? undefined : this.versions.get(id);
    // Both given: they must name the same version.
    if (!version || version.value === undefined || (input.VersionStage !== undefined && !version.stages.has(input.VersionStage))) {
      throw new ResourceNotFoundException({ ...meta, message: `Secrets Manager can't find the specified secret value for ${input.VersionId ? `VersionId: ${input.VersionId}` : `staging label: ${input.VersionStage ?? CURRENT}`}` });
    }
    return { ...meta, ARN: this.arn, VersionId: id, SecretString: version.value, VersionStages: [...version.stages] };
  }

  private put(input: PutSecretValueCommandInput) {
    this.find(input.SecretId);
    this.puts.push(input);
    const token = input.ClientRequestToken ?? randomUUID();
    const existing = this.versions.get(token);
    if (existing?.value !== undefined) {
      if (existing.value !== input.SecretString) throw new ResourceExistsException({ ...meta, message: `A resource with the ID you requested already exists.` });
      return { ...meta, ARN: this.arn, VersionId: token, VersionStages: [...existing.stages] };
    }
    this.versions.set(token, { value: input.SecretString, stages: existing?.stages ?? new Set() });
    for (const stage of input.VersionStages ?? [CURRENT]) this.moveLabel(stage, token);
    return { ...meta, ARN: this.arn, VersionId: token, VersionStages: [...this.versions.get(token)!.stages] };
  }

  private updateStage(input: { SecretId?: string; VersionStage?: string; MoveToVersionId?: string; RemoveFromVersionId?: string }) {
    this.find(input.SecretId);
    const stage = input.VersionStage!;
    const holder = this.versionWith(stage);
    if (input.MoveToVersionId && !this.versions.has(input.MoveToVersionId)) throw new ResourceNotFoundException({ ...meta, message: 'no such version' });
    // A label attached elsewhere moves only when the caller names the version it leaves.
    if (input.MoveToVersionId && holder !== undefined && holder !== input.MoveToVersionId && holder !== input.RemoveFromVersionId) {
      throw new InvalidParameterException({ ...meta, message: `The staging label ${stage} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.` });
    }
    if (input.MoveToVersionId) this.moveLabel(stage, input.MoveToVersionId);
    else if (input.RemoveFromVersionId) this.versions.get(input.RemoveFromVersionId)?.stages.delete(stage);
    return { ...meta, ARN: this.arn };
  }

  private randomPassword(input: GetRandomPasswordCommandInput) {
    this.passwordRequests.push(input);
    const excluded = new Set(input.ExcludeCharacters ?? '');
    const classes = [
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      'abcdefghijklmnopqrstuvwxyz',
      '0123456789',
      '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
    ].map((chars) => [...chars].filter((c) => !excluded.has(c)));
    const all = classes.flat();
    const pick = (from: string[]) => from[randomInt(0, from.length)]!;
    const length = input.PasswordLength ?? 32;
    // One of each class first when asked for, then any; the order does not matter to the tests.
    const required = input.RequireEachIncludedType === false ? [] : classes.map(pick);
    const rest = Array.from({ length: length - required.length }, () => pick(all));
    return { ...meta, RandomPassword: [...required, ...rest].join('') };
  }

  /** Attaches a label to one version, taking it from any other; AWSPREVIOUS follows AWSCURRENT. */
  private moveLabel(stage: string, to: string): void {
    const from = this.versionWith(stage);
    if (!this.versions.has(to)) this.versions.set(to, { stages: new Set() });
    if (from === to) return;
    if (from !== undefined) this.versions.get(from)!.stages.delete(stage);
    this.versions.get(to)!.stages.add(stage);
    if (stage === CURRENT && from !== undefined) this.moveLabel(PREVIOUS, from);
  }

  private find(secretId: string | undefined): void {
    const name = this.arn.split(':secret:')[1]!;
    if (secretId !== this.arn && secretId !== name) throw new ResourceNotFoundException({ ...meta, message: 'Secrets Manager can\'t find the specified secret.' });
  }
}
