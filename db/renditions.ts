import type pg from 'pg';

/**
 * The stored rendering of a document in `format`, or the one `render` makes now, stored first: the
 * first writer wins, so concurrent deliveries of one document in one format send the same bytes.
 */
export async function renditionOf(
  db: pg.Pool,
  input: { tenantId: string; documentId: string; format: string; softwareVersion: string },
  render: () => Buffer,
): Promise<Buffer> {
  const read = async () =>
    (
      await db.query(
        'select content from renditions where tenant_id = $1 and document_id = $2 and format = $3',
        [input.tenantId, input.documentId, input.format],
      )
    ).rows[0]?.content as Buffer | undefined;
  const stored = await read();
  if (stored) return stored;
  const rendered = render();
  const inserted = await db.query(
    `insert into renditions (tenant_id, document_id, format, content, software_version)
     values ($1, $2, $3, $4, $5) on conflict (document_id, format) do nothing`,
    [input.tenantId, input.documentId, input.format, rendered, input.softwareVersion],
  );
  if (inserted.rowCount === 1) return rendered;
  // Another writer was first: read theirs (a statement of its own, so their committed row is seen).
  const content = await read();
  if (!content)
    throw new Error(`Rendition of ${input.documentId} as ${input.format} not found after storing it`);
  return content;
}
