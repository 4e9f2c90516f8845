import { readFile } from 'node:fs/promises';
import { ConfigError } from './errors.js';

/** The file a configuration key names; a ConfigError naming the key, the file and why when it cannot be read. */
export async function readKeyFile(key: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const cause = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new ConfigError([{ key, message: `${key}: cannot read ${file} (${cause})` }]);
  }
}
