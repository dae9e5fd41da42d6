import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../db/migrate';
import { createPool } from '../../db/pool';
import { ensureDatabase } from '../../platform/postgres';

export function adminUrl(): string {
  const url = process.env.RELAIS_TEST_PG_ADMIN_URL;
  if (!url) throw new Error('RELAIS_TEST_PG_ADMIN_URL is not set: run the tests with `npm test`');
  return url;
}

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file; `drop()` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `relais_test_${randomBytes(6).toString('hex')}`;
  const url = await ensureDatabase(adminUrl(), name);
  const pool = createPool(url);
  await migrate(pool);
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      const admin = new pg.Client({ connectionString: adminUrl() });
      await admin.connect();
      try {
        await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}
