/**
 * Money without floats: amounts live as integer minor units (cents) with their currency, and
 * decimal strings are converted digit by digit.
 */

/** Accepted currencies and their ISO 4217 minor-unit exponent. Adding one is a product decision. */
export const CURRENCY_EXPONENTS = {
  AUD: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CNY: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  INR: 2,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  MXN: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PLN: 2,
  SEK: 2,
  SGD: 2,
  TND: 3,
  USD: 2,
  ZAR: 2,
} as const satisfies Record<string, 0 | 2 | 3>;
export type Currency = keyof typeof CURRENCY_EXPONENTS;
export const CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as Currency[];

/**
 * Largest magnitude in minor units: a JSON number stays exact up to here, and every client
 * language reads it as an integer. 90 trillion dollars is plenty for one transaction or balance.
 */
export const MAX_MINOR_UNITS = Number.MAX_SAFE_INTEGER;

/** An optional minus, no leading zeros, up to three decimals (the schema's shape of `amount`). */
export const DECIMAL_AMOUNT_PATTERN = '^-?(?:0|[1-9][0-9]{0,15})(?:\\.[0-9]{1,3})?$';
const DECIMAL = new RegExp(DECIMAL_AMOUNT_PATTERN);

/** A client mistake in an amount, worded for the response. */
export class AmountError extends Error {
  override readonly name = 'AmountError';
}

/** `"-12.5"` in EUR -> -1250. Exact: no value passes through a float. */
export function decimalToMinor(amount: string, currency: Currency): number {
  if (!DECIMAL.test(amount)) throw new AmountError('amount must be a decimal string such as "12.34"');
  const exponent = CURRENCY_EXPONENTS[currency];
  const negative = amount.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? amount.slice(1) : amount).split('.');
  if (fraction.length > exponent) {
    throw new AmountError(`amount has ${fraction.length} decimal places; ${currency} has ${exponent}`);
  }
  const digits = BigInt(whole + fraction.padEnd(exponent, '0'));
  return checkedMinor(negative ? -digits : digits);
}

/** Checks a minor-unit amount given as a number: a non-zero integer within range. */
export function checkMinor(amountMinor: number): number {
  if (!Number.isSafeInteger(amountMinor)) throw new AmountError(`amountMinor must be an integer between -${MAX_MINOR_UNITS} and ${MAX_MINOR_UNITS}`);
  return checkedMinor(BigInt(amountMinor));
}

function checkedMinor(value: bigint): number {
  if (value === 0n) throw new AmountError('amount must not be zero');
  if (value > BigInt(MAX_MINOR_UNITS) || value < -BigInt(MAX_MINOR_UNITS)) {
    throw new AmountError(`amount is out of range: at most ${MAX_MINOR_UNITS} minor units either way`);
  }
  return Number(value);
}

/** -1250 in EUR -> `"-12.50"`; 5 in JPY -> `"5"`. */
export function minorToDecimal(amountMinor: number | bigint, currency: Currency): string {
  const exponent = CURRENCY_EXPONENTS[currency];
  const value = BigInt(amountMinor);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

export function isCurrency(code: string): code is Currency {
  return Object.hasOwn(CURRENCY_EXPONENTS, code);
}
