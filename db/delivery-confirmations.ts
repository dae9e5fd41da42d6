import type pg from 'pg';

/**
 * The reference a target gave a document it accepted for later processing (Onea's transfer uuid),
 * kept in the delivery's receipt as `pending.reference` the moment the target answers. While it is
 * there, Relais asks about that reference and never sends the document again.
 */
export async function pendingReferenceOf(
  db: pg.Pool,
  tenantId: string,
  deliveryId: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ reference: string | null }>(
    `select receipt #>> '{pending,reference}' as reference from deliveries where id = $1 and tenant_id = $2`,
    [deliveryId, tenantId],
  );
  return rows[0]?.reference ?? undefined;
}

/** The target refused the document after accepting it: a later retry files it anew. */
export async function forgetPendingReference(
  db: pg.Pool,
  tenantId: string,
  deliveryId: string,
): Promise<void> {
  await db.query(
    `update deliveries set receipt = receipt - 'pending', updated_at = now() where id = $1 and tenant_id = $2`,
    [deliveryId, tenantId],
  );
}
