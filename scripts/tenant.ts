import { parseArgs } from 'node:util';
import type pg from 'pg';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createTenant, issueApiKey, listApiKeys, revokeApiKey, type ApiKeyRecord } from '../db/tenants';
import { loadConfigOrExit } from '../platform/config';
import { resolveDatabaseUrl } from '../platform/database-url';

const usage = `Usage:
  npm run tenant -- create <name> [--customer-number <n>] [--json]   a tenant and its first API key
  npm run tenant -- key create <tenantId> [--json]                   another API key for the tenant
  npm run tenant -- key list <tenantId> [--json]                     the tenant's keys (prefixes, never keys)
  npm run tenant -- key revoke <keyPrefix or id>                     refuses the key from its next request on`;

interface Options {
  customerNumber: string | undefined;
}

/** What a command prints: JSON for scripts, or lines for a person. */
type Output = { json: unknown; text: string };

const describeKey = (key: ApiKeyRecord) =>
  `${key.prefix}…  ${key.id}  created ${key.createdAt.toISOString()}` +
  (key.revokedAt ? `  revoked ${key.revokedAt.toISOString()}` : '');

type Command =
  { name: 'create'; tenantName: string } | { name: 'key create' | 'key list' | 'key revoke'; target: string };

function parseCommand([command, subcommand, ...rest]: string[]): Command | undefined {
  if (command === 'create') {
    const tenantName = [subcommand, ...rest].join(' ').trim();
    return tenantName ? { name: 'create', tenantName } : undefined;
  }
  const name = `${command} ${subcommand}`;
  if ((name === 'key create' || name === 'key list' || name === 'key revoke') && rest.length === 1) {
    return { name, target: rest[0]! };
  }
  return undefined;
}

/** The admin commands: API keys are shown once, when created; only their hashes are stored. */
async function run(pool: pg.Pool, command: Command, options: Options): Promise<Output> {
  switch (command.name) {
    case 'create': {
      const tenant = await createTenant(pool, command.tenantName, options.customerNumber);
      const { apiKey } = await issueApiKey(pool, tenant.id);
      return {
        json: { tenantId: tenant.id, apiKey },
        text: `Tenant ${tenant.name} (${tenant.id})\nAPI key (shown once, keep it): ${apiKey}`,
      };
    }
    case 'key create': {
      const key = await issueApiKey(pool, command.target);
      return {
        json: { tenantId: key.tenantId, keyId: key.id, prefix: key.prefix, apiKey: key.apiKey },
        text: `API key ${key.id} for tenant ${key.tenantId} (shown once, keep it): ${key.apiKey}`,
      };
    }
    case 'key list': {
      const keys = await listApiKeys(pool, command.target);
      return { json: { keys }, text: keys.length ? keys.map(describeKey).join('\n') : 'No API keys.' };
    }
    case 'key revoke': {
      const key = await revokeApiKey(pool, command.target);
      return { json: { revoked: key }, text: `Revoked ${describeKey(key)} (tenant ${key.tenantId})` };
    }
  }
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, 'customer-number': { type: 'string' } },
  });
  const command = parseCommand(positionals);
  if (!command) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  const config = loadConfigOrExit();
  const database = await resolveDatabaseUrl(config);
  const pool = createPool(database.url, 1);
  try {
    await migrate(pool);
    const output = await run(pool, command, { customerNumber: values['customer-number'] });
    process.stdout.write(`${values.json ? JSON.stringify(output.json) : output.text}\n`);
  } finally {
    await pool.end();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
