import { setTimeout as sleep } from 'node:timers/promises';
import { readDeliveries, waitForDeliveries, type DeliveryTiming } from './deliveries';
import {
  childProcesses,
  readCpuSeconds,
  startCpuMeter,
  watchMemory,
  type CpuSources,
  type CpuUse,
} from './process-stats';
import type { BenchStack } from './stack';
import { inLanes, paced, submitTimed, type Acceptance } from './submit';

export interface LoadResult {
  acceptances: Acceptance[];
  deliveries: DeliveryTiming[];
  /** Milliseconds from the first delivery created to the last one recorded (the database's clock). */
  wallMs: number;
  /** The largest resident size of each Relais process and of Temporal while the phase ran, in MiB. */
  peakRssMiB: Record<'api' | 'worker' | 'temporal', number>;
  /** CPU seconds each part used during the phase, and the machine's busy share (all cores). */
  cpu: CpuUse;
}

/** Everything on this machine that works for a delivery, as cumulative CPU seconds. */
function cpuSources(stack: BenchStack): CpuSources {
  const sum = (pids: number[]) => pids.reduce((total, pid) => total + readCpuSeconds(pid), 0);
  return {
    api: () => readCpuSeconds(stack.api.pid),
    worker: () => readCpuSeconds(stack.worker.pid),
    temporal: () => readCpuSeconds(stack.temporal.pid ?? 0),
    // Backends serving this run's database (the API's and the worker's pools, the bench's polling).
    postgres: async () => {
      const { rows } = await stack.db.pool.query(
        'select pid from pg_stat_activity where datname = current_database()',
      );
      return sum(rows.map((row) => row.pid as number));
    },
    // The daemon collects the CPU time of the per-connection processes it forked once they end.
    sshd: () => sum(childProcesses(process.pid, 'sshd')),
    // This process: the load generator and the Dropbox fake.
    'bench+fake': () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1e6;
    },
  };
}

/**
 * How documents arrive: `closed`, a fixed number of requests in flight (each answer lets the next one
 * go: the API's capacity); `paced`, a fixed rate whatever the answers (the platform's traffic).
 */
export type Arrival =
  { kind: 'closed'; concurrency: number } | { kind: 'paced'; perSecond: number; maxInFlight: number };

/**
 * A load phase: `count` documents posted as `arrival` says, then waits until every delivery has
 * ended. Memory and CPU of each process are read while it runs.
 */
export async function runLoad(
  stack: BenchStack,
  options: {
    count: number;
    arrival: Arrival;
    prefix: string;
    timeoutMs: number;
    say: (line: string) => void;
  },
): Promise<LoadResult> {
  const watches = {
    api: watchMemory(stack.api.pid),
    worker: watchMemory(stack.worker.pid),
    temporal: watchMemory(stack.temporal.pid ?? 0),
  };
  const cpu = await startCpuMeter(cpuSources(stack));
  const started = Date.now();
  try {
    const number = (index: number) => `${options.prefix}-${String(index + 1).padStart(6, '0')}`;
    const { arrival } = options;
    const acceptances =
      arrival.kind === 'closed'
        ? await inLanes(options.count, arrival.concurrency, (index) =>
            submitTimed(stack.relais, number(index)),
          )
        : await paced(options.count, arrival.perSecond, arrival.maxInFlight, (index, dueAt) =>
            submitTimed(stack.relais, number(index), dueAt),
          );
    options.say(
      `${options.count} documents accepted in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for the deliveries`,
    );
    let lastReport = Date.now();
    const deliveries = await waitForDeliveries(
      stack.db.pool,
      acceptances.map((acceptance) => acceptance.documentId),
      {
        expected: acceptances.reduce((sum, acceptance) => sum + acceptance.deliveries, 0),
        timeoutMs: options.timeoutMs,
        intervalMs: 250,
        progress: (ended) => {
          if (Date.now() - lastReport < 10_000) return;
          lastReport = Date.now();
          options.say(`  ${ended} deliveries ended after ${((Date.now() - started) / 1000).toFixed(0)} s`);
        },
      },
    );
    const lastDelivered = Math.max(...deliveries.map((delivery) => delivery.deliveredAt ?? 0));
    const firstCreated = Math.min(...deliveries.map((delivery) => delivery.createdAt));
    return {
      acceptances,
      deliveries,
      wallMs: lastDelivered - firstCreated,
      peakRssMiB: {
        api: watches.api.peakRssMiB(),
        worker: watches.worker.peakRssMiB(),
        temporal: watches.temporal.peakRssMiB(),
      },
      cpu: await cpu.read(),
    };
  } finally {
    for (const watch of Object.values(watches)) watch.stop();
  }
}

export interface IdleResult {
  acceptances: Acceptance[];
  deliveries: DeliveryTiming[];
}

/**
 * The latency phase: one document at a time, each waited for until both its deliveries ended, with a
 * pause between them, so every delivery meets an idle system (as most real documents do).
 */
export async function runIdle(
  stack: BenchStack,
  options: { count: number; gapMs: number; prefix: string; timeoutMs: number },
): Promise<IdleResult> {
  const acceptances: Acceptance[] = [];
  for (let index = 0; index < options.count; index++) {
    await sleep(options.gapMs);
    const acceptance = await submitTimed(
      stack.relais,
      `${options.prefix}-${String(index + 1).padStart(4, '0')}`,
    );
    acceptances.push(acceptance);
    // A short poll interval: it bounds how precisely the next document's start follows this one's end.
    await waitForDeliveries(stack.db.pool, [acceptance.documentId], {
      expected: acceptance.deliveries,
      timeoutMs: options.timeoutMs,
      intervalMs: 10,
    });
  }
  const deliveries = await readDeliveries(
    stack.db.pool,
    acceptances.map((acceptance) => acceptance.documentId),
  );
  return { acceptances, deliveries };
}
