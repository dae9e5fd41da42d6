import type pg from 'pg';

/**
 * Rows only the worker writes while deliveries run, never a request: a document's stored rendering and
 * a delivery's timeline events appear whenever its delivery gets to them, so they are no sign of a
 * request storing something (no API route writes either table).
 */
const writtenByDeliveries = new Set(['renditions', 'delivery_events']);

/** Every table of the schema that holds tenants' data (has a tenant_id column), found, not listed. */
async function tenantTables(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query(
    `select table_name from information_schema.columns
      where table_schema = current_schema() and column_name = 'tenant_id' order by table_name`,
  );
  return rows.map((row) => row.table_name as string).filter((table) => !writtenByDeliveries.has(table));
}

/**
 * Everything stored for one tenant, table by table, in a stable order: two snapshots are equal when
 * nothing of the tenant's was added, changed or removed. New tables are included by themselves.
 */
export async function tenantRows(pool: pg.Pool, tenantId: string): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const table of await tenantTables(pool)) {
    const { rows } = await pool.query(`select * from ${table} where tenant_id = $1`, [tenantId]);
    snapshot[table] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return snapshot;
}

/** How many rows each tenant-data table holds, all tenants together: "nothing stored half-way". */
export async function rowCounts(pool: pg.Pool): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await tenantTables(pool)) {
    const { rows } = await pool.query(`select count(*)::int as n from ${table}`);
    counts[table] = rows[0].n;
  }
  return counts;
}
