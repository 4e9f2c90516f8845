// DynamoDB numbers as text: their significant digits and magnitude, without ever becoming a JS number.
import { DYNAMODB_NUMBER } from './attribute-codec.js';
import { pathText, type AttributePath } from './attribute-path.js';
import { ConversionError } from './conversion-error.js';

/** DynamoDB keeps up to 38 significant digits, magnitudes 1E-130 to 9.9999999999999999999999999999999999999E+125. */
export const MAX_SIGNIFICANT_DIGITS = 38;
export const MIN_EXPONENT = -130;
export const MAX_EXPONENT = 125;

export interface NumberShape {
  /** The significant digits, leading and trailing zeros removed ('' for zero). */
  significant: string;
  /** The power of ten of the first significant digit (scientific notation's exponent); 0 for zero. */
  exponent: number;
}

// Integer text of at most 38 digits: always in DynamoDB's range (most numbers in records are like this).
const SHORT_INTEGER_TEXT = /^[+-]?\d{1,38}$/;

/** The digits and magnitude of number text, or undefined when it is not number text at all. */
export function numberShape(text: string): NumberShape | undefined {
  const parts = DYNAMODB_NUMBER.exec(text);
  if (parts === null) return undefined;
  const [, , integer = '', fraction = '', exponentPart] = parts;
  const exponent = exponentPart?.slice(1); // without its letter
  if (integer === '' && fraction === '') return undefined;
  const digits = integer + fraction;
  const first = digits.search(/[1-9]/);
  if (first === -1) return { significant: '', exponent: 0 };
  // A huge exponent becomes ±Infinity here, which is out of range either way.
  const power = exponent === undefined ? 0 : Number(exponent);
  return { significant: digits.slice(first).replace(/0+$/, ''), exponent: integer.length - 1 - first + power };
}

/** The text itself when DynamoDB can store it exactly; ConversionError naming `path` otherwise. */
export function checkDynamoDbNumber(text: string, path: AttributePath): string {
  if (SHORT_INTEGER_TEXT.test(text)) return text;
  const shape = numberShape(text);
  if (shape === undefined) throw new ConversionError(`${pathText(path)}: ${JSON.stringify(text)} is not a number`);
  if (
    shape.significant.length > MAX_SIGNIFICANT_DIGITS ||
    (shape.significant !== '' && (shape.exponent < MIN_EXPONENT || shape.exponent > MAX_EXPONENT))
  ) {
    throw new ConversionError(
      `${pathText(path)}: number ${abbreviate(text)} out of DynamoDB's range (at most ${MAX_SIGNIFICANT_DIGITS} significant digits, ` +
        `magnitude 1E-130 to 9.9999999999999999999999999999999999999E+125)`,
    );
  }
  return text;
}

/**
 * How many significant digits number text has (what its stored size depends on), or undefined when it is not
 * number text. Counted without building the shape for integer text, which is what most numbers are.
 */
export function significantDigitCount(text: string): number | undefined {
  if (!SHORT_INTEGER_TEXT.test(text)) return numberShape(text)?.significant.length;
  return text.replace(/^[+-]?0*/, '').replace(/0+$/, '').length;
}

/** A decimal's text from its unscaled value (big-endian two's complement bytes, as Avro and Connect write it) and scale. */
export function decimalText(bytes: Uint8Array, scale: number): string {
  if (bytes.length === 0) return '0';
  let unscaled = BigInt.asIntN(bytes.length * 8, BigInt(`0x${Buffer.from(bytes).toString('hex')}`));
  const negative = unscaled < 0n;
  if (negative) unscaled = -unscaled;
  const digits = unscaled.toString();
  const sign = negative ? '-' : '';
  if (scale <= 0) return `${sign}${digits}${scale === 0 ? '' : `E${-scale}`}`;
  const padded = digits.padStart(scale + 1, '0');
  return `${sign}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

function abbreviate(text: string): string {
  return text.length <= 60 ? text : `${text.slice(0, 28)}…${text.slice(-28)} (${text.length} characters)`;
}

/** A double as DynamoDB number text: JS's shortest round-trip text; NaN and infinities are refused. */
export function doubleText(value: number, path: AttributePath): string {
  if (!Number.isFinite(value)) throw new ConversionError(`${pathText(path)}: ${value} is not a number DynamoDB can store`);
  return String(value);
}

/** The shortest text that reads back as the same 32-bit float: 0.1f is "0.1", not 0.10000000149011612. */
export function floatText(value: number, path: AttributePath): string {
  if (!Number.isFinite(value)) throw new ConversionError(`${pathText(path)}: ${value} is not a number DynamoDB can store`);
  for (let digits = 1; digits < 9; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(value);
}
