// Checks every Schema Registry format's source encoder must pass, whatever its schema language.
import { expect } from 'vitest';
import type { TableInfo } from '../../src/domain/table-info.js';
import type { RecordFormat } from '../../src/formats/ports.js';
import type { SubjectNameStrategy } from '../../src/domain/subject-names.js';
import { InMemorySchemaRegistry } from './fakes/schema-registry.js';

/** Its name and its number sort key's need escaping in Avro and Protobuf names. */
export const ORDERS_V2_TABLE: TableInfo = {
  name: 'orders-v2',
  arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders-v2',
  keySchema: { hashKey: 'id', rangeKey: 'order-no' },
  keyTypes: { id: 'S', 'order-no': 'N' },
  status: 'ACTIVE',
  itemCount: 0,
  sizeBytes: 0,
  billingMode: 'PAY_PER_REQUEST',
};

type MakeFormat = (registry: InMemorySchemaRegistry, strategy: SubjectNameStrategy) => RecordFormat;

/** The value and key subjects of table `orders-v2`'s records under each naming strategy. */
export async function expectSubjectsPerStrategy(table: TableInfo, make: MakeFormat): Promise<void> {
  const names: Record<SubjectNameStrategy, string[]> = {
    TopicNameStrategy: ['orders-v2-value', 'orders-v2-key'],
    RecordNameStrategy: ['io.confluent.connect.dynamodb._x_orders_x2d_v2.Envelope', 'io.confluent.connect.dynamodb._x_orders_x2d_v2.Key'],
    TopicRecordNameStrategy: ['orders-v2-io.confluent.connect.dynamodb._x_orders_x2d_v2.Envelope', 'orders-v2-io.confluent.connect.dynamodb._x_orders_x2d_v2.Key'],
  };
  for (const [strategy, subjects] of Object.entries(names)) {
    const registry = new InMemorySchemaRegistry();
    await make(registry, strategy as SubjectNameStrategy).forTable(table, 'orders-v2');
    expect([...registry.subjects.keys()]).toEqual(subjects);
  }
}

/** A refused value schema fails the table's encoder, naming the subject. */
export async function expectRefusalNamed(table: TableInfo, make: MakeFormat): Promise<void> {
  const registry = new InMemorySchemaRegistry();
  registry.refusing.add('orders-v2-value');
  await expect(make(registry, 'TopicNameStrategy').forTable(table, 'orders-v2')).rejects.toThrow(/refused subject orders-v2-value/);
}
