import type { Currency } from '../src/money';
import type { NewTransaction } from '../src/transactions';

/** What every scenario that writes sends: request `n` is the same for the service and the ceiling. */
export interface Workload {
  /** Distinguishes this run's idempotency keys from any other's. */
  readonly runId: string;
  /** Accounts the writes are spread over, round-robin. */
  readonly accounts: number;
}

const CURRENCY: Currency = 'EUR';

/** Request number `n`: a unique idempotency key and a valid transaction. */
export function transactionFor(workload: Workload, n: number): { readonly key: string; readonly input: NewTransaction } {
  return {
    key: `bench-${workload.runId}-${n}`,
    input: {
      accountId: `bench-acct-${n % workload.accounts}`,
      // 1..100000 minor units, varied so that balances are not all alike.
      amountMinor: 1 + ((n * 7_919) % 100_000),
      currency: CURRENCY,
      reference: `bench ${workload.runId} #${n}`,
    },
  };
}
