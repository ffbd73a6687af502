/**
 * Enough of CloudWatch metric math to evaluate an alarm's expression at one point in time, when
 * every metric it reads has a value there: numbers, metric ids, `+ - * /`, parentheses, arrays
 * (`[m1, m2]`), and the functions whose value at one point follows from the values there
 * (MAX, MIN, SUM, AVG of an array, FILL of a value that is present). Anything else (IF, METRICS(),
 * comparisons, SEARCH ...) makes the expression unreadable here, and the caller says so rather
 * than guess. https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 */

type Value = number | number[];

/** Thrown inside the parser; `evaluateExpression` turns it into `undefined`. */
class Unreadable extends Error {}

const AGGREGATES: Record<string, (values: number[]) => number> = {
  MAX: (v) => Math.max(...v),
  MIN: (v) => Math.min(...v),
  SUM: (v) => v.reduce((a, b) => a + b, 0),
  AVG: (v) => v.reduce((a, b) => a + b, 0) / v.length,
};

const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(.))/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    const match = TOKEN.exec(expression);
    if (!match) break;
    const token = match[1] ?? match[2] ?? match[3];
    if (token !== undefined) tokens.push(token);
  }
  return tokens;
}

/**
 * The value of `expression` when each id has the value `valueOf` gives it, or undefined when the
 * expression uses something this evaluator cannot read, names an unknown id, or is not a number.
 */
export function evaluateExpression(expression: string, valueOf: (id: string) => number | undefined): number | undefined {
  const tokens = tokenize(expression);
  let position = 0;
  const peek = () => tokens[position];
  const take = (expected?: string): string => {
    const token = tokens[position++];
    if (token === undefined || (expected !== undefined && token !== expected)) throw new Unreadable(`expected ${expected ?? 'more'}`);
    return token;
  };
  const scalar = (value: Value): number => {
    if (Array.isArray(value)) throw new Unreadable('an array where a number is needed');
    return value;
  };

  const sum = (): Value => {
    let value = product();
    while (peek() === '+' || peek() === '-') {
      const op = take();
      const right = scalar(product());
      value = op === '+' ? scalar(value) + right : scalar(value) - right;
    }
    return value;
  };
  const product = (): Value => {
    let value = unary();
    while (peek() === '*' || peek() === '/') {
      const op = take();
      const right = scalar(unary());
      // Metric math drops a point divided by zero: nothing to compare.
      if (op === '/' && right === 0) throw new Unreadable('division by zero');
      value = op === '*' ? scalar(value) * right : scalar(value) / right;
    }
    return value;
  };
  const unary = (): Value => {
    if (peek() === '-') {
      take();
      return -scalar(unary());
    }
    return primary();
  };
  const primary = (): Value => {
    const token = take();
    if (token === '(') {
      const value = sum();
      take(')');
      return value;
    }
    if (token === '[') {
      const items = [scalar(sum())];
      while (peek() === ',') {
        take();
        items.push(scalar(sum()));
      }
      take(']');
      return items;
    }
    if (/^\d/.test(token)) return Number(token);
    if (!/^[A-Za-z_]/.test(token)) throw new Unreadable(`unexpected ${token}`);
    if (peek() !== '(') {
      const value = valueOf(token);
      if (value === undefined) throw new Unreadable(`unknown id ${token}`);
      return value;
    }
    take('(');
    const args = [sum()];
    while (peek() === ',') {
      take();
      args.push(sum());
    }
    take(')');
    const aggregate = AGGREGATES[token];
    if (aggregate && args.length === 1) {
      const [arg] = args as [Value];
      // Of one series, the aggregate spans its points; at a single point that is the point itself.
      return Array.isArray(arg) ? aggregate(arg) : arg;
    }
    // Every value is present at the point evaluated, so FILL has nothing to fill.
    if (token === 'FILL' && args.length === 2) return args[0]!;
    throw new Unreadable(`${token}() is not evaluated here`);
  };

  try {
    const value = sum();
    if (position !== tokens.length) return undefined;
    return Array.isArray(value) ? undefined : value;
  } catch (error) {
    if (error instanceof Unreadable) return undefined;
    throw error;
  }
}

/** Whether a value breaches an alarm's threshold, or undefined for an operator without a fixed threshold. */
export function breaches(value: number, comparisonOperator: unknown, threshold: number): boolean | undefined {
  switch (comparisonOperator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      return undefined;
  }
}
