import { type Environment, type RtoBudget, describeRtoBudget, rtoBudget } from '@txn-dr/config';
import { table } from './format';

/**
 * The reference design this replaces: Route 53 moves traffic after detection (30 s x 3) and the
 * alias TTL, but the standby's database stays read-only and its one instance stays alone until
 * someone promotes and scales by hand.
 */
export const REFERENCE_DESIGN = {
  detectionSeconds: 90,
  dnsSeconds: 60,
  text: 'Reference design: traffic moves after ~90 s detection + 60 s TTL, but writes fail until someone promotes the standby database and scales the standby by hand: the recovery time is the time a person takes.',
} as const;

/** The budget of `rtoBudget` (libs/config/src/rto.ts) with its formula, for `dr budget`. */
export interface BudgetView {
  readonly environment: string;
  readonly budget: RtoBudget;
  readonly formula: string;
  readonly reference: typeof REFERENCE_DESIGN;
}

export function budgetView(env: Environment): BudgetView {
  const budget = rtoBudget(env);
  return { environment: env.name, budget, formula: describeRtoBudget(budget), reference: REFERENCE_DESIGN };
}

export function renderBudget(view: BudgetView): string {
  const { budget } = view;
  const rows = budget.phases.map((p) => [p.id, p.onCriticalPath ? String(p.seconds) : `(${p.seconds})`, p.basis]);
  const verdict =
    budget.marginSeconds >= 0
      ? `within the ${budget.objectiveSeconds} s objective, ${budget.marginSeconds} s to spare for paging and starting \`dr failover\``
      : `OVER the ${budget.objectiveSeconds} s objective by ${-budget.marginSeconds} s`;
  return [
    `Worst-case RTO of ${view.environment} after losing the active region (unplanned failover):`,
    table(['phase', 'seconds', 'basis'], rows),
    `total ${budget.totalSeconds} s = ${view.formula}: ${verdict}`,
    '(n): overlapped by a longer phase, not counted',
    'traffic moves when the writable Route 53 health checks flip, with no DNS record change; capacity runs beside promotion, routing and dns',
    'sources:',
    ...budget.phases.map((p) => `  ${p.id}: ${p.source}`),
    view.reference.text,
  ].join('\n');
}
