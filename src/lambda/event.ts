// Lambda's DynamoDB Streams event, adapted once, here, to the shapes the source connector reads (the SDK's
// GetRecords records): the rest of src/lambda never sees Lambda's JSON.
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { fromDynamoDbJson, type Item } from '../domain/attribute-codec.js';

/** DynamoDB JSON as Lambda delivers it: binary values are base64 text. */
export type LambdaAttributeMap = Record<string, unknown>;

/** One record of a DynamoDB Streams event (AWS's documented shape). */
export interface LambdaStreamRecord {
  eventID?: string;
  eventName?: string;
  eventVersion?: string;
  eventSource?: string;
  awsRegion?: string;
  eventSourceARN?: string;
  userIdentity?: { principalId?: string; type?: string; PrincipalId?: string; Type?: string };
  dynamodb?: {
    /** Seconds since the epoch (a number, possibly with a fraction). */
    ApproximateCreationDateTime?: number;
    Keys?: LambdaAttributeMap;
    NewImage?: LambdaAttributeMap;
    OldImage?: LambdaAttributeMap;
    SequenceNumber?: string;
    SizeBytes?: number;
    StreamViewType?: string;
  };
}

export interface LambdaStreamEvent {
  Records: LambdaStreamRecord[];
}

/** What ReportBatchItemFailures expects back: Lambda retries from the lowest sequence number listed. */
export interface BatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** A stream as its ARN names it: `arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>`. */
export interface StreamName {
  streamArn: string;
  tableName: string;
  /** The stream's label (its creation time): a re-created stream has another. */
  label: string;
}

const STREAM_ARN = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/([^/]+)\/stream\/(.+)$/;

/** Reads a stream ARN; throws naming it when it is not one. */
export function streamName(streamArn: string | undefined): StreamName {
  const match = streamArn === undefined ? null : STREAM_ARN.exec(streamArn);
  if (!match) throw new Error(`eventSourceARN ${JSON.stringify(streamArn)} is not a DynamoDB stream ARN (arn:aws:dynamodb:…:table/<table>/stream/<label>)`);
  return { streamArn: streamArn!, tableName: match[1]!, label: match[2]! };
}

/**
 * A Lambda record as GetRecords gives it: creation time as a Date (Lambda sends seconds), attribute values
 * with binaries as bytes, userIdentity with the SDK's capitalised names. Throws, naming the attribute, on an
 * attribute value that is not DynamoDB JSON; the record's other checks are readStreamRecord's.
 */
export function toStreamRecord(record: LambdaStreamRecord): _Record {
  const change = record.dynamodb;
  const image = (map: LambdaAttributeMap | undefined): Item | undefined => (map === undefined ? undefined : fromDynamoDbJson(map));
  const createdSeconds = change?.ApproximateCreationDateTime;
  const identity = record.userIdentity;
  return {
    ...(record.eventID !== undefined ? { eventID: record.eventID } : {}),
    ...(record.eventName !== undefined ? { eventName: record.eventName as _Record['eventName'] } : {}),
    ...(record.eventVersion !== undefined ? { eventVersion: record.eventVersion } : {}),
    ...(record.eventSource !== undefined ? { eventSource: record.eventSource } : {}),
    ...(record.awsRegion !== undefined ? { awsRegion: record.awsRegion } : {}),
    ...(identity ? { userIdentity: { PrincipalId: identity.principalId ?? identity.PrincipalId, Type: identity.type ?? identity.Type } } : {}),
    dynamodb: {
      ...(typeof createdSeconds === 'number' ? { ApproximateCreationDateTime: new Date(createdSeconds * 1000) } : {}),
      Keys: image(change?.Keys),
      NewImage: image(change?.NewImage),
      OldImage: image(change?.OldImage),
      SequenceNumber: change?.SequenceNumber,
      SizeBytes: change?.SizeBytes,
      StreamViewType: change?.StreamViewType as NonNullable<_Record['dynamodb']>['StreamViewType'],
    },
  };
}
