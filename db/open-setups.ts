import type pg from 'pg';

/**
 * How many of the tenant's connections are in setup, under a per-tenant transaction lock so that
 * the count and the insert that follows cannot be slipped under by simultaneous requests.
 */
export async function lockAndCountOpenSetups(db: pg.PoolClient, tenantId: string): Promise<number> {
  await db.query('select pg_advisory_xact_lock(hashtext($1))', [`open-setups:${tenantId}`]);
  const { rows } = await db.query(
    `select count(*)::int as open from connections where tenant_id = $1 and status = 'setting-up'`,
    [tenantId],
  );
  return rows[0].open as number;
}
