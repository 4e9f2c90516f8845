import type { WorkerInfo } from '../../src/rest/router.js';
import { Metrics } from '../../src/runtime/metrics.js';

const metrics = new Metrics();

/** What the REST API asks of its worker, answered as an idle process would; tests override what they check. */
export function idleWorkerInfo(overrides: Partial<WorkerInfo> = {}): WorkerInfo {
  return { commit: '', kafkaClusterId: async () => '', metrics: () => metrics.exposition(), ready: () => true, problems: () => [], ...overrides };
}
