// DynamoDB's item size, by AWS's documented rules ("Item sizes and formats"): what the 400 KB limit and capacity
// units are measured in.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from '../domain/attribute-codec.js';
import { significantDigitCount } from '../domain/number-text.js';

/** 400 KB, attribute names included. */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * The item's size in bytes: for each attribute its name's UTF-8 length plus its value's size —
 * strings: UTF-8 length; numbers: 1 byte per two significant digits, plus 1; binary: its length;
 * null and booleans: 1; sets: the sum of their elements; maps and lists: 3 bytes plus, per element,
 * its name (maps) and value plus 1 byte.
 */
export function itemSize(item: Item): number {
  let size = 0;
  for (const name of Object.keys(item)) size += Buffer.byteLength(name, 'utf8') + valueSize(item[name]!);
  return size;
}

export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8'), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, text) => sum + numberSize(text), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, bytes) => sum + bytes.byteLength, 0);
  if (value.M !== undefined) {
    let size = 3;
    const map = value.M;
    for (const name of Object.keys(map)) size += Buffer.byteLength(name, 'utf8') + valueSize(map[name]!) + 1;
    return size;
  }
  if (value.L !== undefined) return value.L.reduce((sum, element) => sum + valueSize(element) + 1, 3);
  return 0;
}

function numberSize(text: string): number {
  const digits = significantDigitCount(text) ?? text.length;
  return Math.ceil(digits / 2) + 1;
}
