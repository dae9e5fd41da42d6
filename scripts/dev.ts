import path from 'node:path';
import { loadConfigOrExit } from '../platform/config';
import { createLogger } from '../platform/logger';
import { ensureDatabase, startEmbeddedPostgres, type PostgresServer } from '../platform/postgres';
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

    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const postgres: PostgresServer = await startEmbeddedPostgres({
        dataDir: path.join(config.RELAIS_DATA_DIR, 'postgres'),
        port: config.EMBEDDED_PG_PORT,
      });
      cleanups.push(() => postgres.stop());
      databaseUrl = await ensureDatabase(postgres.adminUrl, 'relais');
    }

    const relais = await startRelais({
      config,
      databaseUrl,
      temporalAddress,
      logger,
      roles: { api: true, worker: true },
    });
    cleanups.push(() => relais.stop());

    say('');
    say(`Relais API:   ${relais.apiUrl}`);
    say(`Temporal UI:  ${uiUrl ?? `(the UI of ${temporalAddress})`}`);
    say(`Temporal:     ${temporalAddress} (namespace ${config.TEMPORAL_NAMESPACE})`);
    say(
      `PostgreSQL:   ${config.DATABASE_URL ? 'DATABASE_URL' : `embedded, data in ${path.join(config.RELAIS_DATA_DIR, 'postgres')}`}`,
    );
    say('Press Ctrl+C to stop.');
  } catch (error) {
    say(`Relais could not start: ${(error as Error).message}`);
    await stopAll();
    process.exit(1);
  }
}

void main();
