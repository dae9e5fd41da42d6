/*
 * Five concurrent ~20 MB invoices (43,000 lines: just under the default DOCUMENT_MAX_BYTES) posted to
 * the API as raw XML at once, while /healthz is asked every 200 ms. Prints each answer, the slowest
 * /healthz, and the API process's resident memory: before, the peak sampled every 100 ms meanwhile,
 * and its high-water mark (VmHWM).
 *
 *   npm run bench:big-documents     # starts a Temporal dev server, a database and the API (a process
 *                                   # of its own, NODE_ENV=production, the environment's RELAIS_* settings)
 *   RELAIS_URL=http://127.0.0.1:3000 RELAIS_API_KEY=rls_... API_PID=1234 npx tsx bench/big-documents.ts
 *                                   # against a running API instead (API_PID for the memory figures)
 *
 * Options: --documents N (5), --lines N (43000).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleInvoice } from '../documents/sample-invoice';
import { readMemory, watchMemory } from './process-stats';
import { startApiStack, Teardown } from './stack';

const HEALTH_EVERY_MS = 200;
/** 20.8 MB: as large as the default DOCUMENT_MAX_BYTES (20 MiB) allows. */
export const BIG_INVOICE_LINES = 43_000;

interface Answer {
  status: number;
  retryAfter: string | null;
  error?: string;
  ms: number;
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive whole number`);
  return value;
}

async function post(url: string, apiKey: string, xml: Buffer): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/documents?documentType=purchase-invoice`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/xml' },
    body: xml,
  });
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    ...(response.status !== 202 && body.error ? { error: body.error } : {}),
    ms: performance.now() - started,
  };
}

/** Asks /healthz one request after the other until `done`; returns each answer's status and time. */
async function pollHealth(url: string, done: () => boolean): Promise<Array<{ status: number; ms: number }>> {
  const answers: Array<{ status: number; ms: number }> = [];
  while (!done()) {
    const started = performance.now();
    const status = await fetch(`${url}/healthz`)
      .then(async (response) => (await response.text(), response.status))
      .catch(() => 0);
    answers.push({ status, ms: performance.now() - started });
    await sleep(HEALTH_EVERY_MS);
  }
  return answers;
}

export interface BigDocumentsResult {
  count: number;
  lines: number;
  megabytes: number;
  answers: Answer[];
  elapsedMs: number;
  health: Array<{ status: number; ms: number }>;
  /** The API's resident memory in MiB, when its pid is known: before, peak sampled meanwhile, VmHWM after. */
  memory?: { beforeMiB: number; peakMiB: number; highWaterMiB: number };
}

/** Posts `count` big invoices to the API at once as `apiKey`'s tenant, asking /healthz meanwhile. */
export async function runBigDocuments(options: {
  url: string;
  apiKey: string;
  pid: number | undefined;
  count: number;
  lines: number;
}): Promise<BigDocumentsResult> {
  const { url, apiKey, pid, count, lines } = options;
  const documents = Array.from({ length: count }, (_, i) =>
    Buffer.from(sampleInvoice({ number: `BENCH-BIG-${Date.now()}-${i}`, lines })),
  );
  const before = pid ? readMemory(pid) : undefined;
  const watch = pid ? watchMemory(pid, 100) : undefined;
  let done = false;
  const started = performance.now();
  const health = pollHealth(url, () => done);
  const answers = await Promise.all(documents.map((xml) => post(url, apiKey, xml))).finally(
    () => (done = true),
  );
  const elapsedMs = performance.now() - started;
  const peakMiB = watch?.peakRssMiB();
  watch?.stop();
  const after = pid ? readMemory(pid) : undefined;
  return {
    count,
    lines,
    megabytes: documents[0]!.length / 1e6,
    answers,
    elapsedMs,
    health: await health,
    ...(before && after && peakMiB !== undefined
      ? { memory: { beforeMiB: before.rssMiB, peakMiB, highWaterMiB: after.peakRssMiB } }
      : {}),
  };
}

/** The result as printed lines. */
export function describeBigDocuments(result: BigDocumentsResult): string[] {
  const answer = (a: Answer) =>
    `${a.status}${a.error ? ` ${a.error}` : ''}${a.retryAfter ? ` (Retry-After ${a.retryAfter})` : ''} in ${(a.ms / 1000).toFixed(1)} s`;
  const { memory, health } = result;
  const mib = (value: number) => `${Math.round(value)} MiB`;
  return [
    `${result.count} invoices of ${result.megabytes.toFixed(1)} MB (${result.lines} lines) posted at once`,
    `answers: ${result.answers.map(answer).join(', ')}; all in ${(result.elapsedMs / 1000).toFixed(1)} s`,
    `/healthz: ${health.length} answers meanwhile, ${health.filter((h) => h.status === 200).length} of them 200, ` +
      `slowest ${Math.round(Math.max(0, ...health.map((h) => h.ms)))} ms`,
    memory
      ? `API resident memory: ${mib(memory.beforeMiB)} before, peak ${mib(memory.peakMiB)} meanwhile ` +
        `(sampled every 100 ms), VmHWM ${mib(memory.highWaterMiB)}`
      : 'API resident memory: unknown (set API_PID)',
  ];
}

async function main(): Promise<void> {
  const count = option('documents', 5);
  const lines = option('lines', BIG_INVOICE_LINES);
  const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const teardown = new Teardown(say);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void teardown.run().then(() => process.exit(130)));
  }
  try {
    let url = process.env.RELAIS_URL;
    let apiKey = process.env.RELAIS_API_KEY ?? '';
    let pid = process.env.API_PID ? Number(process.env.API_PID) : undefined;
    if (!url) {
      say('starting a Temporal dev server, a database and the API ...');
      const stack = await startApiStack(say, teardown);
      url = stack.relais.url;
      apiKey = stack.relais.tenant.apiKey;
      pid = stack.api.pid;
    }
    const result = await runBigDocuments({ url, apiKey, pid, count, lines });
    process.stdout.write(`${describeBigDocuments(result).join('\n')}\n`);
  } finally {
    await teardown.run();
  }
}

// Run as a script, not when bench/run.ts imports it.
if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
