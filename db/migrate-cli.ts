import { loadConfigOrExit } from '../platform/config';
import { createPool } from './pool';
import { migrate } from './migrate';

/** `npm run migrate`: applies pending migrations to DATABASE_URL (production deployments run this once). */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.DATABASE_URL) {
    process.stderr.write('DATABASE_URL is not set: npm start migrates its embedded database by itself.\n');
    process.exit(2);
  }
  const pool = createPool(config.DATABASE_URL, 1);
  try {
    const { applied } = await migrate(pool);
    process.stdout.write(applied.length ? `Applied ${applied.join(', ')}\n` : 'Nothing to apply.\n');
  } finally {
    await pool.end();
  }
}

void main();
