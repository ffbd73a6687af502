import { randomBytes } from 'node:crypto';
import { DR_ROLES, type DrRole } from '@txn-dr/config';
import { MAX_WEIGHT, isWeight } from './options';

/** An error Route 53's API would answer with: its code, and the HTTP status it comes with. */
export class Route53ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = 'Route53ApiError';
  }
}

/**
 * The control plane is down (the drill's us-east-1 outage). AWS APIs answer a temporary failure
 * with ServiceUnavailable, HTTP 503, "The request has failed due to a temporary failure of the
 * server": https://docs.aws.amazon.com/autoscaling/ec2/APIReference/CommonErrors.html (errors common
 * to all AWS services)
 */
export class ControlPlaneUnavailableError extends Route53ApiError {
  /** Names the injected fault, so a drill's log says why the call failed. */
  readonly fault = 'route53-control-plane-unavailable';
  constructor() {
    super('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.', 503);
    this.name = 'ControlPlaneUnavailableError';
  }
}

export class NoSuchChangeError extends Route53ApiError {
  constructor(id: string) {
    super('NoSuchChange', `A change with the specified change ID does not exist: ${id}`, 404);
    this.name = 'NoSuchChangeError';
  }
}

export class InvalidChangeError extends Route53ApiError {
  constructor(message: string) {
    super('InvalidInput', message, 400);
    this.name = 'InvalidChangeError';
  }
}

/**
 * PENDING: not yet on every Route 53 authoritative server, and so not answered yet; INSYNC: on all
 * of them. https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html
 */
export type ChangeStatus = 'PENDING' | 'INSYNC';

export interface ChangeInfo {
  readonly id: string;
  readonly status: ChangeStatus;
  /** ISO time of submission. */
  readonly submittedAt: string;
  readonly weights: Readonly<Record<DrRole, number>>;
}

interface Change {
  readonly id: string;
  readonly weights: Readonly<Record<DrRole, number>>;
  readonly submittedAt: number;
  readonly insyncAt: number;
}

/**
 * Route 53's control plane for the pair of weighted records: weight changes that go PENDING, then
 * INSYNC after `propagationMs` (only then does the data plane answer with them), and the outage
 * switch. The control plane of Route 53 lives in us-east-1 and its health checks belong to the data
 * plane, so an outage stops changes and reads but never checks or answers:
 * https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/global-services.html
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/best-practices-dns.html ("Use data plane
 * functions for DNS failover")
 *
 * State is computed from the clock when read, so there is no timer to stop and an injected clock
 * moves changes to INSYNC. A change accepted before an outage keeps propagating through it: its
 * distribution is already under way, and the drill would otherwise be kinder than it need be to a
 * runbook that changed weights just before the outage.
 */
export class ControlPlane {
  private readonly changes = new Map<string, Change>();
  private available = true;

  constructor(
    private readonly initialWeights: Readonly<Record<DrRole, number>>,
    private readonly propagationMs: number,
    private readonly now: () => number,
  ) {}

  get isAvailable(): boolean {
    return this.available;
  }

  setAvailable(available: boolean): void {
    this.available = available;
  }

  /** Throws the 503 of an outage; every API call starts here. */
  assertAvailable(): void {
    if (!this.available) throw new ControlPlaneUnavailableError();
  }

  /** The weights the data plane answers with now: the initial ones, then every INSYNC change in order. */
  weights(): Record<DrRole, number> {
    const now = this.now();
    const weights = { ...this.initialWeights };
    for (const change of this.changes.values()) {
      if (change.insyncAt <= now) Object.assign(weights, change.weights);
    }
    return weights;
  }

  /** ChangeResourceRecordSets for both weighted records at once. */
  submit(weights: unknown): ChangeInfo {
    this.assertAvailable();
    const checked = validWeights(weights);
    const submittedAt = this.now();
    const change: Change = { id: `C${randomBytes(7).toString('hex').toUpperCase()}`, weights: checked, submittedAt, insyncAt: submittedAt + this.propagationMs };
    this.changes.set(change.id, change);
    return this.info(change);
  }

  /** GetChange. */
  get(id: string): ChangeInfo {
    this.assertAvailable();
    const change = this.changes.get(id);
    if (!change) throw new NoSuchChangeError(id);
    return this.info(change);
  }

  /** Ids of the changes not yet INSYNC, oldest first. */
  pending(): string[] {
    const now = this.now();
    return [...this.changes.values()].filter((c) => c.insyncAt > now).map((c) => c.id);
  }

  private info(change: Change): ChangeInfo {
    return {
      id: change.id,
      status: change.insyncAt <= this.now() ? 'INSYNC' : 'PENDING',
      submittedAt: new Date(change.submittedAt).toISOString(),
      weights: change.weights,
    };
  }
}

function validWeights(weights: unknown): Record<DrRole, number> {
  if (typeof weights !== 'object' || weights === null) throw new InvalidChangeError('weights: must be an object with a weight per role');
  const given = weights as Record<string, unknown>;
  const problems = [
    ...DR_ROLES.filter((role) => !isWeight(given[role])).map((role) => `weights.${role}: ${JSON.stringify(given[role])} must be a whole number from 0 to ${MAX_WEIGHT}`),
    ...Object.keys(given)
      .filter((key) => !(DR_ROLES as readonly string[]).includes(key))
      .map((key) => `weights.${key}: not a record of this pair (${DR_ROLES.join(', ')})`),
  ];
  if (problems.length > 0) throw new InvalidChangeError(problems.join('; '));
  return Object.fromEntries(DR_ROLES.map((role) => [role, given[role] as number])) as Record<DrRole, number>;
}
