/*
 * Scale, not speed (issue 14): many setups waiting for their OAuth sign-in and many deliveries parked
 * until their connection is re-authorized, then the same paced traffic as before they waited. Prints
 * the API's, the worker's and Temporal's resident memory and the accept latency, before and while
 * they wait.
 *   npm run bench:parked -- --setups 10000 --deliveries 10000
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { sampleInvoice } from '../documents/sample-invoice';
import { acceptDocument } from '../test/helpers/delivery-api';
import type { TestRelais } from '../test/helpers/relais';
import { connectDropbox, reauthorizeDropbox } from '../test/helpers/dropbox-connection';
import { runLoad, type LoadResult } from './phases';
import { readMemory } from './process-stats';
import { startBenchStack, Teardown, type BenchStack } from './stack';
import { distribution } from './stats';
import { inLanes } from './submit';

const options = z
  .object({
    setups: z.coerce.number().int().min(0).default(10_000),
    deliveries: z.coerce.number().int().min(0).default(10_000),
    concurrency: z.coerce.number().int().positive().default(16),
    rate: z.coerce.number().positive().default(10),
    rateSeconds: z.coerce.number().int().positive().default(30),
  })
  .parse(
    (({ values }) => ({
      setups: values.setups,
      deliveries: values.deliveries,
      concurrency: values.concurrency,
      rate: values.rate,
      rateSeconds: values['rate-seconds'],
    }))(
      parseArgs({
        args: process.argv.slice(2),
        options: {
          setups: { type: 'string' },
          deliveries: { type: 'string' },
          concurrency: { type: 'string' },
          rate: { type: 'string' },
          'rate-seconds': { type: 'string' },
        },
      }),
    ),
  );

const say = (line: string) => process.stderr.write(`[bench:parked] ${line}\n`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(0)} s`;

async function main(): Promise<void> {
  // One tenant holds every waiting setup: lift its cap on open setups for the run.
  process.env.RELAIS_MAX_OPEN_SETUPS = String(options.setups + 10);
  const teardown = new Teardown(say);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void teardown.run().then(() => process.exit(130)));
  try {
    say('starting the stack ...');
    const stack = await startBenchStack(say, teardown);
    const before = await pacedTraffic(stack, 'P0');
    const memoryBefore = memory(stack);

    let started = Date.now();
    await inLanes(options.setups, options.concurrency, (index) => parkSetup(stack, index));
    const setupsTook = seconds(started);
    say(`${options.setups} setups waiting for their sign-in after ${setupsTook}`);

    started = Date.now();
    await parkDeliveries(stack);
    const deliveriesTook = seconds(started);
    say(`${options.deliveries} deliveries parked after ${deliveriesTook}`);
    const memoryParked = memory(stack);

    const during = await pacedTraffic(stack, 'P1');
    const waiting = await stack.db.pool.query<{ status: string; count: string }>(
      `select status, count(*) from deliveries where status = 'waiting-for-connection' group by status
       union all select 'setting-up', count(*) from connections where status = 'setting-up'`,
    );
    report({
      memoryBefore,
      memoryParked,
      before,
      during,
      setupsTook,
      deliveriesTook,
      waiting: Object.fromEntries(waiting.rows.map((row) => [row.status, Number(row.count)])),
    });
  } finally {
    say('stopping everything ...');
    await teardown.run();
  }
}

/** A Dropbox setup taken to its sign-in, where it waits as a user who never comes back would leave it. */
async function parkSetup(stack: BenchStack, index: number): Promise<void> {
  const call = async (method: string, path: string, body: unknown) => {
    const answer = await stack.relais.api(method, path, body);
    if (answer.status >= 300) throw new Error(`setup ${index}: ${method} ${path} answered ${answer.status}`);
    return answer.body;
  };
  const created = await call('POST', '/v1/connections', {
    connectorId: 'dropbox',
    documentType: 'sales-invoice',
  });
  const id: string = created.connection.id;
  await call('POST', `/v1/connections/${id}/steps/format`, { format: 'ubl-be-3' });
  await call('POST', `/v1/connections/${id}/steps/oauth`, {
    values: {},
    returnUrl: `${stack.relais.url}/setup/done`,
  });
}

/**
 * A Dropbox connection for sales invoices whose user then unlinks the app: the first delivery finds the
 * refresh token revoked and marks the connection needs-reauth; every later one parks at once. (The
 * fake has one account: the purchase-invoice connection the traffic uses is signed in again.)
 */
async function parkDeliveries(stack: BenchStack): Promise<void> {
  const dropbox = stack.dropbox;
  const connectionId = await connectDropbox(stack.relais as TestRelais, dropbox, {
    documentType: 'sales-invoice',
  });
  dropbox.revokeRefreshToken();
  dropbox.expireAccessTokens();
  const post = (index: number) =>
    acceptDocument(
      stack.relais as TestRelais,
      sampleInvoice({ number: `PARK-${String(index).padStart(6, '0')}`, lines: 5 }),
      {
        documentType: 'sales-invoice',
      },
    );
  await post(0);
  await waitForParked(stack, connectionId, 1);
  // The fake revoked every grant of its one account: the traffic's own Dropbox connection signs in again.
  await reauthorizeDropbox(stack.relais as TestRelais, dropbox, stack.connections.dropbox);
  let lastReport = Date.now();
  await inLanes(options.deliveries - 1, options.concurrency, async (index) => {
    await post(index + 1);
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      say(`  ${index + 1} documents posted`);
    }
  });
  await waitForParked(stack, connectionId, options.deliveries);
}

async function waitForParked(stack: BenchStack, connectionId: string, count: number): Promise<void> {
  for (let last = -1; ; await sleep(1_000)) {
    const { rows } = await stack.db.pool.query<{ count: string }>(
      `select count(*) from deliveries where connection_id = $1 and status = 'waiting-for-connection'`,
      [connectionId],
    );
    const parked = Number(rows[0]?.count);
    if (parked >= count) return;
    if (parked !== last && parked % 1000 < 50) say(`  ${parked} deliveries parked`);
    last = parked;
  }
}

/** The target traffic, shorter: purchase invoices to SFTP and Dropbox at the chosen rate. */
function pacedTraffic(stack: BenchStack, prefix: string): Promise<LoadResult> {
  say(`paced traffic: ${options.rate} documents/s for ${options.rateSeconds} s`);
  return runLoad(stack, {
    count: options.rate * options.rateSeconds,
    arrival: { kind: 'paced', perSecond: options.rate, maxInFlight: 256 },
    prefix,
    timeoutMs: 20 * 60_000,
    say,
  });
}

function memory(stack: BenchStack): Record<'api' | 'worker' | 'temporal', number> {
  const rss = (pid: number | undefined) => (pid ? (readMemory(pid)?.rssMiB ?? NaN) : NaN);
  return { api: rss(stack.api.pid), worker: rss(stack.worker.pid), temporal: rss(stack.temporal.pid) };
}

function report(result: {
  memoryBefore: Record<string, number>;
  memoryParked: Record<string, number>;
  before: LoadResult;
  during: LoadResult;
  setupsTook: string;
  deliveriesTook: string;
  waiting: Record<string, number>;
}): void {
  const mib = (record: Record<string, number>) =>
    `API ${record.api?.toFixed(0)} / worker ${record.worker?.toFixed(0)} / Temporal ${record.temporal?.toFixed(0)} MiB`;
  const accept = (load: LoadResult) => {
    const d = distribution(load.acceptances.map((a) => a.acceptedAt - a.dueAt));
    return `p50 ${d.p50.toFixed(0)} ms, p99 ${d.p99.toFixed(0)} ms, max ${d.max.toFixed(0)} ms`;
  };
  const delivered = (load: LoadResult) => {
    const d = distribution(load.deliveries.map((x) => (x.deliveredAt ?? NaN) - x.createdAt));
    return `p50 ${d.p50.toFixed(0)} ms, p99 ${d.p99.toFixed(0)} ms`;
  };
  const lines = [
    `Parked at scale: ${options.setups} setups waiting for their sign-in (took ${result.setupsTook}), ` +
      `${options.deliveries} deliveries waiting for re-authorization (took ${result.deliveriesTook}).`,
    `Still waiting at the end: ${JSON.stringify(result.waiting)}`,
    `resident memory before: ${mib(result.memoryBefore)}`,
    `resident memory parked: ${mib(result.memoryParked)}`,
    `peak while the traffic ran beside them: ${mib(result.during.peakRssMiB)}`,
    `accept latency, ${options.rate}/s before: ${accept(result.before)}; while parked: ${accept(result.during)}`,
    `accept→delivered before: ${delivered(result.before)}; while parked: ${delivered(result.during)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`Benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
