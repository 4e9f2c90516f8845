// A config written for trustpilot's kafka-connect-dynamodb (its class name, its keys, no format set), run
// through the config path the CLI takes (connector file → Worker), writes records a trustpilot consumer reads;
// and this project's sink replicates a table from them, deletes included.
import { describe, it } from 'vitest';
import { createDynamoDbClient } from '../../../src/adapters/dynamodb/client.js';
import { isolatedDynamoDb, suiteResources } from '../../support/aws.js';
import { expectTrustpilotReplication, expectTrustpilotShape, readTrustpilotJson } from '../../support/trustpilot-run.js';

describe("source: trustpilot's record shape from a trustpilot config", () => {
  const resources = suiteResources('trustpilot');

  it('writes r records while snapshotting, then c, u, d and a tombstone, field by field as trustpilot does', async () => {
    await expectTrustpilotShape(resources, {}, readTrustpilotJson);
  });
});

describe("sink: a table replicated through trustpilot's record shape", () => {
  const source = suiteResources('tpreplsource');
  const connection = isolatedDynamoDb('tprepltarget');
  const dynamodb = createDynamoDbClient(connection);
  source.defer(async () => dynamodb.destroy());

  it('ends with the target equal to the source after inserts, updates and deletes, number keys included', async () => {
    await expectTrustpilotReplication(source, { connection, dynamodb }, {}, {});
  });
});
