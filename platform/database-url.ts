import path from 'node:path';
import type { Config } from './config';
import { ensureDatabase, postgresAnswers, startEmbeddedPostgres } from './postgres';

/**
 * The database `npm start` and the admin commands use: DATABASE_URL, else the embedded PostgreSQL
 * (already running for `npm start`, or started here for the duration of the command).
 */
export async function resolveDatabaseUrl(config: Config): Promise<{ url: string; stop(): Promise<void> }> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, stop: async () => undefined };
  const adminUrl = `postgres://relais:relais@127.0.0.1:${config.EMBEDDED_PG_PORT}/postgres`;
  if (await postgresAnswers(adminUrl))
    return { url: await ensureDatabase(adminUrl, 'relais'), stop: async () => undefined };
  const server = await startEmbeddedPostgres({
    dataDir: path.join(config.RELAIS_DATA_DIR, 'postgres'),
    port: config.EMBEDDED_PG_PORT,
  });
  return { url: await ensureDatabase(server.adminUrl, 'relais'), stop: () => server.stop() };
}
