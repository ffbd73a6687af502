/**
 * Starting and removing the tests' private MariaDB servers. Kept apart from helpers.ts, which
 * loads the service, so that the global setup and teardown load no more than they use.
 */
import { MariaDbServer } from '@txn-dr/testing-mariadb';

/**
 * `count` private servers, created side by side, for a spec file whose tests stop, freeze or switch
 * a server read-only, which the suite's shared server must never be. If one fails to start, the
 * others are removed before the error is thrown.
 */
export async function createServers(count: number): Promise<MariaDbServer[]> {
  const created = await Promise.allSettled(Array.from({ length: count }, () => MariaDbServer.create()));
  const servers = created.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
  const failure = created.find((c) => c.status === 'rejected');
  if (failure !== undefined) {
    await discard(...servers);
    throw failure.reason;
  }
  return servers;
}

/** Shuts the servers down and removes their directories, side by side. */
export async function discard(...servers: ReadonlyArray<MariaDbServer | undefined>): Promise<void> {
  await Promise.all(servers.map((server) => server?.destroy()));
}
