import { describe, expect, it } from 'vitest';
import { parseExportFiles, parseExportSummary } from '../../../src/domain/export-manifest.js';

// The shapes AWS documents for an export's manifests (DynamoDB developer guide, "DynamoDB table export output
// format": manifest-summary.json and manifest-files.json), with its example's values.
const summary = JSON.stringify({
  version: '2020-06-30',
  exportArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/ProductCatalog/export/01234567890123-a1b2c3d4',
  startTime: '2020-11-04T07:28:34.028Z',
  endTime: '2020-11-04T07:33:43.897Z',
  tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/ProductCatalog',
  tableId: '12345a12-abcd-123a-ab12-1234abc12345',
  exportTime: '2020-11-04T07:28:34.028Z',
  s3Bucket: 'ddb-productcatalog-export',
  s3Prefix: '2020-Nov',
  s3SseAlgorithm: 'AES256',
  s3SseKmsKeyId: null,
  manifestFilesS3Key: '2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4/manifest-files.json',
  billedSizeBytes: 0,
  itemCount: 8,
  outputFormat: 'DYNAMODB_JSON',
  exportType: 'FULL_EXPORT',
});

const files = [
  '{"itemCount":8,"md5Checksum":"sQMSpEILNgoQmarvDFonGQ==","etag":"af83d6f217c19b8b0fff8023d8ca4716-1","dataFileS3Key":"2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4/data/asdl123dasas.json.gz"}',
  '{"itemCount":0,"md5Checksum":"1B2M2Y8AsgTpgAmY7PhCfg==","etag":"d41d8cd98f00b204e9800998ecf8427e","dataFileS3Key":"2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4/data/qwe456rtyuio.json.gz"}',
  '',
].join('\n');

describe('export manifests', () => {
  it('reads the summary: the export and where its file list is', () => {
    expect(parseExportSummary(summary, 's3://b/manifest-summary.json')).toEqual({
      exportArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/ProductCatalog/export/01234567890123-a1b2c3d4',
      manifestFilesKey: '2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4/manifest-files.json',
      itemCount: 8,
      outputFormat: 'DYNAMODB_JSON',
    });
  });

  it('reads the file list in its order, one JSON line per data object, empty ones included', () => {
    expect(parseExportFiles(files, 'manifest-files.json')).toEqual([
      { key: '2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4/data/asdl123dasas.json.gz', itemCount: 8 },
      { key: '2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4/data/qwe456rtyuio.json.gz', itemCount: 0 },
    ]);
  });

  it('refuses what is not a manifest, saying where and what', () => {
    expect(() => parseExportSummary('{"exportArn":"x"}', 's3://b/k')).toThrow('s3://b/k: not an export\'s manifest-summary.json');
    expect(() => parseExportSummary(summary.replace('DYNAMODB_JSON', 'ION'), 's3://b/k')).toThrow('export format ION, expected DYNAMODB_JSON');
    expect(() => parseExportFiles('{"itemCount":1}\n', 'files')).toThrow('files line 1: dataFileS3Key and itemCount expected');
    expect(() => parseExportFiles('<xml/>', 'files')).toThrow('files line 1: not JSON');
  });
});
