import { loadConfigOrExit } from './config';
import { createLogger } from './logger';
import { startRelais } from './relais';
import { onShutdown } from './shutdown';
import { otlpTracesUrl, startTracing } from './tracing';

/**
 * Entry point of `npm run api` / `npm run worker` (and the production containers): one role, against
 * the PostgreSQL and Temporal the configuration names. `npm start` is the all-in-one variant.
 */
export async function runRole(role: 'api' | 'worker'): Promise<void> {
  const config = loadConfigOrExit();
  // First: everything after it (the Temporal clients, the workers, the server) is traced.
  const tracing = startTracing(config, { serviceName: `relais-${role}` });
  const logger = createLogger({ level: config.LOG_LEVEL, name: `relais-${role}` });
  if (!config.DATABASE_URL) {
    process.stderr.write(`DATABASE_URL is required to run the ${role} alone (npm start provides one).\n`);
    process.exit(2);
  }
  try {
    const relais = await startRelais({
      config,
      databaseUrl: config.DATABASE_URL,
      temporalAddress: config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`,
      logger,
      roles: { api: role === 'api', worker: role === 'worker' },
      ...(tracing ? { tracing } : {}),
    });
    onShutdown(
      async () => {
        await relais.stop();
        await tracing?.shutdown();
      },
      (line) => logger.info(line),
    );
    if (relais.apiUrl) logger.info({ url: relais.apiUrl }, 'API listening');
    // The collector's host only: its URL may hold credentials.
    if (tracing) logger.info({ collector: new URL(otlpTracesUrl(config)!).host }, 'tracing on');
  } catch (error) {
    logger.fatal({ err: error }, `${role} could not start`);
    process.exit(1);
  }
}
