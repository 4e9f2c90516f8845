import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildCommit } from '../../../src/runtime/build-info.js';

function record(text: string | undefined): URL {
  const file = join(mkdtempSync(join(tmpdir(), 'dynamodb-kafka-build-')), 'build.json');
  if (text !== undefined) writeFileSync(file, text);
  return pathToFileURL(file);
}

describe('buildCommit', () => {
  it('is the commit the build recorded', () => {
    expect(buildCommit(record('{"commit":"3211eca0a1b2c3d4e5f60718293a4b5c6d7e8f90-dirty"}\n'))).toBe('3211eca0a1b2c3d4e5f60718293a4b5c6d7e8f90-dirty');
  });

  it("is '' without a record, or with one that says nothing usable", () => {
    expect(buildCommit(record(undefined))).toBe('');
    expect(buildCommit(record('not json'))).toBe('');
    expect(buildCommit(record('{"commit":42}'))).toBe('');
  });

  it("is '' when run from the sources, which no build recorded", () => {
    expect(buildCommit()).toBe('');
  });
});
