import { MariaDbServer } from '@txn-dr/testing-mariadb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildService } from '../scripts/build';
import { discard } from './mariadb';

/**
 * Starts the suite's shared MariaDB and builds the service's artifacts once, for the specs that
 * read or run them (build.spec.ts, server.spec.ts); the build runs while MariaDB starts. Fails the
 * run, with the install hint, if MariaDB is missing.
 */
export default async function globalSetup(): Promise<void> {
  const bundleDir = mkdtempSync(join(tmpdir(), 'txn-bundle-'));
  const [server, build] = await Promise.allSettled([MariaDbServer.create(), buildService(bundleDir)]);
  if (server.status === 'rejected' || build.status === 'rejected') {
    // Jest runs no teardown after a failed setup: leave nothing running or behind.
    await discard(server.status === 'fulfilled' ? server.value : undefined);
    rmSync(bundleDir, { recursive: true, force: true });
    throw server.status === 'rejected' ? server.reason : (build as PromiseRejectedResult).reason;
  }
  Object.assign(globalThis, { txnMariaDb: server.value, txnBundleDir: bundleDir });
  // Jest starts its workers after this, so they inherit the variables.
  process.env['TXN_TEST_MARIADB'] = JSON.stringify(server.value.info);
  process.env['TXN_TEST_BUNDLE_DIR'] = bundleDir;
}
