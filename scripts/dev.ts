import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPool } from '../db/pool';
import { countTenants, createApiKey, createTenant } from '../db/tenants';
import { loadConfigOrExit } from '../platform/config';
import { createLogger } from '../platform/logger';
import { resolveDatabaseUrl } from '../platform/database-url';
import { startRelais } from '../platform/relais';
import { onShutdown } from '../platform/shutdown';
import { ensureTemporalCli } from '../platform/temporal-cli';
import { startDevServer, waitForTemporal, type DevServer } from '../platform/temporal-server';

/**
 * `npm start`: everything on embedded defaults. Uses TEMPORAL_ADDRESS / DATABASE_URL when set;
 * otherwise starts the Temporal CLI dev server and an embedded PostgreSQL with data under RELAIS_DATA_DIR.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'relais' });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((e) => say(String(e)));
  };
  onShutdown(stopAll, say);

  try {
    let temporalAddress = config.TEMPORAL_ADDRESS;
    let uiUrl: string | undefined;
    if (temporalAddress) {
      await waitForTemporal(temporalAddress);
    } else {
      const cli = await ensureTemporalCli({
        cliPath: config.TEMPORAL_CLI_PATH,
        cacheDir: config.RELAIS_CACHE_DIR,
        log: say,
      });
      const devServer: DevServer = await startDevServer({
        cli,
        port: config.TEMPORAL_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        dbFile: path.join(config.RELAIS_DATA_DIR, 'temporal', 'dev.sqlite'),
        namespace: config.TEMPORAL_NAMESPACE,
        logFile: path.join(config.RELAIS_DATA_DIR, 'temporal', 'server.log'),
      });
      cleanups.push(() => devServer.stop());
      temporalAddress = devServer.address;
      uiUrl = devServer.uiUrl;
    }

    const database = await resolveDatabaseUrl(config);
    cleanups.push(() => database.stop());
    const databaseUrl = database.url;

    const relais = await startRelais({
      config,
      databaseUrl,
      temporalAddress,
      logger,
      roles: { api: true, worker: true },
    });
    cleanups.push(() => relais.stop());
    const devKey =
      config.NODE_ENV === 'production'
        ? undefined
        : await ensureDevelopmentTenant(databaseUrl, path.join(config.RELAIS_DATA_DIR, 'dev-api-key'));

    say('');
    say(`Relais API:   ${relais.apiUrl}`);
    say(`Temporal UI:  ${uiUrl ?? `(the UI of ${temporalAddress})`}`);
    say(`Temporal:     ${temporalAddress} (namespace ${config.TEMPORAL_NAMESPACE})`);
    say(
      `PostgreSQL:   ${config.DATABASE_URL ? 'DATABASE_URL' : `embedded, data in ${path.join(config.RELAIS_DATA_DIR, 'postgres')}`}`,
    );
    if (devKey?.created) say(`Development tenant created. API key: ${devKey.apiKey}`);
    else if (devKey) say(`Development API key: in ${devKey.file}`);
    say('Press Ctrl+C to stop.');
  } catch (error) {
    say(`Relais could not start: ${(error as Error).message}`);
    await stopAll();
    process.exit(1);
  }
}

void main();

/**
 * On the first start with an empty database, creates a development tenant and keeps its key in the
 * data folder (0600), so a newcomer can call the API at once. Skipped in production.
 */
async function ensureDevelopmentTenant(
  databaseUrl: string,
  file: string,
): Promise<{ created: boolean; apiKey?: string; file: string }> {
  const pool = createPool(databaseUrl, 1);
  try {
    if ((await countTenants(pool)) > 0) return { created: false, file };
    const tenant = await createTenant(pool, 'Development tenant');
    const apiKey = await createApiKey(pool, tenant.id);
    writeFileSync(file, `${apiKey}\n`, { mode: 0o600 });
    return { created: true, apiKey, file };
  } finally {
    await pool.end();
  }
}
