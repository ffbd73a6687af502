import { MariaDbServer } from '@txn-dr/testing-mariadb';

/** Starts the suite's shared MariaDB; fails the run, with the install hint, if MariaDB is missing. */
export default async function globalSetup(): Promise<void> {
  const server = await MariaDbServer.create();
  (globalThis as { txnMariaDb?: MariaDbServer }).txnMariaDb = server;
  // Jest starts its workers after this, so they inherit the variable.
  process.env['TXN_TEST_MARIADB'] = JSON.stringify(server.info);
}
