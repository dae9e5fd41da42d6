import type { BaselineResult } from './baseline';
import type { DeliveryTiming } from './deliveries';
import type { BenchOptions } from './options';
import type { IdleResult, LoadResult } from './phases';
import { distribution, ratePerSecond, sustainedRatePerSecond, type Distribution } from './stats';

export interface BenchReport {
  options: BenchOptions;
  machine: { cores: number; loadAverageBefore: number; fixture: string; fixtureKiB: number };
  idle: IdleResult;
  /** `concurrency` requests in flight: the capacity. */
  capacity: LoadResult;
  /** `rate` documents per second: the target traffic (absent with --rate 0). */
  paced: LoadResult | undefined;
  /** The same uploads without Relais: `concurrency` loops (throughput), then one loop (latency). */
  baseline: { capacity: BaselineResult; idle: BaselineResult } | undefined;
  /** How the dev server and the worker were configured, so that a printed result says what it measured. */
  settings: string[];
  /** VmHWM at the end of the run: the highest resident size since start-up (bundling included). */
  highWaterMiB: Record<'api' | 'worker' | 'temporal', number>;
}

/** The targets on the 2-core reference machine (issue 14; accept p99 at 25 documents/s offered). */
const targets = { deliveriesPerSecond: 50, acceptP99Ms: 100, idleP50Ms: 75, baselineRatio: 1.5 };

type Row = [label: string, value: string, note: string];

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : '-');
const perSecond = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-');
const percentiles = (d: Distribution) => `${ms(d.p50)} / ${ms(d.p95)} / ${ms(d.p99)}`;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

const deliveryLatencies = (deliveries: DeliveryTiming[]) =>
  distribution(deliveries.filter((d) => d.deliveredAt !== null).map((d) => d.deliveredAt! - d.createdAt));
const acceptLatencies = (phase: { acceptances: LoadResult['acceptances'] }) =>
  distribution(phase.acceptances.map((a) => a.acceptedAt - a.dueAt));

function sustainedDeliveries(load: LoadResult): number {
  return sustainedRatePerSecond(
    load.deliveries.filter((d) => d.deliveredAt !== null).map((d) => d.deliveredAt!),
  );
}

function loadRows(load: LoadResult, judge: boolean): Row[] {
  const accept = acceptLatencies(load);
  const sustained = sustainedDeliveries(load);
  const delivered = load.deliveries.filter((d) => d.status === 'delivered').length;
  const acceptedPerSecond = ratePerSecond(
    load.acceptances.map((a) => a.acceptedAt),
    Math.min(...load.acceptances.map((a) => a.dueAt)),
  );
  const target = (text: string, ok: boolean) => (judge ? `${text}: ${verdict(ok)}` : '');
  return [
    ['documents accepted per second (API)', perSecond(acceptedPerSecond), ''],
    [
      'accept latency p50 / p95 / p99 (ms)',
      percentiles(accept),
      target(`p99 < ${targets.acceptP99Ms}`, accept.p99 < targets.acceptP99Ms),
    ],
    [
      'deliveries per second, sustained (10-90 %)',
      perSecond(sustained),
      target(`>= ${targets.deliveriesPerSecond}`, sustained >= targets.deliveriesPerSecond),
    ],
    ['deliveries per second, whole phase', perSecond((delivered / load.wallMs) * 1000), ''],
    ['accept -> delivered p50 / p95 / p99 (ms)', percentiles(deliveryLatencies(load.deliveries)), ''],
    [
      'deliveries retried / failed',
      `${load.deliveries.filter((d) => d.attempts > 1).length} / ${load.deliveries.length - delivered}`,
      `of ${load.deliveries.length}`,
    ],
  ];
}

function resourceRows(load: LoadResult, highWaterMiB: BenchReport['highWaterMiB'], cores: number): Row[] {
  const { cpu } = load;
  const perDelivery = (seconds: number) => ((seconds * 1000) / load.deliveries.length).toFixed(1);
  const accounted = Object.values(cpu.seconds).reduce((sum, seconds) => sum + seconds, 0);
  return [
    [
      'peak RSS under load API / worker / Temporal (MiB)',
      `${ms(load.peakRssMiB.api)} / ${ms(load.peakRssMiB.worker)} / ${ms(load.peakRssMiB.temporal)}`,
      'sampled every 250 ms',
    ],
    [
      'VmHWM API / worker / Temporal (MiB)',
      `${ms(highWaterMiB.api)} / ${ms(highWaterMiB.worker)} / ${ms(highWaterMiB.temporal)}`,
      'since start-up (the worker bundles its workflows in a child process)',
    ],
    ...Object.entries(cpu.seconds).map(([name, seconds]): Row => [
      `  CPU ms per delivery: ${name}`,
      perDelivery(seconds),
      '',
    ]),
    [
      '  CPU ms per delivery: rest of the machine',
      perDelivery(cpu.machineBusySeconds - accounted),
      `machine ${(cpu.machineBusyShare * 100).toFixed(0)} % busy over all cores`,
    ],
    [
      'CPU-bound ceiling without other load (deliveries/s)',
      perSecond((cores * load.deliveries.length) / accounted),
      `${cores} cores / ${perDelivery(accounted)} CPU ms per delivery`,
    ],
  ];
}

function baselineRows(
  baseline: NonNullable<BenchReport['baseline']>,
  relaisPerSecond: number,
  relaisIdleP50: number,
  loops: number,
): Row[] {
  const baselinePerSecond = (baseline.capacity.uploads / baseline.capacity.wallMs) * 1000;
  const ratio = baselinePerSecond / relaisPerSecond;
  const loaded = distribution(baseline.capacity.documentMs);
  const idle = distribution(baseline.idle.documentMs);
  const uploads = (result: BaselineResult) =>
    `${ms(distribution(result.uploadMs.sftp).p50)} / ${ms(distribution(result.uploadMs.dropbox).p50)}`;
  return [
    ['uploads per second', perSecond(baselinePerSecond), `${loops} plain loops`],
    ['document p50 / p99 (ms)', `${ms(loaded.p50)} / ${ms(loaded.p99)}`, 'parse + render + 2 uploads'],
    [
      'SFTP / Dropbox upload p50 (ms)',
      uploads(baseline.capacity),
      `${baseline.capacity.retries} refused SSH connections retried`,
    ],
    ['one loop: document p50 (ms)', ms(idle.p50), `SFTP / Dropbox upload p50 ${uploads(baseline.idle)}`],
    [
      'overhead: baseline rate / Relais rate',
      `${ratio.toFixed(2)} x`,
      `throughput; <= ${targets.baselineRatio}: ${verdict(ratio <= targets.baselineRatio)}`,
    ],
    [
      'overhead: Relais idle p50 / one loop p50',
      `${(relaisIdleP50 / idle.p50).toFixed(2)} x`,
      'latency, per delivery vs per document',
    ],
  ];
}

function table(title: string, rows: Row[]): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  return [
    title,
    ...rows.map(([label, value, note]) =>
      `  ${label.padEnd(width)}  ${value.padStart(valueWidth)}  ${note}`.trimEnd(),
    ),
    '',
  ];
}

/** The figures as tables on stdout, each beside the target it answers where there is one. */
export function printReport(report: BenchReport): void {
  const { options, machine, idle, capacity, paced, baseline } = report;
  const idleLatency = deliveryLatencies(idle.deliveries);
  const lines = [
    '',
    `Relais delivery benchmark: every document fans out to 2 connections (SFTP + Dropbox).`,
    `Fixture ${machine.fixture} (${machine.fixtureKiB.toFixed(0)} KiB, PDF inside); ${machine.cores} cores, ` +
      `load average ${machine.loadAverageBefore.toFixed(2)} before the run.`,
    ...report.settings,
    '',
    ...table(`Idle: ${options.idleDocuments} documents one at a time, ${options.idleGapMs} ms apart`, [
      [
        'accept -> delivered p50 / p95 (ms)',
        `${ms(idleLatency.p50)} / ${ms(idleLatency.p95)}`,
        `p50 < ${targets.idleP50Ms}: ${verdict(idleLatency.p50 < targets.idleP50Ms)}`,
      ],
      ...['sftp', 'dropbox'].map((connectorId): Row => {
        const own = deliveryLatencies(idle.deliveries.filter((d) => d.connectorId === connectorId));
        return [`  ${connectorId} p50 / p95 (ms)`, `${ms(own.p50)} / ${ms(own.p95)}`, ''];
      }),
      [
        'accept latency p50 / p99 (ms)',
        `${ms(acceptLatencies(idle).p50)} / ${ms(acceptLatencies(idle).p99)}`,
        '',
      ],
    ]),
    ...table(
      `Capacity: ${options.documents} documents, ${options.concurrency} requests in flight`,
      loadRows(capacity, false),
    ),
    ...(paced
      ? table(
          `Target traffic: ${paced.acceptances.length} documents at ${options.rate}/s (${options.rate * 2} deliveries/s offered)`,
          loadRows(paced, true),
        )
      : []),
    ...table(
      'Resources during the capacity phase',
      resourceRows(capacity, report.highWaterMiB, machine.cores),
    ),
    ...(baseline
      ? table(
          `Baseline: the same ${options.documents} documents without Relais`,
          baselineRows(baseline, sustainedDeliveries(capacity), idleLatency.p50, options.concurrency),
        )
      : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
