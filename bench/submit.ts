import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleInvoice } from '../documents/sample-invoice';
import { acceptDocument } from '../test/helpers/delivery-api';
import type { TestRelais } from '../test/helpers/relais';
import type { BenchRelais } from './stack';

/**
 * Every benchmark document is the project's own sample invoice (documents/sample-invoice.ts) with
 * its PDF embedded, under a number of its own: 200 lines make about 110 KiB.
 */
export const BENCH_INVOICE_LINES = 200;
const NUMBER_SLOT = 'BENCH-NUMBER-SLOT';
let invoiceTemplate: string | undefined;

/**
 * The benchmark invoice under `number` (letters, digits, dashes: it also names the embedded PDF).
 * Made once, then only the number changes: rendering the invoice and its PDF takes about 43 ms, which
 * the load generator spent on the cores Relais was measured on, and the baseline counted as its work.
 * The PDF inside shows the first number; nothing reads it.
 */
export function benchInvoice(number: string): string {
  if (!/^[A-Za-z0-9-]+$/.test(number)) throw new Error(`Bench invoice numbers are plain: ${number}`);
  invoiceTemplate ??= sampleInvoice({ number: NUMBER_SLOT, lines: BENCH_INVOICE_LINES, pdf: true });
  return invoiceTemplate.replaceAll(NUMBER_SLOT, number);
}

export interface Acceptance {
  documentId: string;
  /** How many deliveries the API created for it (one per active connection of its type). */
  deliveries: number;
  /**
   * performance.now() when the request was due and when its 202 came back. Due is when it was sent,
   * or, in a paced run, when the schedule wanted it sent: a request held back by a slow API counts.
   */
  dueAt: number;
  acceptedAt: number;
}

/** Posts one document as the platform does (raw XML, purchase invoice) and times the request. */
export async function submitTimed(relais: BenchRelais, number: string, dueAt?: number): Promise<Acceptance> {
  const xml = benchInvoice(number);
  const sentAt = dueAt ?? performance.now();
  // The helper is typed for the test suite's TestRelais but only reads url and tenant.
  const body = await acceptDocument(relais as TestRelais, xml, { documentType: 'purchase-invoice' });
  const acceptedAt = performance.now();
  return { documentId: body.documentId, deliveries: body.deliveries.length, dueAt: sentAt, acceptedAt };
}

/** Runs `task` for 0..count-1 with at most `concurrency` running at once; results in index order. */
export async function inLanes<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}

/**
 * Starts `task` for 0..count-1 at `perSecond` (an open loop, as documents arrive from the platform),
 * never more than `maxInFlight` at once; each task learns when it was due. Results in index order.
 */
export async function paced<T>(
  count: number,
  perSecond: number,
  maxInFlight: number,
  task: (index: number, dueAt: number) => Promise<T>,
): Promise<T[]> {
  const started = performance.now();
  const running = new Set<Promise<T>>();
  const results: Array<Promise<T>> = [];
  for (let index = 0; index < count; index++) {
    const dueAt = started + (index * 1000) / perSecond;
    const wait = dueAt - performance.now();
    if (wait > 0) await sleep(wait);
    while (running.size >= maxInFlight) await Promise.race(running);
    const run = task(index, dueAt);
    running.add(run);
    void run.then(
      () => running.delete(run),
      () => running.delete(run),
    );
    results.push(run);
  }
  return Promise.all(results);
}
