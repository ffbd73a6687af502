import { AmountError, CURRENCIES, CURRENCY_EXPONENTS, MAX_MINOR_UNITS, checkMinor, decimalToMinor, minorToDecimal } from '../src/money';

describe('decimalToMinor', () => {
  it.each([
    ['12.34', 'USD', 1234],
    ['12.3', 'USD', 1230],
    ['12', 'USD', 1200],
    ['0.01', 'USD', 1],
    ['-0.01', 'USD', -1],
    ['0.1', 'EUR', 10],
    ['1000', 'JPY', 1000],
    ['1.001', 'KWD', 1001],
    ['90071992547409.91', 'USD', MAX_MINOR_UNITS],
    ['-90071992547409.91', 'USD', -MAX_MINOR_UNITS],
  ] as const)('%s %s is %d minor units', (amount, currency, minor) => {
    expect(decimalToMinor(amount, currency)).toBe(minor);
  });

  it('is exact where floating point is not', () => {
    // 0.29 * 100 is 28.999999999999996 in floating point.
    expect(decimalToMinor('0.29', 'USD')).toBe(29);
    expect(decimalToMinor('1.005', 'KWD')).toBe(1005);
  });

  it.each([
    ['1.234', 'USD', 'amount has 3 decimal places; USD has 2'],
    ['1.5', 'JPY', 'amount has 1 decimal places; JPY has 0'],
    ['0', 'USD', 'must not be zero'],
    ['-0.00', 'USD', 'must not be zero'],
    ['90071992547409.92', 'USD', 'out of range'],
    ['1e3', 'USD', 'decimal string'],
    ['1,00', 'USD', 'decimal string'],
    [' 1', 'USD', 'decimal string'],
  ] as const)('refuses %s %s', (amount, currency, message) => {
    expect(() => decimalToMinor(amount, currency)).toThrow(AmountError);
    expect(() => decimalToMinor(amount, currency)).toThrow(message);
  });
});

describe('checkMinor', () => {
  it.each([0, 0.5, Number.NaN, MAX_MINOR_UNITS + 1, -MAX_MINOR_UNITS - 1])('refuses %d', (value) => {
    expect(() => checkMinor(value)).toThrow(AmountError);
  });
  it('passes a safe non-zero integer through', () => {
    expect(checkMinor(-42)).toBe(-42);
  });
});

describe('minorToDecimal', () => {
  it.each([
    [1234, 'USD', '12.34'],
    [5, 'USD', '0.05'],
    [-5, 'USD', '-0.05'],
    [-1250, 'EUR', '-12.50'],
    [7, 'JPY', '7'],
    [1, 'BHD', '0.001'],
    [BigInt('123456789012345678'), 'USD', '1234567890123456.78'],
  ] as const)('%s %s is %s', (minor, currency, text) => {
    expect(minorToDecimal(minor, currency)).toBe(text);
  });

  it('round-trips with decimalToMinor for every currency', () => {
    for (const currency of CURRENCIES) {
      for (const minor of [1, -1, 99, 100, 123456789]) {
        expect(decimalToMinor(minorToDecimal(minor, currency), currency)).toBe(minor);
      }
    }
  });

  it('knows the ISO 4217 exponents that differ from 2', () => {
    expect(CURRENCY_EXPONENTS).toMatchObject({ JPY: 0, KRW: 0, ISK: 0, CLP: 0, BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3 });
  });
});
