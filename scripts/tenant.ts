import { parseArgs } from 'node:util';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createApiKey, createTenant } from '../db/tenants';
import { loadConfigOrExit } from '../platform/config';
import { resolveDatabaseUrl } from '../platform/database-url';

const usage = 'Usage: npm run tenant -- create <name> [--customer-number <n>] [--json]';

/** `npm run tenant -- create <name>`: creates a tenant and its first API key (shown once, stored hashed). */
async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, 'customer-number': { type: 'string' } },
  });
  const [command, ...nameParts] = positionals;
  const name = nameParts.join(' ').trim();
  if (command !== 'create' || !name) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  const config = loadConfigOrExit();
  const database = await resolveDatabaseUrl(config);
  const pool = createPool(database.url, 1);
  try {
    await migrate(pool);
    const tenant = await createTenant(pool, name, values['customer-number']);
    const apiKey = await createApiKey(pool, tenant.id);
    if (values.json) process.stdout.write(`${JSON.stringify({ tenantId: tenant.id, apiKey })}\n`);
    else
      process.stdout.write(
        `Tenant ${tenant.name} (${tenant.id})\nAPI key (shown once, keep it): ${apiKey}\n`,
      );
  } finally {
    await pool.end();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
