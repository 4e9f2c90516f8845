// Avro names allow only [A-Za-z_][A-Za-z0-9_]* per part; DynamoDB table and attribute names also allow '-', '.'
// and (attributes) almost anything. The mapping keeps every name that is already a plain Avro name and does not
// contain the escape marker "_x"; any other name becomes "_x_" followed by its characters, letters and digits as
// they are and every other character as "_x<hex code point>_". Kept names never start with "_x_" and escaped
// names never hold a bare "_", so no two names map to the same Avro name.

const KEPT = /^[A-Za-z][A-Za-z0-9_]*$/;
const ESCAPE_MARKER = '_x';

export function avroName(name: string): string {
  if (KEPT.test(name) && !name.includes(ESCAPE_MARKER)) return name;
  let escaped = `${ESCAPE_MARKER}_`;
  for (const char of name) {
    escaped += /[A-Za-z0-9]/.test(char) ? char : `${ESCAPE_MARKER}${char.codePointAt(0)!.toString(16)}_`;
  }
  return escaped;
}

/** The name an escaped Avro name was made from (a kept name is its own). */
export function originalName(avro: string): string {
  if (!avro.startsWith(`${ESCAPE_MARKER}_`)) return avro;
  return avro.slice(3).replace(/_x([0-9a-f]+)_/g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)));
}
