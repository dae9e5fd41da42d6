import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfigOrExit, projectRoot } from '../platform/config';
import { machinePostgres } from '../platform/database-url';
import { freePort } from '../platform/free-port';
import { postgresAnswers, startEmbeddedPostgres } from '../platform/postgres';
import { ensureTemporalCli, ensureTemporalTestServer } from '../platform/temporal-cli';
import { startDevServer, waitForTemporal } from '../platform/temporal-server';
import { buildWorkflowBundle } from '../worker/workflow-bundle';

/**
 * `npm test`: provides what the suite needs (a Temporal dev server, PostgreSQL, the time-skipping test
 * server, one workflow bundle shared by all files), then runs node's test runner on test/**\/*.test.ts.
 * `npm test -- test/some.test.ts` runs only the named files.
 */
async function main(): Promise<number> {
  const config = loadConfigOrExit({ ...process.env, NODE_ENV: 'test' });
  const say = (line: string) => process.stdout.write(`[test setup] ${line}\n`);
  const cleanups: Array<() => Promise<void>> = [];
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' };
  try {
    const cacheDir = config.RELAIS_CACHE_DIR;
    if (config.TEMPORAL_ADDRESS) {
      await waitForTemporal(config.TEMPORAL_ADDRESS);
      env.TEMPORAL_ADDRESS = config.TEMPORAL_ADDRESS;
    } else {
      const cli = await ensureTemporalCli({ cliPath: config.TEMPORAL_CLI_PATH, cacheDir, log: say });
      const server = await startDevServer({
        cli,
        port: await freePort(),
        namespace: config.TEMPORAL_NAMESPACE,
        logFile: path.join(projectRoot, 'test-artifacts', 'temporal-server.log'),
      });
      cleanups.push(() => server.stop());
      env.TEMPORAL_ADDRESS = server.address;
      env.TEMPORAL_CLI_PATH = cli;
      say(`Temporal dev server on ${server.address}`);
    }
    env.TEMPORAL_TEST_SERVER_PATH = await ensureTemporalTestServer({ cacheDir, log: say });

    const localServer = machinePostgres;
    if (config.DATABASE_URL) env.RELAIS_TEST_PG_ADMIN_URL = config.DATABASE_URL;
    else if (await postgresAnswers(localServer)) env.RELAIS_TEST_PG_ADMIN_URL = localServer;
    else {
      const postgres = await startEmbeddedPostgres({
        dataDir: path.join(config.RELAIS_DATA_DIR, 'test-postgres'),
        port: await freePort(),
      });
      cleanups.push(() => postgres.stop());
      env.RELAIS_TEST_PG_ADMIN_URL = postgres.adminUrl;
    }
    say(`PostgreSQL for tests: ${new URL(env.RELAIS_TEST_PG_ADMIN_URL).host}`);

    // One workflow bundle for every test file.
    const bundlePath = path.join(cacheDir, 'test', 'workflow-bundle.js');
    mkdirSync(path.dirname(bundlePath), { recursive: true });
    writeFileSync(bundlePath, await buildWorkflowBundle());
    env.RELAIS_TEST_WORKFLOW_BUNDLE = bundlePath;

    const requested = process.argv.slice(2);
    const files = requested.length ? requested : findTests(path.join(projectRoot, 'test'));
    if (files.some((file) => path.normalize(file).split(path.sep).includes('browser'))) ensureChromium(say);
    return await runNodeTests(files, env);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/**
 * The browser tests drive Debian's Chromium (test/helpers/browser-chromium.ts): installed once per
 * machine with apt-get, as root; elsewhere, say how to get it (or point CHROMIUM_PATH at one).
 */
function ensureChromium(say: (line: string) => void): void {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(chromium)) return;
  if (process.getuid?.() !== 0) {
    say(
      `No Chromium at ${chromium}: the browser tests will fail. Install it (sudo apt-get install chromium)`,
    );
    say('or set CHROMIUM_PATH to a Chromium or Chrome binary.');
    return;
  }
  say('Installing Chromium for the browser tests (apt-get install chromium)...');
  const installed = spawnSync('sh', ['-c', 'apt-get update -q && apt-get install -y -q chromium'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (installed.status !== 0 || !existsSync(chromium))
    say('Installing Chromium failed: the browser tests will fail.');
}

function findTests(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => path.join('test', file))
    .sort();
}

function runNodeTests(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files];
  const child = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => child.kill(signal));
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Test setup failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
