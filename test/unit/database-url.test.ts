import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../platform/config';
import { machinePostgres, resolveDatabaseUrl } from '../../platform/database-url';
import { postgresAnswers } from '../../platform/postgres';

test('without DATABASE_URL, npm start uses the machine’s PostgreSQL when it answers (no embedded binaries)', async (t) => {
  if (!(await postgresAnswers(machinePostgres))) {
    // The suite itself runs on another server (DATABASE_URL or embedded): nothing to check here.
    t.skip('no PostgreSQL on 127.0.0.1:5432 with trust authentication');
    return;
  }
  const config = loadConfig({ NODE_ENV: 'test', RELAIS_DATA_DIR: '/nonexistent/relais-data' });
  assert.equal(config.DATABASE_URL, undefined);
  const database = await resolveDatabaseUrl(config);
  try {
    const url = new URL(database.url);
    assert.equal(url.host, '127.0.0.1:5432');
    assert.equal(url.pathname, '/relais');
    assert.ok(await postgresAnswers(database.url), 'the relais database exists');
  } finally {
    await database.stop();
  }
});
