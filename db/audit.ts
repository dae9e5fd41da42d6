import type pg from 'pg';

/** One line of the tenant's audit trail (what changed, by which step, for which connection). */
export async function recordAuditEvent(
  db: pg.Pool | pg.PoolClient,
  event: { tenantId: string; connectionId: string; kind: string; detail: Record<string, unknown> },
): Promise<void> {
  await db.query(
    `insert into audit_events (tenant_id, connection_id, kind, detail) values ($1, $2, $3, $4)`,
    [event.tenantId, event.connectionId, event.kind, JSON.stringify(event.detail)],
  );
}
