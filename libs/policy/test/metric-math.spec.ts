import { breaches, evaluateExpression } from '../src/engine/metric-math';

const VALUES: Record<string, number> = { p: 1, s: 0, m1: 4, m2: 2 };
const valueOf = (id: string) => VALUES[id];

describe('evaluateExpression', () => {
  it.each([
    ['p + s', 1],
    ['primary_1 + 0', undefined], // an unknown id
    ['MAX([p, s])', 1],
    ['MIN([p, s])', 0],
    ['SUM([p, s, m1])', 5],
    ['AVG([m1, m2])', 3],
    ['FILL(p, 0) + FILL(s, 0)', 1],
    ['m1 - m2 * 2', 0],
    ['(m1 - m2) * 2', 4],
    ['-m2 + m1 / 2', 0],
    ['MAX(m1)', 4], // of one series: at one point, the point itself
    ['1.5 * m2', 3],
    ['m1 / s', undefined], // metric math drops a point divided by zero
    ['IF(p > 0, 1, 0)', undefined],
    ['p >= 1', undefined],
    ['METRICS()', undefined],
    ['[p, s]', undefined], // an array is not an alarm's value
    ['p +', undefined],
    ['p s', undefined],
    ['FILL(p)', undefined],
  ])('%s is %p', (expression, expected) => {
    expect(evaluateExpression(expression, valueOf)).toBe(expected);
  });
});

describe('breaches', () => {
  it.each([
    [0, 'LessThanThreshold', 1, true],
    [1, 'LessThanThreshold', 1, false],
    [1, 'LessThanOrEqualToThreshold', 1, true],
    [2, 'GreaterThanOrEqualToThreshold', 2, true],
    [2, 'GreaterThanThreshold', 2, false],
    [5, 'LessThanLowerOrGreaterThanUpperThreshold', 1, undefined],
  ])('%p %s %p is %p', (value, operator, threshold, expected) => {
    expect(breaches(value, operator, threshold)).toBe(expected);
  });
});
