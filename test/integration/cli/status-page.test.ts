import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { stackSourceConfig } from '../../support/source-config.js';
import { createTable, putItems } from '../../support/tables.js';

/** Debian's chromium (scripts/test.sh installs it): the page is tested in a real browser, none downloaded. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ITEMS = 600;

const item = (index: number) => ({ id: { S: `item-${String(index).padStart(5, '0')}` }, n: { N: String(index) }, pad: { S: 'x'.repeat(200) } });

describe('the status page and /metrics of a running process', () => {
  const { connection, dynamodb, defer } = suiteResources('statuspage');

  it("shows the connector's table in a real browser and updates as records flow; /metrics moves with it", async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    const table = uniqueName('statuspage');
    await createTable(dynamodb, table);
    await putItems(dynamodb, table, Array.from({ length: ITEMS }, (_, index) => item(index)));
    const config = {
      ...stackSourceConfig(connection, { tables: table, offsetsTopic: uniqueName('offsets') }),
      // Paced (3 read units a second: about 24 KB, some 100 items), so the page sees the snapshot running.
      'dynamodb.snapshot.max.poll.records': '20',
      'dynamodb.snapshot.max.rcu': '3',
    };
    const run = ConnectorProcess.start(uniqueName('statuspage'), config, ['--rest-port', '0']);
    defer(async () => void (await run.stop()));
    await expect.poll(() => /REST status API at (http:\/\/[^\s]+)\/connectors/.exec(run.output)?.[1], { timeout: 60_000 }).toBeDefined();
    const url = /REST status API at (http:\/\/[^\s]+)\/connectors/.exec(run.output)![1]!;
    const metric = async (name: string) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const line = text.split('\n').find((candidate) => candidate.startsWith(`dynamodb_kafka_${name}{`) && candidate.includes(`table="${table}"`));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };

    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
    defer(() => browser.close());
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    expect(await page.title()).toBe('dynamodb-kafka');
    const row = page.locator(`#tables tr[data-table="${table}"]`);
    const phase = () => row.locator('td').nth(3).textContent();

    // The snapshot, as the page draws it: its phase, and a progress bar that moves.
    await expect.poll(phase, { timeout: 30_000 }).toBe('SNAPSHOT');
    const progress = () => row.locator('[role=progressbar]').getAttribute('aria-valuenow').then(Number);
    const firstProgress = await progress();
    await expect.poll(progress, { timeout: 60_000 }).toBeGreaterThan(firstProgress);
    await expect.poll(() => metric('snapshot_items_read'), { timeout: 60_000 }).toBe(ITEMS);
    await expect.poll(phase, { timeout: 60_000 }).toBe('STREAMING');

    // Changes flow: the page's records/s and ms behind source fill in, and the metrics count them.
    const writes = setInterval(() => void putItems(dynamodb, table, [item(ITEMS + Math.floor(Math.random() * 1e6))]).catch(() => undefined), 100);
    defer(async () => clearInterval(writes));
    const cell = (index: number) => () => row.locator('td').nth(index).textContent();
    await expect.poll(async () => Number(await cell(5)()), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await cell(6)()) !== '', { timeout: 30_000 }).toBe(true);
    await expect.poll(() => metric('stream_records_written_total'), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await metric('ms_behind_source')).toBeGreaterThanOrEqual(0);
    clearInterval(writes);
  }, 180_000);
});
