import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES_END, RULES_START, renderRuleTable, renderSuppressionTable, suppressionRows } from '../src/readme';
import { RULES } from '../src/rules';

// That the README's tables are what the rules and the real stacks give is checked by the policy
// suite (libs/policy/suite/test/readme.spec.ts), which synthesizes the stacks.
describe('README tables', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

  it('has one row per rule, with its id and what it mirrors', () => {
    const table = readme.slice(readme.indexOf(RULES_START), readme.indexOf(RULES_END));
    for (const rule of RULES) expect(table).toContain(`| \`${rule.id}\` | ${rule.mirrors ?? '(own)'} |`);
    expect(table.split('\n').filter((l) => l.startsWith('| `')).length).toBe(RULES.length);
  });

  it('escapes pipes inside titles', () => {
    expect(renderRuleTable([{ ...RULES[0]!, title: 'a | b' }])).toContain('a \\| b');
  });

  it('lists a suppression once, by construct, naming the environments only when some lack it', () => {
    const s = { rule: 's3-sse-kms', stack: 'primary', resource: 'aws_s3_bucket.logs_1A2B', path: 'primary/logs/bucket', reason: 'log delivery needs SSE-S3' };
    const only = { rule: 'ssm-secure-string', stack: 'primary', resource: 'aws_ssm_parameter.p', reason: 'a name | not a secret' };
    const rows = suppressionRows([
      { environment: 'dev', suppressions: [s, only] },
      { environment: 'staging', suppressions: [s] },
    ]);
    expect(renderSuppressionTable(rows, ['dev', 'staging']).split('\n').slice(2)).toEqual([
      '| `s3-sse-kms` | primary | `primary/logs/bucket` | log delivery needs SSE-S3 |',
      '| `ssm-secure-string` | primary (dev only) | `aws_ssm_parameter.p` | a name \\| not a secret |',
    ]);
  });
});
