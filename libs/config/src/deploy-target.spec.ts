import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEPLOYED_ENVIRONMENTS } from './defaults';
import { placeholderZoneName, reservedDomainOf, undeployableZoneReason } from './domains';
import { type EnvironmentOverrides, defineEnvironment, environmentWarnings, knownEnvironments, loadEnvironment } from './environment';
import { ConfigError } from './errors';
import { issuesOf } from '../test/issues';

/**
 * The issues at the fields this file is about (accountId, dns.*), empty when the environment is
 * valid or wrong only elsewhere: the other rules of a deployed environment (its alerts, say) have
 * tests of their own.
 */
function deployIssuesOf(input: EnvironmentOverrides): string[] {
  try {
    defineEnvironment(input);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues.filter((i) => i.field === 'accountId' || i.field.startsWith('dns.')).map((i) => `${i.field}: ${i.message}`);
  }
}

/** A staging or production environment with a valid account and zone, so that each case below changes one thing. */
function deployed(name: string, overrides: Partial<EnvironmentOverrides> = {}): EnvironmentOverrides {
  return { name, accountId: '111111111111', dns: { zoneName: 'dr.payments.acme-corp.com' }, ...overrides };
}

describe('accountId', () => {
  it.each([
    ['eleven digits', '12345678901'],
    ['thirteen digits', '1234567890123'],
    ['hyphens, as the console shows it', '1234-5678-9012'],
    ['letters', '12345678901a'],
    ['spaces around it', ' 123456789012 '],
    ['an ARN', 'arn:aws:iam::123456789012:root'],
    ['empty', ''],
  ])('refuses %s', (_description, accountId) => {
    expect(issuesOf(() => defineEnvironment({ name: 'dev', accountId }))).toEqual([
      'accountId: must be a 12-digit AWS account id such as 123456789012, digits only',
    ]);
  });

  it('accepts twelve digits, leading zeros kept (it is an id, not a number)', () => {
    expect(defineEnvironment({ name: 'dev', accountId: '000123456789' }).accountId).toBe('000123456789');
  });

  it('is optional for dev', () => {
    expect(defineEnvironment({ name: 'dev' }).accountId).toBeUndefined();
  });

  it.each(DEPLOYED_ENVIRONMENTS)('is required for %s', (name) => {
    const { accountId: _omitted, ...rest } = deployed(name);
    expect(deployIssuesOf(rest)).toEqual([
      `accountId: is required for ${name}: set it to the 12-digit id of the AWS account ${name} deploys to, so that no provider can touch another`,
    ]);
  });
});

describe('dns.zoneName', () => {
  it('is a placeholder under example.com when config names none, and marked as one', () => {
    const env = defineEnvironment({ name: 'dev' });
    expect(env.dns).toEqual({ zoneName: 'dr-dev.example.com', recordName: 'app', placeholder: true });
    expect(environmentWarnings(env)).toEqual([
      'dns.zoneName is the placeholder dr-dev.example.com: synth works, a deploy is refused until dns.zoneName names a domain you own',
    ]);
  });

  it('is not a placeholder when config names it, even in dev', () => {
    const env = defineEnvironment({ name: 'dev', dns: { zoneName: 'dr.acme-corp.com' } });
    expect(env.dns).toEqual({ zoneName: 'dr.acme-corp.com', recordName: 'app', placeholder: false });
    expect(environmentWarnings(env)).toEqual([]);
  });

  it('may still be a reserved domain in dev (synth only; the stack runner refuses the deploy)', () => {
    expect(defineEnvironment({ name: 'dev', dns: { zoneName: 'dr.acme.test' } }).dns.zoneName).toBe('dr.acme.test');
  });

  type ZoneCase = [description: string, zoneName: string | undefined, message: string];
  const refusedZones: ZoneCase[] = [
    ['no zone (the placeholder)', undefined, 'is not set, so it would be the example.com placeholder'],
    ['a zone under example.com', 'dr.example.com', 'dr.example.com is under example.com, which is reserved for documentation and testing: nobody owns it, so a zone for it can never be delegated (Route 53 refuses it: "reserved by AWS")'],
    ['the placeholder written out', 'dr-staging.example.com', 'dr-staging.example.com is under example.com'],
    ['example.org itself', 'example.org', 'example.org is under example.org'],
    ['a .test domain', 'dr.acme.test', 'dr.acme.test is under test, which is reserved'],
    ['an .invalid domain', 'dr.invalid', 'dr.invalid is under invalid'],
    ['a .localhost domain', 'dr.localhost', 'dr.localhost is under localhost'],
    ['a .local (multicast DNS) domain', 'dr.corp.local', 'dr.corp.local is under local'],
  ];

  describe.each(DEPLOYED_ENVIRONMENTS)('in %s', (name) => {
    it.each(refusedZones)('refuses %s', (_description, zoneName, message) => {
      const issues = deployIssuesOf(deployed(name, { dns: zoneName === undefined ? {} : { zoneName } }));
      expect(issues).toHaveLength(1);
      expect(issues[0]).toContain(`dns.zoneName: ${message}`);
      expect(issues[0]).toMatch(new RegExp(`; ${name} needs a domain you own: set dns\\.zoneName to it$`));
    });

    it('accepts a domain someone can own with an account, including a domain that merely contains "example"', () => {
      expect(deployIssuesOf(deployed(name, { dns: { zoneName: 'dr.example-payments.com' } }))).toEqual([]);
      expect(deployIssuesOf(deployed(name, { dns: { zoneName: 'dr.acme-corp.com', existingZoneId: 'Z0123456789ABCDEFGHIJ' } }))).toEqual([]);
    });
  });
});

describe('dns.existingZoneId', () => {
  it('is kept for the global stack to look the zone up', () => {
    expect(defineEnvironment({ name: 'dev', dns: { zoneName: 'dr.acme-corp.com', existingZoneId: 'Z0123456789ABCDEFGHIJ' } }).dns.existingZoneId).toBe('Z0123456789ABCDEFGHIJ');
  });

  it.each([
    ['the API form with its prefix', '/hostedzone/Z0123456789ABCDEFGHIJ'],
    ['lower case', 'z0123456789abcdefghij'],
    ['more than 32 characters', `Z${'A'.repeat(32)}`],
    ['empty', ''],
  ])('refuses %s', (_description, existingZoneId) => {
    expect(issuesOf(() => defineEnvironment({ name: 'dev', dns: { existingZoneId } }))).toEqual([
      'dns.existingZoneId: must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (without /hostedzone/)',
    ]);
  });
});

describe('reserved domains', () => {
  it.each([
    ['example.com', 'example.com'],
    ['dr-dev.example.com', 'example.com'],
    ['DR.Example.NET.', 'example.net'],
    ['a.b.example', 'example'],
    ['acme.test', 'test'],
    ['printer.local', 'local'],
  ])('%s is under %s', (name, reserved) => {
    expect(reservedDomainOf(name)).toBe(reserved);
  });

  it.each(['acme-corp.com', 'example-payments.com', 'notexample.com', 'example.com.au', 'testing.io', 'dr.locals.dev'])('%s is ownable', (name) => {
    expect(reservedDomainOf(name)).toBeUndefined();
    expect(undeployableZoneReason(name)).toBeUndefined();
  });

  it('puts every placeholder under one', () => {
    expect(reservedDomainOf(placeholderZoneName('abcdefghijkl'))).toBe('example.com');
  });
});

describe('the environment named by ENVIRONMENT_SUFFIX', () => {
  const dir = mkdtempSync(join(tmpdir(), 'env-known-'));
  writeFileSync(join(dir, 'staging.json'), '{}\n');
  writeFileSync(join(dir, 'production.json'), '{}\n');
  writeFileSync(join(dir, 'notes.txt'), 'not an environment\n');

  it('knows dev and one environment per file', () => {
    expect(knownEnvironments(dir)).toEqual(['dev', 'production', 'staging']);
  });

  it('is dev, from the defaults alone, when unset and when named, with no file', () => {
    expect(loadEnvironment({ env: {}, environmentsDir: dir }).name).toBe('dev');
    expect(loadEnvironment({ env: { ENVIRONMENT_SUFFIX: 'dev' }, environmentsDir: dir }).name).toBe('dev');
  });

  it.each(['stagng', 'prod', 'ci'])('is an error naming the known ones when it is %s, which has no file', (name) => {
    let error: unknown;
    try {
      loadEnvironment({ env: { ENVIRONMENT_SUFFIX: name }, environmentsDir: dir });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      `Invalid environment (ENVIRONMENT_SUFFIX=${name}):\n` +
        `  - name (ENVIRONMENT_SUFFIX): ${name} is not a known environment (no ${join(dir, `${name}.json`)}); the known ones are dev, production, staging. ` +
        `Set ENVIRONMENT_SUFFIX to one of them, add ${name}.json there to define ${name}, or name a file of your own in TXN_DR_CONFIG.`,
    );
  });

  it('still reports a malformed name as malformed, not as unknown', () => {
    expect(issuesOf(() => loadEnvironment({ env: { ENVIRONMENT_SUFFIX: 'averylongsuffix' }, environmentsDir: dir }))).toEqual([
      expect.stringMatching(/^name \(ENVIRONMENT_SUFFIX\): must be 1-12 lowercase letters/),
    ]);
  });

  it('knows only dev in a folder that does not exist', () => {
    expect(knownEnvironments(join(dir, 'missing'))).toEqual(['dev']);
  });
});
