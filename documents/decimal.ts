/*
 * Money is never a float. Amounts travel as the decimal strings found in the document, and the few
 * computations we do (a line's VAT for UBL.BE) use BigInt-scaled integers.
 */

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

export interface Decimal {
  /** The value times 10^scale. */
  readonly units: bigint;
  readonly scale: number;
}

/** True for the xs:decimal lexical space: "12", "-0.5", "+3.", ".25"; not "1e3", "", "." or "1,5". */
export function isDecimal(text: string): boolean {
  const match = DECIMAL.exec(text);
  return match !== null && (match[2] !== '' || (match[3] ?? '') !== '');
}

export function parseDecimal(text: string): Decimal {
  const trimmed = text.trim();
  const match = DECIMAL.exec(trimmed);
  if (!match || !isDecimal(trimmed)) throw new RangeError(`Not a decimal number: "${text}"`);
  const fraction = match[3] ?? '';
  const units = BigInt(`${match[2] || '0'}${fraction}`);
  return { units: match[1] === '-' ? -units : units, scale: fraction.length };
}

export function multiply(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

export function divideByHundred(a: Decimal): Decimal {
  return { units: a.units, scale: a.scale + 2 };
}

/** Rounds half away from zero (commercial rounding, as EN 16931 examples and Belgian practice do). */
export function round(value: Decimal, scale: number): Decimal {
  if (value.scale <= scale) return { units: value.units * 10n ** BigInt(scale - value.scale), scale };
  const divisor = 10n ** BigInt(value.scale - scale);
  const negative = value.units < 0n;
  const magnitude = negative ? -value.units : value.units;
  let quotient = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
  return { units: negative ? -quotient : quotient, scale };
}

export function compareDecimals(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale);
  const left = a.units * 10n ** BigInt(scale - a.scale);
  const right = b.units * 10n ** BigInt(scale - b.scale);
  return left === right ? 0 : left < right ? -1 : 1;
}

export function formatDecimal(value: Decimal): string {
  const negative = value.units < 0n;
  const digits = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, '0');
  const whole = digits.slice(0, digits.length - value.scale);
  const fraction = digits.slice(digits.length - value.scale);
  const sign = negative && value.units !== 0n ? '-' : '';
  return fraction ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}
