import { ENVIRONMENT_DIGEST_FILE, environmentDigest, loadEnvironment } from '@txn-dr/config';
import { Testing, type TerraformStack } from 'cdktf';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A synthesized stack as Terraform reads it. */
export interface SynthesizedStack {
  readonly terraform: {
    readonly required_version?: string;
    readonly backend?: Record<string, Record<string, unknown>>;
    readonly required_providers?: Record<string, unknown>;
  };
  readonly provider?: Record<string, Record<string, unknown>[]>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { readonly value: unknown }>;
  readonly [block: string]: unknown;
}

/** Synthesizes a stack the way `cdktf synth` does, validations included, and parses it. */
export function synthesize(stack: TerraformStack): SynthesizedStack {
  return JSON.parse(Testing.synth(stack, true)) as SynthesizedStack;
}

/** Every resource of one type, by logical id (empty when there is none). */
export function resourcesOfType(json: SynthesizedStack, type: string): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

/** The one resource of a type; fails when there are none or several, so a test cannot pass vacuously. */
export function onlyResource(json: SynthesizedStack, type: string): Record<string, unknown> {
  const found = Object.values(resourcesOfType(json, type));
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0]!;
}

export interface AppRun {
  readonly status: number | null;
  readonly stderr: string;
  /** The output folder the app was pointed at (it may not exist, when synth stopped early). */
  readonly outdir: string;
  /** The synthesized stack, when one was written. */
  readonly stack?: SynthesizedStack;
}

/**
 * Runs a stack app's main.ts as `nx run <stack>:synth` does, in a child process with only the
 * given variables (plus PATH), writing into a fresh temporary folder.
 */
export function runStackMain(projectDir: string, stackName: string, vars: Record<string, string> = {}): AppRun {
  const outdir = join(mkdtempSync(join(tmpdir(), 'synth-')), 'cdktf.out');
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectDir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', CHECKPOINT_DISABLE: '1', CDKTF_OUTDIR: outdir, ...vars },
  });
  const file = join(outdir, 'stacks', stackName, 'cdk.tf.json');
  return {
    status: result.status,
    stderr: result.stderr,
    outdir,
    ...(existsSync(file) ? { stack: JSON.parse(readFileSync(file, 'utf8')) as SynthesizedStack } : {}),
  };
}

/**
 * The checks every stack app owes: it synthesizes its stack with its own state key, dev's
 * providers accept any account (dev names none), and invalid config (a malformed or unknown
 * environment) stops it before anything is written, with the field named. Returns the dev run
 * (after the file's `beforeAll`), so a stack's own checks of dev need no synth of their own.
 */
export function describeStackApp(projectDir: string, stackName: string): () => AppRun {
  // One synth of dev (the default environment) serves every check of it.
  let dev: AppRun | undefined;
  // At the top of the file, not in the suite: the stack's own checks of dev run even when picked alone.
  beforeAll(() => {
    dev = runStackMain(projectDir, stackName, { TERRAFORM_STATE_BUCKET: 'acme-tf-state' });
  });
  describe(`the stack-${stackName} app`, () => {

    it('synthesizes its stack with its own state key, saying that the zone is a placeholder', () => {
      expect(dev!.stderr).toBe('warning: dns.zoneName is the placeholder dr-dev.example.com: synth works, a deploy is refused until dns.zoneName names a domain you own\n');
      expect(dev!.status).toBe(0);
      expect(dev!.stack?.terraform.backend).toEqual({
        s3: expect.objectContaining({ bucket: 'acme-tf-state', key: `dev/${stackName}.tfstate`, encrypt: true, use_lockfile: true }),
      });
      // Beside it, what it was made from: a deploy refuses a synth of other settings (a replayed cache).
      expect(readFileSync(join(dev!.outdir, ENVIRONMENT_DIGEST_FILE), 'utf8')).toBe(`${environmentDigest(loadEnvironment({ env: { TERRAFORM_STATE_BUCKET: 'acme-tf-state' } }))}\n`);
    });

    it('holds no literal secret', () => {
      expect(dev!.stack).toBeDefined();
      expect(literalSecrets(dev!.stack!)).toEqual([]);
    });

    it('leaves its providers open to any account in dev, which names none', () => {
      const providers = dev!.stack?.provider?.aws ?? [];
      expect(providers.length).toBeGreaterThanOrEqual(2);
      for (const provider of providers) expect(provider).not.toHaveProperty('allowed_account_ids');
    });

    // That staging's and production's stacks lock every provider to their account is checked on
    // the policy suite's synth of every environment (libs/policy/suite), not by more synths here.

    it.each([
      ['a malformed environment', 'Not_Valid', /name \(ENVIRONMENT_SUFFIX\): must be 1-12 lowercase/],
      ['an environment with no file', 'stagin', /name \(ENVIRONMENT_SUFFIX\): stagin is not a known environment .*the known ones are dev, .*staging/],
    ])('stops on %s before anything is written, naming the field', (_description, suffix, message) => {
      const run = runStackMain(projectDir, stackName, { ENVIRONMENT_SUFFIX: suffix });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(existsSync(run.outdir)).toBe(false);
    });
  });
  return () => {
    if (dev === undefined) throw new Error('the dev synth runs in beforeAll: read it from a test');
    return dev;
  };
}

/**
 * The block a whole-value reference such as `${data.aws_iam_policy_document.x.json}` or
 * `${aws_kms_key.y.arn}` points at, so tests follow references as Terraform does instead of
 * guessing hashed logical ids.
 */
export function followReference(json: SynthesizedStack, reference: unknown): Record<string, unknown> {
  const match = typeof reference === 'string' ? /^\$\{(data\.)?([a-z0-9_]+)\.([^.}]+)(?:\.[^}]*)?\}$/.exec(reference) : null;
  if (!match) throw new Error(`not a whole-value reference: ${String(reference)}`);
  const [, data, type, name] = match;
  const block = (data ? json.data : json.resource)?.[type!]?.[name!];
  if (!block) throw new Error(`reference to nothing: ${String(reference)}`);
  return block;
}

/** Attribute names that would hold a secret if given a literal value. */
const SECRET_ATTRIBUTE = /password|secret|token|private_key|access_key/i;
/** Attributes whose names match but that never hold one: identifiers, version counters, settings. */
const NOT_SECRET_ATTRIBUTES = new Set(['secret_id', 'http_tokens']);
/** Values that are credentials whatever their attribute: AWS access key ids and PEM private keys. */
const SECRET_VALUE = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/**
 * Every place in a synthesized stack where a secret appears as a literal: a password, secret or
 * token attribute whose value is not a Terraform expression, or any value shaped like an access
 * key or private key. Returns their paths; an empty list is what every stack must give.
 */
export function literalSecrets(json: SynthesizedStack): string[] {
  const found: string[] = [];
  const visit = (value: unknown, path: string[]): void => {
    if (typeof value === 'string') {
      const key = path[path.length - 1] ?? '';
      const isExpression = value.includes('${');
      if ((SECRET_ATTRIBUTE.test(key) && !NOT_SECRET_ATTRIBUTES.has(key) && !isExpression && value !== '') || SECRET_VALUE.test(value)) {
        found.push(path.join('.'));
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...path, String(index)]));
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) if (key !== '//') visit(item, [...path, key]);
    }
  };
  visit(json, []);
  return found;
}
