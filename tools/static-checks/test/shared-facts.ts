import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** A fact more than one project needs, spelt once (in @txn-dr/contracts, or in @txn-dr/config below it) and imported everywhere else. */
export interface SharedFact {
  /** What the fact is, as a failure names it. */
  readonly fact: string;
  /** A copy of it in source code: the literal a second spelling would contain. */
  readonly pattern: RegExp;
  /** The one file that spells it, from the workspace root. */
  readonly home: string;
  /** What to import instead of a copy. */
  readonly use: string;
  /** Files that keep a spelling of their own, each with the reason. @default none */
  readonly keptBy?: Readonly<Record<string, string>>;
}

export const SHARED_FACTS: readonly SharedFact[] = [
  {
    fact: 'the AWS region code pattern',
    pattern: /\[a-z\]\{2\}\(\?:-gov/,
    home: 'libs/config/src/schema.ts',
    use: 'AWS_REGION_PATTERN from @txn-dr/config (config is the one library below contracts; both import it)',
  },
  {
    fact: "Aurora's replication-lag metric names",
    pattern: /['"]AuroraGlobalDB(?:RPOLag|ReplicationLag)['"]/,
    home: 'libs/contracts/src/aurora-metrics.ts',
    use: 'AURORA_GLOBAL_METRICS or AURORA_LAG_METRIC_NAMES from @txn-dr/contracts',
  },
  {
    fact: "Route 53's health-check metric",
    pattern: /['"](?:AWS\/Route53|HealthCheckStatus)['"]/,
    home: 'libs/contracts/src/route53.ts',
    use: 'ROUTE53_HEALTH_CHECK_METRICS from @txn-dr/contracts',
  },
  {
    fact: 'us-east-1, the region of Route 53 metrics and API',
    pattern: /['"]us-east-1['"]/,
    home: 'libs/contracts/src/route53.ts',
    use: 'ROUTE53_METRICS_REGION or ROUTE53_API_REGION from @txn-dr/contracts, or a region from config',
    keptBy: {
      'libs/config/src/defaults.ts': 'the reference environment puts its primary region there',
      'libs/config/src/schema.ts': 'the default region of the Terraform state bucket',
      'tools/state-bootstrap/src/bootstrap.ts': 'S3 refuses us-east-1 as a location constraint: a rule of CreateBucket, not the Route 53 region',
    },
  },
  {
    fact: 'the TLS-only condition (aws:SecureTransport)',
    pattern: /['"]aws:SecureTransport['"]/,
    home: 'libs/contracts/src/tls-only.ts',
    use: 'tlsOnlyStatement, tlsOnlyPolicyStatement or SECURE_TRANSPORT from @txn-dr/contracts',
  },
  {
    fact: 'the bounds of AWS SDK calls (a requestHandler written out)',
    pattern: /requestHandler\s*:\s*\{/,
    home: 'libs/contracts/src/aws-calls.ts',
    use: 'boundedClientConfig or boundedCalls with OPERATOR_CALLS, FUNCTION_CALLS or bounds of its own from @txn-dr/contracts',
    keptBy: {
      'apps/transaction-api/src/aws.ts': "the service's start-up on an instance: four attempts of its own",
    },
  },
];

/** A source file: its path from the workspace root, with `/` separators, and its text. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'cdktf.out', 'coverage', 'test', 'fixtures']);

/** The TypeScript under every project's `src` folder (apps, libs, tools), without specs. */
export function sourceFiles(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string, inSrc: boolean): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(path, inSrc || entry.name === 'src');
      } else if (inSrc && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        files.push({ path: relative(root, path).split(sep).join('/'), text: readFileSync(path, 'utf8') });
      }
    }
  };
  for (const top of ['apps', 'libs', 'tools']) walk(join(root, top), false);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Every copy of a fact outside its home and the files that keep their own: `path:line: fact; use ...`. */
export function copiesOf(facts: readonly SharedFact[], files: readonly SourceFile[]): string[] {
  const copies: string[] = [];
  for (const fact of facts) {
    for (const file of files) {
      if (file.path === fact.home || fact.keptBy?.[file.path] !== undefined) continue;
      file.text.split('\n').forEach((line, index) => {
        if (fact.pattern.test(line)) copies.push(`${file.path}:${index + 1}: ${fact.fact}; use ${fact.use}`);
      });
    }
  }
  return copies;
}
