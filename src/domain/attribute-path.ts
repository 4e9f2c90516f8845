// Where a value sits in a document (`order.lines[2]["unit price"]`), for error messages. Converters walk every
// attribute of every item, and building the text eagerly cost more than the converting: a path is kept as links
// to its parent and turned into text only when an error names it.

/** A root (its text: `value`, `key`, or '' for an item's top level), or a member or element of a parent path. */
export type AttributePath = string | { readonly parent: AttributePath; readonly name: string | number };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The path of a map member or list element (a number) inside `parent`. */
export function at(parent: AttributePath, name: string | number): AttributePath {
  return { parent, name };
}

/** The path as text: members as `.name` (or `["odd name"]`), elements as `[i]`. */
export function pathText(path: AttributePath): string {
  if (typeof path === 'string') return path;
  const parent = pathText(path.parent);
  if (typeof path.name === 'number') return `${parent}[${path.name}]`;
  if (IDENTIFIER.test(path.name)) return parent === '' ? path.name : `${parent}.${path.name}`;
  return `${parent}[${JSON.stringify(path.name)}]`;
}

/** Own-property assignment that is safe for an attribute named "__proto__". */
export function setOwn<T>(target: Record<string, T>, name: string, value: T): void {
  if (name === '__proto__') Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  else target[name] = value;
}
