import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { freePort } from '../../platform/free-port';

/*
 * `npm start` (scripts/dev.ts) as a process of its own, as a new user runs it: its data in a folder
 * only root can enter, and a start that fails half-way.
 */

const projectRoot = path.join(__dirname, '..', '..');

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function startRelais(env: Record<string, string>) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'relais-start-'));
  chmodSync(dataDir, 0o700);
  const temporalPort = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      RELAIS_DATA_DIR: dataDir,
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    temporalPort,
    output: () => output,
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

test('npm start with its data in a root-only folder starts, serves, and stops every child on Ctrl+C', async () => {
  const port = await freePort();
  const relais = await startRelais({ PORT: String(port), RELAIS_SMTP_URL: '' });
  try {
    const deadline = Date.now() + 120_000;
    while (!relais.output().includes('Press Ctrl+C to stop.')) {
      assert.ok(Date.now() < deadline, `npm start did not come up:\n${relais.output()}`);
      assert.equal(relais.child.exitCode, null, `npm start exited:\n${relais.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    // No relay configured: the mail sandbox runs, says where mails go, and stops with the rest.
    const mail = relais.output().match(/Mail sandbox: 127\.0\.0\.1:(\d+) .*messages stored in\s+(\S+)/);
    assert.ok(mail, `no mail sandbox line:\n${relais.output()}`);
    assert.equal(await portAnswers(Number(mail[1])), true);
    assert.match(mail[2]!, /relais-start-.*\/mail$/);
    relais.child.kill('SIGINT');
    assert.equal(await relais.exited, 0, relais.output());
    assert.equal(await portAnswers(relais.temporalPort), false, 'the Temporal dev server stopped too');
    assert.equal(await portAnswers(Number(mail[1])), false, 'the mail sandbox stopped too');
  } finally {
    relais.child.kill('SIGKILL');
    relais.cleanup();
  }
});

test('a start that fails half-way (the API port is taken) stops the Temporal dev server it started', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  const relais = await startRelais({ PORT: String(port) });
  try {
    const code = await relais.exited;
    assert.equal(code, 1, relais.output());
    assert.match(relais.output(), /Relais could not start/);
    assert.equal(
      await portAnswers(relais.temporalPort),
      false,
      'no Temporal dev server left holding its port',
    );
  } finally {
    relais.child.kill('SIGKILL');
    relais.cleanup();
    taken.close();
  }
});
