import type { KeySchema } from './attribute-codec.js';

export type StreamViewType = 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';

/** What the connectors know of a DynamoDB table (DescribeTable's answer, reduced). */
export interface TableInfo {
  name: string;
  /** The table's ARN, which tag operations take. */
  arn: string;
  keySchema: KeySchema;
  /** Attribute types of the key attributes (S, N or B). */
  keyTypes: Record<string, KeyAttributeType>;
  status: string;
  /** Approximate, refreshed by DynamoDB about every six hours. */
  itemCount: number;
  sizeBytes: number;
  billingMode: 'PROVISIONED' | 'PAY_PER_REQUEST';
  /** Provisioned read capacity; undefined for on-demand tables. */
  readCapacityUnits?: number;
  stream?: { arn: string; viewType: StreamViewType };
}

export type KeyAttributeType = 'S' | 'N' | 'B';
