import { rmSync } from 'node:fs';
import type { MariaDbServer } from '@txn-dr/testing-mariadb';
import { discard } from './mariadb';

export default async function globalTeardown(): Promise<void> {
  const suite = globalThis as { txnMariaDb?: MariaDbServer; txnBundleDir?: string };
  if (suite.txnBundleDir !== undefined) rmSync(suite.txnBundleDir, { recursive: true, force: true });
  await discard(suite.txnMariaDb);
}
