/**
 * The manifests of a DynamoDB export to S3, as AWS documents them (DynamoDB developer guide, "Export output:
 * manifest files"): `manifest-summary.json` describes the export and names `manifest-files.json`, which lists the
 * data objects, one JSON object per line. The data objects are read from this list, never by listing the prefix:
 * the prefix may hold other exports, and an object listed there may be one an unfinished export left behind.
 */

/** One data object of the export. */
export interface ExportedFile {
  /** The object's S3 key (`dataFileS3Key`). */
  key: string;
  /** Items it holds (`itemCount`). */
  itemCount: number;
}

export interface ExportSummary {
  exportArn: string;
  /** The S3 key of manifest-files.json. */
  manifestFilesKey: string;
  itemCount: number;
  outputFormat: string;
}

/** Reads manifest-summary.json; throws, saying what is missing, when it is not an export's summary. */
export function parseExportSummary(text: string, where: string): ExportSummary {
  const summary = parseObject(text, where);
  const exportArn = summary['exportArn'];
  const manifestFilesKey = summary['manifestFilesS3Key'];
  if (typeof exportArn !== 'string' || typeof manifestFilesKey !== 'string') {
    throw new Error(`${where}: not an export's manifest-summary.json (exportArn and manifestFilesS3Key expected)`);
  }
  const outputFormat = typeof summary['outputFormat'] === 'string' ? summary['outputFormat'] : 'DYNAMODB_JSON';
  if (outputFormat !== 'DYNAMODB_JSON') throw new Error(`${where}: export format ${outputFormat}, expected DYNAMODB_JSON`);
  return { exportArn, manifestFilesKey, itemCount: typeof summary['itemCount'] === 'number' ? summary['itemCount'] : 0, outputFormat };
}

/** Reads manifest-files.json: one line per data object, in the order they are to be read. */
export function parseExportFiles(text: string, where: string): ExportedFile[] {
  const files: ExportedFile[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const entry = parseObject(line, `${where} line ${index + 1}`);
    const key = entry['dataFileS3Key'];
    const itemCount = entry['itemCount'];
    if (typeof key !== 'string' || typeof itemCount !== 'number') {
      throw new Error(`${where} line ${index + 1}: dataFileS3Key and itemCount expected`);
    }
    files.push({ key, itemCount });
  });
  return files;
}

function parseObject(text: string, where: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${where}: expected a JSON object`);
  return parsed as Record<string, unknown>;
}
