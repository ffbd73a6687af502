import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES_END, RULES_START, renderRuleTable, withGeneratedTables } from '../src/readme';
import { RULES } from '../src/rules';
import { SUPPRESSIONS } from '../suppressions';

describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

  it('lists every rule and suppression exactly as the data says (run `npx nx run policy:readme` to update)', () => {
    expect(withGeneratedTables(readme, RULES, SUPPRESSIONS)).toBe(readme);
  });

  it('has one row per rule, with its id and what it mirrors', () => {
    const table = readme.slice(readme.indexOf(RULES_START), readme.indexOf(RULES_END));
    for (const rule of RULES) expect(table).toContain(`| \`${rule.id}\` | ${rule.mirrors ?? '(own)'} |`);
    expect(table.split('\n').filter((l) => l.startsWith('| `')).length).toBe(RULES.length);
  });

  it('escapes pipes inside titles', () => {
    expect(renderRuleTable([{ ...RULES[0]!, title: 'a | b' }])).toContain('a \\| b');
  });
});
