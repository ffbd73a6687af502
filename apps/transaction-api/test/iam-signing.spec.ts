/**
 * Which host and region an IAM token is signed for: the cluster endpoint the data endpoint leads
 * to, and the region in its name. Through the global writer endpoint that is the writer's cluster,
 * in whichever region the writer is; the DNS answers are injected.
 */
import type { SignerConfig } from '@aws-sdk/rds-signer';
import { clusterEndpointRegion, credentialProvider, iamCredentials, signingTarget, type CnameResolver, type TokenSigner } from '../src/credentials';

const GLOBAL = 'txdr-dev-global.global-abc123.global.rds.amazonaws.com';
const PRIMARY = 'txdr-dev-primary.cluster-c1abc2def3gh.us-east-1.rds.amazonaws.com';
const SECONDARY = 'txdr-dev-secondary.cluster-c9xyz8wvu7ts.us-east-2.rds.amazonaws.com';

/** DNS as a table of CNAME records; a name without one answers ENODATA, as node:dns does. */
function dns(records: Record<string, string>) {
  const asked: string[] = [];
  const resolve: CnameResolver = (host) => {
    asked.push(host);
    const target = records[host];
    return target === undefined ? Promise.reject(Object.assign(new Error(`queryCname ENODATA ${host}`), { code: 'ENODATA' })) : Promise.resolve([target]);
  };
  return { resolve, asked, records };
}

/** A signer that hands out tokens naming what they were signed for, and remembers it. */
function fakeSigners() {
  const made: SignerConfig[] = [];
  let signed = 0;
  const factory = (config: SignerConfig): TokenSigner => {
    made.push(config);
    return { getAuthToken: () => Promise.resolve(`${config.hostname}:${config.port}@${String(config.region)}#${++signed}`) };
  };
  return { made, factory };
}

describe('clusterEndpointRegion', () => {
  it.each([
    [PRIMARY, 'us-east-1'],
    [SECONDARY, 'us-east-2'],
    ['db.cluster-ro-abc123.eu-central-1.rds.amazonaws.com', 'eu-central-1'],
    ['DB.Cluster-ABC123.US-WEST-2.RDS.AMAZONAWS.COM.', 'us-west-2'],
    ['db.cluster-abc123.us-gov-west-1.rds.amazonaws.com', 'us-gov-west-1'],
    ['db.cluster-abc123.cn-north-1.rds.amazonaws.com.cn', 'cn-north-1'],
  ])('%s is a cluster endpoint in %s', (host, region) => {
    expect(clusterEndpointRegion(host)).toBe(region);
  });

  it.each([
    [GLOBAL, 'the global writer endpoint names no region'],
    ['db.cluster-custom-abc123.us-east-1.rds.amazonaws.com', 'a custom endpoint is not signed for'],
    ['db-1.abc123.us-east-1.rds.amazonaws.com', 'an instance endpoint'],
    ['db.example.com', 'a name of our own'],
    ['127.0.0.1', 'an address'],
  ])('%s is not (%s)', (host) => {
    expect(clusterEndpointRegion(host)).toBeUndefined();
  });
});

describe('signingTarget', () => {
  it('signs for a cluster endpoint as it is, in its own region, without asking DNS', async () => {
    const world = dns({});
    await expect(signingTarget(SECONDARY, 'us-east-1', world.resolve)).resolves.toEqual({ host: SECONDARY, region: 'us-east-2' });
    expect(world.asked).toEqual([]);
  });

  it('follows the global writer endpoint to the writer\'s cluster endpoint, in that cluster\'s region', async () => {
    const world = dns({ [GLOBAL]: PRIMARY });
    await expect(signingTarget(GLOBAL, 'us-east-1', world.resolve)).resolves.toEqual({ host: PRIMARY, region: 'us-east-1' });
    // After a switchover Aurora points the alias at the other region's cluster.
    world.records[GLOBAL] = SECONDARY;
    await expect(signingTarget(GLOBAL, 'us-east-1', world.resolve)).resolves.toEqual({ host: SECONDARY, region: 'us-east-2' });
    expect(world.asked).toEqual([GLOBAL, GLOBAL]);
  });

  it('follows a chain of aliases, with the trailing dot and case DNS may give', async () => {
    const world = dns({ 'db.example.com': GLOBAL, [GLOBAL]: `${SECONDARY.toUpperCase()}.` });
    await expect(signingTarget('db.example.com', 'us-east-1', world.resolve)).resolves.toEqual({ host: SECONDARY, region: 'us-east-2' });
  });

  it.each([
    ['no CNAME at all', dns({}).resolve],
    ['no answer in time', (() => Promise.reject(Object.assign(new Error('queryCname ETIMEOUT'), { code: 'ETIMEOUT' }))) as CnameResolver],
    ['an empty answer', (() => Promise.resolve([])) as CnameResolver],
    ['an alias to a name that leads nowhere', dns({ [GLOBAL]: 'elsewhere.example.com' }).resolve],
  ])('signs for the name as given, in the instance\'s region, on %s', async (_what, resolve) => {
    await expect(signingTarget(GLOBAL, 'us-east-1', resolve)).resolves.toEqual({ host: GLOBAL, region: 'us-east-1' });
  });

  it('asks nothing for an address', async () => {
    const world = dns({});
    await expect(signingTarget('127.0.0.1', 'us-east-1', world.resolve)).resolves.toEqual({ host: '127.0.0.1', region: 'us-east-1' });
    expect(world.asked).toEqual([]);
  });

  it('gives up on a loop of aliases after a few hops', async () => {
    const world = dns({ 'a.example.com': 'b.example.com', 'b.example.com': 'a.example.com' });
    await expect(signingTarget('a.example.com', 'us-east-1', world.resolve)).resolves.toEqual({ host: 'a.example.com', region: 'us-east-1' });
    expect(world.asked).toHaveLength(4);
  });
});

describe('iamCredentials through the global writer endpoint', () => {
  const target = { host: GLOBAL, port: 3306 };

  it('signs for the writer\'s cluster and region, and for the other one once the alias moves there', async () => {
    const world = dns({ [GLOBAL]: PRIMARY });
    const signers = fakeSigners();
    const credentials = iamCredentials({ user: 'txn_service', region: 'us-east-1', signer: signers.factory, resolveCname: world.resolve });
    expect((await credentials.credential(target)).password).toBe(`${PRIMARY}:3306@us-east-1#1`);
    // A new connection while the writer stays: the same token.
    expect((await credentials.credential(target)).password).toBe(`${PRIMARY}:3306@us-east-1#1`);

    world.records[GLOBAL] = SECONDARY;
    // The next new connection, fresh or not, lands on the secondary's cluster: a token for it, at once.
    expect(await credentials.credential(target)).toEqual({ user: 'txn_service', password: `${SECONDARY}:3306@us-east-2#2` });
    expect(signers.made).toEqual([
      { hostname: PRIMARY, port: 3306, username: 'txn_service', region: 'us-east-1' },
      { hostname: SECONDARY, port: 3306, username: 'txn_service', region: 'us-east-2' },
    ]);
  });

  it('shares one DNS answer among the concurrent new connections of a pool', async () => {
    const world = dns({ [GLOBAL]: SECONDARY });
    const signers = fakeSigners();
    const credentials = iamCredentials({ user: 'txn_service', region: 'us-east-1', signer: signers.factory, resolveCname: world.resolve });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => credentials.credential(target)));
    expect(new Set(tokens.map((t) => t.password))).toEqual(new Set([`${SECONDARY}:3306@us-east-2#1`]));
    expect(world.asked).toEqual([GLOBAL]);
  });

  it('says which cluster, through which endpoint, it cannot sign for', async () => {
    const credentials = iamCredentials({
      user: 'txn_service',
      region: 'us-east-1',
      resolveCname: dns({ [GLOBAL]: SECONDARY }).resolve,
      signer: () => ({ getAuthToken: () => Promise.reject(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })) }),
    });
    await expect(credentials.credential(target)).rejects.toThrow(
      `cannot sign an IAM database token for txn_service at ${SECONDARY}:3306 (through ${GLOBAL}) in us-east-2: CredentialsProviderError: Could not load credentials from any providers`,
    );
  });

  it('is what credentialProvider makes for DB_AUTH=iam, with the resolver it is given', async () => {
    const world = dns({ [GLOBAL]: SECONDARY });
    const signers = fakeSigners();
    const provider = credentialProvider({ kind: 'iam', user: 'txn_service' }, { region: 'us-east-1', secrets: () => undefined as never, signer: signers.factory, resolveCname: world.resolve });
    await provider.credential(target);
    expect(signers.made).toEqual([{ hostname: SECONDARY, port: 3306, username: 'txn_service', region: 'us-east-2' }]);
  });
});
