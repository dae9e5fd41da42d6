import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { outboundIpsSchema } from '../connectors/sftp/outbound-ips';
import { userUrlNetworkConfig } from '../connectors/shared/user-url-network';

/** The project root: data and cache folders live beside package.json unless configured otherwise. */
export const projectRoot = path.resolve(__dirname, '..');

const port = z.coerce.number().int().min(1).max(65535);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const commaList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

/** Every environment variable Relais reads, with its default. The README documents the same list. */
const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: port.default(3000),
    PUBLIC_BASE_URL: z.url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    RELAIS_DATA_DIR: z.string().min(1).default(path.join(projectRoot, '.data')),
    RELAIS_CACHE_DIR: z.string().min(1).default(path.join(projectRoot, '.cache')),
    DATABASE_URL: optionalText.pipe(z.url().optional()),
    EMBEDDED_PG_PORT: port.default(5433),
    TEMPORAL_ADDRESS: optionalText,
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('relais'),
    TEMPORAL_CLI_PATH: optionalText,
    TEMPORAL_PORT: port.default(7233),
    TEMPORAL_UI_PORT: port.default(8233),
    RELAIS_MASTER_KEY: optionalText,
    /** Bearer token of the operators' codec endpoint (`/codec`); unset, the endpoint answers 503. */
    RELAIS_OPERATOR_TOKEN: optionalText.pipe(
      z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)').optional(),
    ),
    /** `host:port` where a worker serves the Temporal SDK's Prometheus metrics; unset: not served. */
    RELAIS_TEMPORAL_METRICS_ADDRESS: optionalText.pipe(
      z
        .string()
        .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. 0.0.0.0:9464')
        .optional(),
    ),
    /** Origins of the Temporal UI allowed to call the codec endpoint; unset: the dev server's UI. */
    RELAIS_CODEC_CORS_ORIGINS: commaList,
    SETUP_EXPIRY_MINUTES: z.coerce
      .number()
      .positive()
      .default(24 * 60),
    OAUTH_WAIT_MINUTES: z.coerce.number().positive().default(15),
    RELAIS_RETURN_URL_ORIGINS: commaList,
    RELAIS_OUTBOUND_IPS: outboundIpsSchema,
    /** `connector=requests per minute,...`: overrides a connector's declared API limit. */
    RELAIS_RATE_LIMITS: commaList.pipe(
      z
        .array(z.string().regex(/^[a-z0-9-]+=\d+$/, 'expected connector=requestsPerMinute'))
        .transform(
          (items) =>
            Object.fromEntries(
              items.map((item) => [item.split('=')[0]!, Number(item.split('=')[1])]),
            ) as Record<string, number>,
        ),
    ),
    /**
     * How long one delivery attempt may run (a worker that died mid-attempt is noticed sooner, by
     * the missing heartbeats: DELIVERY_HEARTBEAT_TIMEOUT_SECONDS).
     */
    DELIVERY_ATTEMPT_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(120),
    /**
     * How long a delivery attempt may go without a heartbeat (the attempt sends one every few
     * seconds): a delivery whose worker died mid-attempt is retried by another worker this soon.
     */
    DELIVERY_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(20),
    /** How many days a delivery waits for its connection to be re-authorized before it fails. */
    RELAIS_PARK_MAX_DAYS: z.coerce.number().positive().default(30),
    /**
     * A target that processes documents later (Onea) is asked whether it is done after this many
     * seconds, then after twice as long each time up to DELIVERY_CONFIRM_MAX_CHECK_SECONDS; after
     * DELIVERY_CONFIRM_MAX_HOURS without its confirmation the delivery fails visibly.
     */
    DELIVERY_CONFIRM_FIRST_CHECK_SECONDS: z.coerce.number().positive().default(30),
    DELIVERY_CONFIRM_MAX_CHECK_SECONDS: z.coerce.number().positive().default(3600),
    DELIVERY_CONFIRM_MAX_HOURS: z.coerce.number().positive().default(168),
    /**
     * The reconciler (a Temporal Schedule) starts deliveries left `queued` without a workflow and
     * repairs rows whose workflow ended without recording its end, once they are this old...
     */
    RELAIS_RECONCILE_AFTER_SECONDS: z.coerce.number().int().nonnegative().default(60),
    /** ...every this many seconds. */
    RELAIS_RECONCILE_EVERY_SECONDS: z.coerce.number().int().positive().default(60),
    /**
     * Tests only (honoured when NODE_ENV=test): POST /v1/documents fails to start the workflows after
     * its transaction commits, as if the API died or Temporal went away at that moment.
     */
    RELAIS_TEST_FAIL_AFTER_COMMIT: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
    DOCUMENT_MAX_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(20 * 1024 * 1024),
    /** Threads that parse large documents (`POST /v1/documents`) off the event loop; default: the cores. */
    RELAIS_PARSE_THREADS: z.coerce.number().int().positive().default(Math.max(1, os.availableParallelism())),
    /**
     * Large documents (256 KB or more) one API process reads, parses and stores at once; one more gets
     * 503 with Retry-After before its body is read. Default: 4 × threads.
     */
    RELAIS_MAX_LARGE_PARSES: z.coerce.number().int().positive().optional(),
    /**
     * ...and megabytes of them: each costs about twice its size in the API meanwhile (plus a parse
     * thread's heap while it is parsed). A document alone is always admitted, whatever its size.
     */
    RELAIS_LARGE_DOCUMENTS_MB: z.coerce.number().positive().default(128),
    /** Heap (V8 old generation) of each parse thread; a document that needs more is refused with 400. */
    RELAIS_PARSE_THREAD_MB: z.coerce.number().int().min(32).default(128),
    /** Requests per minute one tenant may make to /v1 (a token bucket refilled at this rate)... */
    RELAIS_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
    /** ...and how many it may make at once before that rate applies. */
    RELAIS_RATE_LIMIT_BURST: z.coerce.number().int().positive().default(100),
    /**
     * Activities (deliveries, setup checks) one worker runs at once on TEMPORAL_TASK_QUEUE. Every
     * SFTP delivery opens an SSH session, and OpenSSH starts refusing new ones once 10 handshakes are
     * unfinished (MaxStartups 10:30:100 by default): a lower value spares retries when many deliveries
     * go to one server.
     */
    RELAIS_WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().default(100),
    /**
     * Workflows one worker keeps in memory between their tasks. The SDK sizes its cache to the heap
     * (about 2,300 on a 4 GB heap), and a parked delivery or a setup waiting for its sign-in stays in
     * it: 5,000 waiting took the worker to 1.3 GB, against 0.64 GB with 200. An evicted workflow is
     * replayed from its (short, bounded) history when its next task comes.
     */
    RELAIS_WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).default(200),
    /**
     * How long a client may take to send a request's headers and body; a slower one (a never-ending
     * body, a trickle of header bytes) gets 408 and its socket closed instead of holding it for Node's
     * default 5 minutes.
     */
    HTTP_REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(60),
    /** Connections one tenant may have in setup at the same time. */
    RELAIS_MAX_OPEN_SETUPS: z.coerce.number().int().positive().default(10),
    /** `npm start` also runs a throw-away local SFTP server to try the SFTP target with (never in production). */
    RELAIS_SANDBOX_SFTP: z
      .enum(['true', 'false', ''], 'expected true or false')
      .default('false')
      .transform((value) => value === 'true'),
    RELAIS_SANDBOX_SFTP_PORT: port.default(2222),
    /** OpenTelemetry traces go to this OTLP/HTTP collector (`/v1/traces` appended); unset: no tracing. */
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.pipe(z.url().optional()),
    /** The traces' own OTLP/HTTP URL, used as given; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalText.pipe(z.url().optional()),
    /** OpenTelemetry's switch: `true` turns tracing off whatever the endpoints say. */
    OTEL_SDK_DISABLED: z
      .enum(['true', 'false', ''], 'expected true or false')
      .default('false')
      .transform((value) => value === 'true'),
    /**
     * Outbound webhooks: the first wait after a failed attempt (doubling each time up to the longest
     * wait), and how long after the first attempt Relais stops trying.
     */
    RELAIS_WEBHOOK_RETRY_FIRST_SECONDS: z.coerce.number().positive().default(10),
    RELAIS_WEBHOOK_RETRY_MAX_SECONDS: z.coerce
      .number()
      .positive()
      .default(6 * 3600),
    RELAIS_WEBHOOK_GIVE_UP_SECONDS: z.coerce
      .number()
      .positive()
      .default(3 * 24 * 3600),
    /** The SSRF guard's allow-list and extra CA, for webhook endpoints as for connectors' user-typed URLs. */
    ...userUrlNetworkConfig,
  })
  .superRefine((config, context) => {
    if (config.RELAIS_SANDBOX_SFTP && config.NODE_ENV === 'production') {
      context.addIssue({
        code: 'custom',
        path: ['RELAIS_SANDBOX_SFTP'],
        message: 'the sandbox SFTP server is for trying Relais locally; it is refused in production',
      });
    }
    if (config.RELAIS_WEBHOOK_RETRY_MAX_SECONDS < config.RELAIS_WEBHOOK_RETRY_FIRST_SECONDS) {
      context.addIssue({
        code: 'custom',
        path: ['RELAIS_WEBHOOK_RETRY_MAX_SECONDS'],
        message: 'the longest wait between attempts cannot be shorter than the first one',
      });
    }
  });

export type Config = z.infer<typeof schema>;

/** Where browsers reach the API (OAuth redirect URIs and start links are built from it). */
export function publicBaseUrl(config: Config): string {
  return (config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/$/, '');
}

/** Origins a setup may send the browser back to after OAuth: the configured list plus our own. */
export function returnUrlOrigins(config: Config): string[] {
  return [...new Set([new URL(publicBaseUrl(config)).origin, ...config.RELAIS_RETURN_URL_ORIGINS])];
}

/** Browser origins allowed to call `/codec`: the configured list, else the dev server's UI under both names. */
export function codecCorsOrigins(config: Config): string[] {
  if (config.RELAIS_CODEC_CORS_ORIGINS.length) return config.RELAIS_CODEC_CORS_ORIGINS;
  return [`http://127.0.0.1:${config.TEMPORAL_UI_PORT}`, `http://localhost:${config.TEMPORAL_UI_PORT}`];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the configuration once; a bad value throws a one-line message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const value = env[name];
    return `${name}=${JSON.stringify(value ?? '')}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

/** Exits the process with the configuration message instead of a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
