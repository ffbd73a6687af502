import type { MariaDbServer } from '@txn-dr/testing-mariadb';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { txnMariaDb?: MariaDbServer }).txnMariaDb?.destroy();
}
