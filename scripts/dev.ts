import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPool } from '../db/pool';
import { countTenants, createApiKey, createTenant } from '../db/tenants';
import { loadConfigOrExit, publicBaseUrl } from '../platform/config';
import { createLogger } from '../platform/logger';
import { resolveDatabaseUrl } from '../platform/database-url';
import { startRelais } from '../platform/relais';
import { sandboxMailEnv, startSandboxMail, type SandboxMail } from '../platform/sandbox-mail';
import { sandboxNetworkAllow, startSandboxSftp, type SandboxSftp } from '../platform/sandbox-sftp';
import { onShutdown } from '../platform/shutdown';
import { ensureTemporalCli } from '../platform/temporal-cli';
import { startDevServer, waitForTemporal, type DevServer } from '../platform/temporal-server';
import { otlpTracesUrl, startTracing } from '../platform/tracing';

/**
 * `npm start`: everything on embedded defaults. Uses TEMPORAL_ADDRESS / DATABASE_URL when set;
 * otherwise starts the Temporal CLI dev server and an embedded PostgreSQL with data under RELAIS_DATA_DIR.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // First: everything after it (the Temporal clients, the workers, the server) is traced.
  const tracing = startTracing(config, { serviceName: 'relais' });
  // The codec endpoint needs an operator token: development keeps a generated one, like its API key.
  const operatorTokenFile = path.join(config.RELAIS_DATA_DIR, 'operator-token');
  const operatorTokenFrom = config.RELAIS_OPERATOR_TOKEN
    ? 'RELAIS_OPERATOR_TOKEN'
    : `in ${operatorTokenFile}`;
  if (!config.RELAIS_OPERATOR_TOKEN && config.NODE_ENV !== 'production')
    config.RELAIS_OPERATOR_TOKEN = ensureOperatorToken(operatorTokenFile);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'relais' });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((e) => say(String(e)));
  };
  // Pushed first, so it runs last: the spans of the shutdown itself are exported too.
  if (tracing) cleanups.push(() => tracing.shutdown());
  onShutdown(stopAll, say);
  // A child that fails to spawn (an 'error' event nobody listens to) must not leave the others running.
  process.once('uncaughtException', (error) => {
    say(`Relais could not start: ${error.message}`);
    void stopAll().finally(() => process.exit(1));
  });

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
        uiCodecEndpoint: `${publicBaseUrl(config)}/codec`,
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

    let sandbox: SandboxSftp | undefined;
    if (config.RELAIS_SANDBOX_SFTP) {
      sandbox = await startSandboxSftp({
        dataDir: config.RELAIS_DATA_DIR,
        port: config.RELAIS_SANDBOX_SFTP_PORT,
      });
      cleanups.push(sandbox.stop);
    }

    // No relay configured: mailbox targets (Octopus, ...) send to a local catcher instead of nowhere.
    let mailSandbox: SandboxMail | undefined;
    if (!process.env.RELAIS_SMTP_URL && config.NODE_ENV !== 'production') {
      mailSandbox = await startSandboxMail({ dataDir: config.RELAIS_DATA_DIR });
      cleanups.push(mailSandbox.stop);
    }
    const baseEnv = mailSandbox ? sandboxMailEnv(mailSandbox, process.env) : process.env;

    const relais = await startRelais({
      config,
      databaseUrl,
      temporalAddress,
      logger,
      roles: { api: true, worker: true },
      ...(tracing ? { tracing } : {}),
      // The SSRF guard refuses loopback hosts: the sandbox server (its address and port only) is the one a
      // user may name there.
      env: sandbox
        ? {
            ...baseEnv,
            RELAIS_NETWORK_ALLOW: [process.env.RELAIS_NETWORK_ALLOW, sandboxNetworkAllow(sandbox)]
              .filter(Boolean)
              .join(','),
          }
        : baseEnv,
    });
    cleanups.push(() => relais.stop());
    const devKey =
      config.NODE_ENV === 'production'
        ? undefined
        : await ensureDevelopmentTenant(databaseUrl, path.join(config.RELAIS_DATA_DIR, 'dev-api-key'));

    say('');
    say(`Relais API:   ${relais.apiUrl}`);
    // The key travels in the fragment, which browsers never send to a server (nor put in logs).
    say(`Web app:      ${publicBaseUrl(config)}/${devKey ? `#key=${devKey.apiKey}` : ''}`);
    say(`Temporal UI:  ${uiUrl ?? `(the UI of ${temporalAddress})`}`);
    say(`Temporal:     ${temporalAddress} (namespace ${config.TEMPORAL_NAMESPACE})`);
    if (config.RELAIS_OPERATOR_TOKEN) {
      say(`Codec:        ${publicBaseUrl(config)}/codec decrypts the history for the Temporal UI and CLI:`);
      say(`              sign in once at ${publicBaseUrl(config)}/codec/sign-in with the operator token`);
      say(`              (${operatorTokenFrom}), then tick`);
      say('              "Include cross-origin credentials" in the UI\'s codec server settings.');
    }
    // The collector's host only: its URL may hold credentials.
    if (tracing) say(`Tracing:      OTLP to ${new URL(otlpTracesUrl(config)!).host}`);
    const where = new URL(databaseUrl);
    say(`PostgreSQL:   ${config.DATABASE_URL ? 'DATABASE_URL' : `${where.host}${where.pathname}`}`);
    if (devKey?.created) say(`Development tenant created. API key: ${devKey.apiKey}`);
    else if (devKey) say(`Development API key: in ${devKey.file}`);
    if (sandbox) {
      say(
        `Sandbox SFTP: host ${sandbox.host}, port ${sandbox.port}, user ${sandbox.username}, password ${sandbox.password}`,
      );
      say(`              files arrive in ${sandbox.folder}`);
    }
    if (mailSandbox) {
      say(
        `Mail sandbox: ${mailSandbox.host}:${mailSandbox.port} (RELAIS_SMTP_URL is not set); messages stored in`,
      );
      say(`              ${mailSandbox.folder} (one .eml per mail, open it with any mail program)`);
    }
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
): Promise<{ created: boolean; apiKey: string; file: string } | undefined> {
  const pool = createPool(databaseUrl, 1);
  try {
    if ((await countTenants(pool)) > 0) {
      const kept = readKeptKey(file);
      return kept ? { created: false, apiKey: kept, file } : undefined;
    }
    const tenant = await createTenant(pool, 'Development tenant');
    const apiKey = await createApiKey(pool, tenant.id);
    writeFileSync(file, `${apiKey}\n`, { mode: 0o600 });
    return { created: true, apiKey, file };
  } finally {
    await pool.end();
  }
}

/** The operator token of an earlier start, or a new one kept in `file` (0600). */
function ensureOperatorToken(file: string): string {
  const kept = readKeptKey(file);
  if (kept) return kept;
  const token = randomBytes(32).toString('base64url');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** The development key kept by an earlier start; undefined when the file is gone (tenants made otherwise). */
function readKeptKey(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
