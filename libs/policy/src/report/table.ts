import type { Finding, Report } from '../engine/types';

const COLUMNS = ['rule', 'mirrors', 'stack', 'resource', 'result'] as const;

/** A plain-text table with aligned columns. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

function row(f: Finding): string[] {
  return [f.rule, f.mirrors ?? '-', f.stack, f.resource, f.result];
}

export interface RenderOptions {
  /** Include PASS and N/A rows (default: only FAIL and SUPPRESSED). */
  readonly all?: boolean;
}

/** The findings table: rule | mirrors | stack | resource | result, then reasons of what did not pass. */
export function renderReport(report: Report, options: RenderOptions = {}): string {
  const shown = report.findings.filter((f) => options.all || f.result === 'FAIL' || f.result === 'SUPPRESSED');
  const parts = [table(COLUMNS, shown.map(row))];
  const explained = shown.filter((f) => f.result === 'FAIL' || f.result === 'SUPPRESSED');
  if (explained.length > 0) {
    parts.push(
      '',
      ...explained.map((f) => `${f.result} ${f.rule} ${f.stack} ${f.resource}: ${f.reason ?? ''}${f.suppressedBecause ? `\n  suppressed: ${f.suppressedBecause}` : ''}`),
    );
  }
  if (report.unmatchedSuppressions.length > 0) {
    parts.push('', 'Suppressions that match no failure (remove them):', ...report.unmatchedSuppressions.map((s) => `  ${s.rule} ${s.stack} ${s.resource}`));
  }
  return parts.join('\n');
}

/** One line per result, and the verdict. */
export function renderSummary(report: Report, ruleCount: number): string {
  const count = (result: Finding['result']) => report.findings.filter((f) => f.result === result).length;
  return [
    `${ruleCount} rules, ${report.findings.length} checks: ${count('PASS')} PASS, ${count('FAIL')} FAIL, ${count('SUPPRESSED')} SUPPRESSED, ${count('N/A')} N/A`,
    `${report.unmatchedSuppressions.length} unmatched suppressions`,
    report.ok ? 'policy: OK' : 'policy: FAILED',
  ].join('\n');
}
