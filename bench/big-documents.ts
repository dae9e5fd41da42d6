/*
 * Five concurrent ~20 MB invoices (43,600 lines). With RELAIS_URL and RELAIS_API_KEY: posts them to a
 * running API and, given API_PID, prints that process's peak RSS (VmHWM). Without: parses them in this
 * process through the API's ParsePool and prints this process's peak RSS.
 *   npx tsx bench/big-documents.ts
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { ParsePool } from '../api/parse-pool';
import { sampleInvoice } from '../documents/sample-invoice';

const COUNT = 5;
const LINES = 43_600;

function peakRss(pid: number | string): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return status.match(/^VmHWM:\s+(.+)$/m)?.[1] ?? 'unknown';
}

async function main(): Promise<void> {
  const documents = Array.from({ length: COUNT }, (_, i) =>
    Buffer.from(sampleInvoice({ number: `BENCH-BIG-${Date.now()}-${i}`, lines: LINES })),
  );
  console.log(`${COUNT} documents of ${(documents[0]!.length / 1e6).toFixed(1)} MB`);
  const started = performance.now();
  const url = process.env.RELAIS_URL;
  let results: string[];
  if (url) {
    results = await Promise.all(
      documents.map(async (xml) => {
        const response = await fetch(`${url}/v1/documents?documentType=purchase-invoice`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${process.env.RELAIS_API_KEY}`,
            'content-type': 'application/xml',
          },
          body: xml,
        });
        await response.text();
        return String(response.status);
      }),
    );
  } else {
    const threads = Math.max(1, os.availableParallelism());
    const pool = new ParsePool(threads, COUNT);
    results = await Promise.all(documents.map(async (xml) => `${(await pool.parse(xml)).lines} lines`));
    await pool.close();
  }
  console.log(`answers: ${results.join(', ')} in ${Math.round(performance.now() - started)} ms`);
  const pid = url ? process.env.API_PID : process.pid;
  console.log(
    `peak RSS (VmHWM) of ${url ? 'the API' : 'this process'}: ${pid ? peakRss(pid) : 'set API_PID'}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
