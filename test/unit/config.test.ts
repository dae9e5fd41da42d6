import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig, projectRoot } from '../../platform/config';

test('defaults need no configuration', () => {
  const config = loadConfig({});
  assert.equal(config.PORT, 3000);
  assert.equal(config.TEMPORAL_TASK_QUEUE, 'relais');
  assert.equal(config.DATABASE_URL, undefined);
  assert.equal(config.RELAIS_DATA_DIR, path.join(projectRoot, '.data'));
});

test('a bad value names the variable and the reason', () => {
  assert.throws(
    () => loadConfig({ PORT: 'abc' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^Invalid configuration: PORT="abc": /);
      return true;
    },
  );
  assert.throws(
    () => loadConfig({ LOG_LEVEL: 'loud', DATABASE_URL: 'not a url' }),
    /LOG_LEVEL="loud".*DATABASE_URL="not a url"/,
  );
  assert.throws(
    () => loadConfig({ RELAIS_WEBHOOK_RETRY_FIRST_SECONDS: '60', RELAIS_WEBHOOK_RETRY_MAX_SECONDS: '10' }),
    /RELAIS_WEBHOOK_RETRY_MAX_SECONDS="10": the longest wait between attempts cannot be shorter/,
  );
});

test('a bad value stops the API process with a one-line message', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    cwd: projectRoot,
    env: { ...process.env, PORT: 'abc' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 2);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /PORT="abc"/);
});
