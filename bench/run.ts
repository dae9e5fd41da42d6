import os from 'node:os';
import path from 'node:path';
import { runBaseline } from './baseline';
import { BIG_INVOICE_LINES, describeBigDocuments, runBigDocuments } from './big-documents';
import { createApiKey, createTenant } from '../db/tenants';
import { devServerSqlitePragmas } from '../platform/temporal-server';
import { readOptions, usage, UsageError, type BenchOptions } from './options';
import { runIdle, runLoad, type LoadResult } from './phases';
import { readMemory } from './process-stats';
import { printReport, type BenchReport } from './report';
import { startBenchStack, Teardown, type BenchStack } from './stack';
import { BENCH_INVOICE_LINES, benchInvoice } from './submit';

/** Documents sent before the measured phases: JIT, SSH and connection pools warm up on them. */
const WARM_UP_DOCUMENTS = 5;
/** Environment variables that tune the API and the worker (see the README's configuration table). */
const TUNING_VARIABLES = /^(RELAIS_WORKER_|RELAIS_RATE_LIMIT_|DATABASE_POOL_SIZE$|LOG_LEVEL$)/;
/** Bounds the open loop when the API falls behind the rate: requests queue here, and their wait counts. */
const PACED_MAX_IN_FLIGHT = 256;

/**
 * `npm run bench`: pushes documents through the real API, worker and Temporal dev server to an OpenSSH
 * server and the Dropbox fake, and prints throughput, latency and memory, beside a baseline of the
 * same uploads without Relais. Everything it starts is stopped again, however the run ends.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const options = readOptions(process.argv.slice(2), process.env);
  const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const loadAverageBefore = os.loadavg()[0] ?? 0;
  const budgetMs = options.timeoutMinutes * 60_000;
  const startedAt = Date.now();
  const remainingMs = () => Math.max(1_000, budgetMs - (Date.now() - startedAt));

  const teardown = new Teardown(say);
  const stop = async (code: number) => {
    await teardown.run();
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(130));
  const overtime = setTimeout(() => {
    say(`The run took longer than ${options.timeoutMinutes} minutes: stopping.`);
    void stop(1);
  }, budgetMs);

  try {
    say('starting Temporal, PostgreSQL database, OpenSSH, Dropbox fake, API and worker ...');
    const stack = await startBenchStack(say, teardown, {
      temporalPragmas: options.temporalPragmas,
      temporalConfig: options.temporalConfig,
      ...(options.cpuProfileDir ? { cpuProfileDir: path.resolve(options.cpuProfileDir) } : {}),
    });
    const { idle, capacity, paced, baseline } = await measure(stack, options, remainingMs, say);
    const highWater = (pid: number | undefined) => (pid ? (readMemory(pid)?.peakRssMiB ?? NaN) : NaN);
    printReport({
      options,
      machine: {
        cores: os.availableParallelism(),
        loadAverageBefore,
        fixture: `sample invoice, ${BENCH_INVOICE_LINES} lines`,
        fixtureKiB: Buffer.byteLength(benchInvoice('SIZE-1')) / 1024,
      },
      settings: describeSettings(options, stack.env),
      idle,
      capacity,
      paced,
      baseline,
      highWaterMiB: {
        api: highWater(stack.api.pid),
        worker: highWater(stack.worker.pid),
        temporal: highWater(stack.temporal.pid),
      },
    });
    if (options.bigDocuments > 0) {
      say(`big documents: ${options.bigDocuments} invoices of about 20 MB at once`);
      // A tenant without connections: what intake costs, without ten deliveries of 20 MB documents.
      const tenant = await createTenant(stack.db.pool, 'Big documents');
      const result = await runBigDocuments({
        url: stack.relais.url,
        apiKey: await createApiKey(stack.db.pool, tenant.id),
        pid: stack.api.pid,
        count: options.bigDocuments,
        lines: BIG_INVOICE_LINES,
      });
      process.stdout.write(
        `\nBig documents (after the phases above; a tenant without connections, so intake only)\n` +
          `${describeBigDocuments(result)
            .map((line) => `  ${line}\n`)
            .join('')}`,
      );
    }
  } finally {
    clearTimeout(overtime);
    say('stopping everything ...');
    await teardown.run();
  }
}

/** The phases in order: warm-up, idle latency, capacity, target traffic, then the baseline. */
async function measure(
  stack: BenchStack,
  options: BenchOptions,
  remainingMs: () => number,
  say: (line: string) => void,
) {
  say(`warming up with ${WARM_UP_DOCUMENTS} documents`);
  await runIdle(stack, { count: WARM_UP_DOCUMENTS, gapMs: 0, prefix: 'W', timeoutMs: remainingMs() });
  say(`idle phase: ${options.idleDocuments} documents, one at a time, ${options.idleGapMs} ms apart`);
  const idle = await runIdle(stack, {
    count: options.idleDocuments,
    gapMs: options.idleGapMs,
    prefix: 'I',
    timeoutMs: remainingMs(),
  });
  say(`capacity phase: ${options.documents} documents, ${options.concurrency} requests in flight`);
  const capacity = await runLoad(stack, {
    count: options.documents,
    arrival: { kind: 'closed', concurrency: options.concurrency },
    prefix: 'C',
    timeoutMs: remainingMs(),
    say,
  });
  let paced: LoadResult | undefined;
  if (options.rate > 0) {
    say(`target-traffic phase: ${pacedCount(options)} documents at ${options.rate} per second`);
    paced = await runLoad(stack, {
      count: pacedCount(options),
      arrival: { kind: 'paced', perSecond: options.rate, maxInFlight: PACED_MAX_IN_FLIGHT },
      prefix: 'T',
      timeoutMs: remainingMs(),
      say,
    });
  }
  let baseline: BenchReport['baseline'];
  if (options.baseline) {
    say(`baseline: the same uploads without Relais, ${options.concurrency} loops, then one at a time`);
    baseline = {
      capacity: await runBaseline(stack, {
        count: options.documents,
        concurrency: options.concurrency,
        prefix: 'B',
      }),
      idle: await runBaseline(stack, { count: options.idleDocuments, concurrency: 1, prefix: 'BI' }),
    };
  }
  return { idle, capacity, paced, baseline };
}

/** The documents of the target-traffic phase: `rateSeconds` of traffic at `rate`, at most `documents`. */
function pacedCount(options: BenchOptions): number {
  return Math.min(options.documents, Math.ceil(options.rate * options.rateSeconds));
}

/** The settings a result depends on, printed with it. */
function describeSettings(options: BenchOptions, env: NodeJS.ProcessEnv): string[] {
  const pairs = (record: Record<string, unknown>) =>
    Object.entries(record)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
  const tuning = Object.entries(env).filter(([name]) => TUNING_VARIABLES.test(name));
  return [
    `Temporal dev server: SQLite ${pairs({ ...devServerSqlitePragmas, ...options.temporalPragmas })}; ` +
      `dynamic config ${pairs(options.temporalConfig) || '(defaults)'}.`,
    `API and worker: ${tuning.length ? pairs(Object.fromEntries(tuning)) : 'default tuning'}.`,
  ];
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`Benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
