import path from 'node:path';
import type { Config } from './config';
import { ensureDatabase, postgresAnswers, startEmbeddedPostgres } from './postgres';

/** PostgreSQL as Debian and most installs run it: local, trust authentication for postgres. */
export const machinePostgres = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * The database `npm start` and the admin commands use: DATABASE_URL, else the machine's PostgreSQL
 * on 127.0.0.1:5432 when it lets us in (database `relais`), else the embedded PostgreSQL (already
 * running for `npm start`, or started here for the duration of the command).
 */

export async function resolveDatabaseUrl(config: Config): Promise<{ url: string; stop(): Promise<void> }> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, stop: async () => undefined };
  // The machine's own PostgreSQL first (as the tests do): nothing to initialise, and no embedded
  // binaries that a separate OS user must be able to reach (a clone in a root-only folder).
  if (await postgresAnswers(machinePostgres)) {
    return { url: await ensureDatabase(machinePostgres, 'relais'), stop: async () => undefined };
  }
  const adminUrl = `postgres://relais:relais@127.0.0.1:${config.EMBEDDED_PG_PORT}/postgres`;
  if (await postgresAnswers(adminUrl))
    return { url: await ensureDatabase(adminUrl, 'relais'), stop: async () => undefined };
  const server = await startEmbeddedPostgres({
    dataDir: path.join(config.RELAIS_DATA_DIR, 'postgres'),
    port: config.EMBEDDED_PG_PORT,
  });
  return { url: await ensureDatabase(server.adminUrl, 'relais'), stop: () => server.stop() };
}
