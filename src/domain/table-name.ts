// DynamoDB's rule for table names, owned here: config checks names and formats with it, the sink the names it
// derives from topics.

const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
const TABLE_NAME_CHARACTERS = /^[a-zA-Z0-9_.-]*$/;

/** The rule in words, for messages. */
export const TABLE_NAME_RULE = '3 to 255 letters, digits, "_", "-" or "."';
export const MAX_TABLE_NAME_LENGTH = 255;

export function isTableName(name: string): boolean {
  return TABLE_NAME.test(name);
}

/** Only characters DynamoDB allows in table names (any length): for parts of a name. */
export function hasTableNameCharacters(text: string): boolean {
  return TABLE_NAME_CHARACTERS.test(text);
}
