import type { TableDiscovery } from '../config/source.js';

/**
 * The tables a source connector replicates. INCLUDELIST names them; TAG discovery (Resource Groups Tagging API,
 * periodic rediscovery) plugs in here.
 */
export async function discoverTables(discovery: TableDiscovery): Promise<string[]> {
  if (discovery.mode === 'INCLUDELIST') return discovery.tables;
  throw new Error(
    'dynamodb.table.discovery.mode=TAG is not available in this release yet: list the tables in dynamodb.table.includelist',
  );
}
