import { parseArgs } from 'node:util';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  documents: positiveInt.default(2000),
  concurrency: positiveInt.default(16),
  rate: z.coerce.number().min(0).default(25),
  rateSeconds: positiveInt.default(30),
  idleDocuments: positiveInt.default(20),
  idleGapMs: z.coerce.number().int().min(0).default(500),
  timeoutMinutes: positiveInt.default(30),
  baseline: z.boolean().default(true),
  bigDocuments: z.coerce.number().int().min(0).default(5),
  cpuProfileDir: z.string().min(1).optional(),
  temporalPragmas: z.record(z.string(), z.string()),
  temporalConfig: z.record(z.string(), z.unknown()),
});

export type BenchOptions = z.infer<typeof schema>;

export const usage = `npm run bench -- [options]
  --documents N        documents pushed through Relais in the capacity phase (default 2000; env BENCH_DOCUMENTS)
  --concurrency N      requests in flight at the API, and loops in the baseline (default 16; env BENCH_CONCURRENCY)
  --rate N             documents per second in the target-traffic phase, whatever the answers (default 25,
                       i.e. 50 deliveries/s; 0 leaves the phase out)
  --rate-seconds N     how long that traffic is offered (default 30; never more than --documents documents)
  --idle-documents N   documents sent one at a time for the idle latency (default 20)
  --idle-gap-ms N      pause before each idle document (default 500)
  --timeout-minutes N  the whole run is stopped (and cleaned up) after this long (default 30)
  --skip-baseline      leave out the direct uploads without Relais
  --big-documents N    invoices of 20.8 MB posted at once at the end, by a tenant without connections: the API's
                       memory and /healthz meanwhile (default 5; 0 leaves the phase out)
  --cpu-profile DIR    write V8 CPU profiles of the API and the worker into DIR (open them in Chrome DevTools)
  --temporal-pragma NAME=VALUE   SQLite pragma of the dev server, replacing its default (repeatable)
  --temporal-config KEY=JSON     dynamic configuration value of the dev server (repeatable)
The API and the worker read the usual environment variables (see the README's configuration table).`;

/** A mistake on the command line: its message (with the usage) is all the user needs to see. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Reads the command line (and BENCH_DOCUMENTS / BENCH_CONCURRENCY); a mistake throws a UsageError. */
export function readOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  try {
    return readValidOptions(argv, env);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // parseArgs names an unknown option or a missing value in its message.
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
}

function readValidOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      documents: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      'rate-seconds': { type: 'string' },
      'idle-documents': { type: 'string' },
      'idle-gap-ms': { type: 'string' },
      'timeout-minutes': { type: 'string' },
      'skip-baseline': { type: 'boolean' },
      'big-documents': { type: 'string' },
      'cpu-profile': { type: 'string' },
      'temporal-pragma': { type: 'string', multiple: true },
      'temporal-config': { type: 'string', multiple: true },
    },
  });
  const parsed = schema.safeParse({
    documents: values.documents ?? env.BENCH_DOCUMENTS,
    concurrency: values.concurrency ?? env.BENCH_CONCURRENCY,
    rate: values.rate,
    rateSeconds: values['rate-seconds'],
    idleDocuments: values['idle-documents'],
    idleGapMs: values['idle-gap-ms'],
    timeoutMinutes: values['timeout-minutes'],
    baseline: !values['skip-baseline'],
    bigDocuments: values['big-documents'],
    cpuProfileDir: values['cpu-profile'],
    temporalPragmas: keyValues(values['temporal-pragma'], (value) => value),
    temporalConfig: keyValues(values['temporal-config'], jsonOrText),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new UsageError(`Invalid option: ${problems.join('; ')}\n${usage}`);
  }
  return parsed.data;
}

/** `key=value` arguments as a record; a value without "=" is a mistake worth a clear message. */
function keyValues<T>(items: string[] | undefined, read: (value: string) => T): Record<string, T> {
  return Object.fromEntries(
    (items ?? []).map((item) => {
      const separator = item.indexOf('=');
      if (separator < 1) throw new UsageError(`Expected KEY=VALUE, got "${item}"\n${usage}`);
      return [item.slice(0, separator), read(item.slice(separator + 1))];
    }),
  );
}

function jsonOrText(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
