import type { Stack } from './stack';

/** A block of a Terraform JSON document: `resource`, `data` or `ephemeral`, by type then name. */
export type TfBlocks = Record<string, Record<string, Record<string, unknown>>>;

/** The parts of a synthesized `cdk.tf.json` the policies read. */
export interface TfJson {
  readonly resource?: TfBlocks;
  readonly data?: TfBlocks;
  readonly ephemeral?: TfBlocks;
  readonly provider?: Record<string, Record<string, unknown> | Record<string, unknown>[]>;
  readonly [key: string]: unknown;
}

export type Mode = 'resource' | 'data' | 'ephemeral';

/** One resource, data source or ephemeral resource of a stack. */
export interface Resource {
  /** `type.name` for resources, `data.type.name` / `ephemeral.type.name` for the others. */
  readonly address: string;
  readonly mode: Mode;
  readonly type: string;
  readonly name: string;
  /** Its arguments, as synthesized (without cdktf's `//` metadata). */
  readonly body: Record<string, unknown>;
  /** The construct path cdktf records in `//.metadata.path` (`primary/database/instance-1`), if any. */
  readonly path?: string;
  /** The suppressions written beside the construct (read by `readSuppressions` in `suppressions.ts`). */
  readonly suppressions: readonly PolicySuppression[];
}

/** An accepted deviation as written on the resource it excuses: the rule it silences, and why. */
export interface PolicySuppression {
  /** The id of the rule, e.g. `s3-sse-kms`. */
  readonly id: string;
  /** Why the deviation is accepted here: what makes the rule not fit this resource. */
  readonly reason: string;
}

export type Severity = 'critical' | 'high' | 'medium' | 'low';

export type Outcome =
  | { readonly status: 'pass' }
  | { readonly status: 'fail'; readonly reason: string }
  | { readonly status: 'n/a'; readonly reason?: string };

export const pass = (): Outcome => ({ status: 'pass' });
export const fail = (reason: string): Outcome => ({ status: 'fail', reason });
export const na = (reason?: string): Outcome => (reason === undefined ? { status: 'n/a' } : { status: 'n/a', reason });

/** What a rule is and where it comes from, shared by both kinds of rule. */
interface RuleInfo {
  /** Stable id, e.g. `ec2-imdsv2`. */
  readonly id: string;
  /** The Checkov or cdk-nag rule this one mirrors, or null when it is our own. */
  readonly mirrors: string | null;
  readonly title: string;
  readonly severity: Severity;
}

/** A rule evaluated once per resource of the listed types, with the stack around it. */
export interface ResourceRule extends RuleInfo {
  readonly kind: 'resource';
  /** Resource types (or `data.type` for data sources) the rule applies to. */
  readonly resourceTypes: readonly string[];
  check(resource: Resource, ctx: Stack): Outcome;
}

/** One result of a stack-level rule: which stack and resource it is about. */
export interface StackFinding {
  readonly stack: string;
  readonly resource: string;
  readonly outcome: Outcome;
}

/** A rule over every stack at once (cross-region comparisons and presence checks). */
export interface StacksRule extends RuleInfo {
  readonly kind: 'stacks';
  check(stacks: readonly Stack[]): StackFinding[];
}

export type Rule = ResourceRule | StacksRule;

/** A suppression found in a stack: one rule, on one resource of one stack, and why. */
export interface Suppression {
  readonly rule: string;
  readonly stack: string;
  /** The resource's address, `type.name`. */
  readonly resource: string;
  /** The construct path of the resource, when cdktf recorded it. */
  readonly path?: string;
  readonly reason: string;
}

export type ResultStatus = 'PASS' | 'FAIL' | 'SUPPRESSED' | 'N/A';

/** One row of a report. */
export interface Finding {
  readonly rule: string;
  readonly mirrors: string | null;
  readonly severity: Severity;
  readonly stack: string;
  readonly resource: string;
  readonly result: ResultStatus;
  /** Why it failed (also kept for suppressed failures), or why it does not apply. */
  readonly reason?: string;
  /** The accepted reason, for suppressed findings. */
  readonly suppressedBecause?: string;
}

export interface Report {
  readonly findings: readonly Finding[];
  /** Unsuppressed failures. */
  readonly failures: readonly Finding[];
  /** Suppressions that matched no failing finding: stale, so the suite fails. */
  readonly unmatchedSuppressions: readonly Suppression[];
  readonly ok: boolean;
}
