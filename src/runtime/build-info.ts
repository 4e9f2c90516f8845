import { readFileSync } from 'node:fs';

/**
 * The git commit the running code was built from: the REST API's `commit`, as Kafka Connect reports its build's.
 * `npm run build` records it in dist/build.json (scripts/record-build.sh), with "-dirty" when the checkout had
 * changes. '' when there is no record: code run from src/ (tests, tsx) or built outside a git checkout.
 */
export function buildCommit(record: URL = new URL('../build.json', import.meta.url)): string {
  try {
    const { commit } = JSON.parse(readFileSync(record, 'utf8')) as { commit?: unknown };
    return typeof commit === 'string' ? commit : '';
  } catch {
    return '';
  }
}
