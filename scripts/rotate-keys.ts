import { parseArgs } from 'node:util';
import { createPool } from '../db/pool';
import { rotateSecrets, type ColumnRotation } from '../db/rotate-secrets';
import { loadConfigOrExit } from '../platform/config';
import { resolveDatabaseUrl } from '../platform/database-url';
import { loadMasterKeys } from '../platform/master-keys';
import { createVault } from '../platform/vault';

/**
 * `npm run rotate-keys [-- --json]`: re-encrypts every stored secret under the current (first) key of
 * RELAIS_MASTER_KEY, while the service runs. A rotation: put the new key first and keep the old one
 * after it (`new:<base64>,old:<base64>`) in every API and worker, restart them, run this command,
 * then drop the old key once Temporal no longer holds history written under it (see the README).
 */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
  const config = loadConfigOrExit();
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const masterKeys = loadMasterKeys(config, say);
  const database = await resolveDatabaseUrl(config);
  const pool = createPool(database.url, 2);
  try {
    const report = await rotateSecrets(pool, createVault(masterKeys));
    const failed = report.reduce((sum, place) => sum + place.failed.length, 0);
    if (values.json)
      process.stdout.write(`${JSON.stringify({ currentKeyId: masterKeys.currentKeyId, report })}\n`);
    else {
      process.stdout.write(`Current key: ${masterKeys.currentKeyId}\n`);
      for (const place of report) process.stdout.write(`${describe(place, masterKeys.currentKeyId)}\n`);
    }
    const olderKeys = [...masterKeys.keys.keys()].filter((id) => id !== masterKeys.currentKeyId);
    if (olderKeys.length) {
      say(
        `Stored secrets no longer need ${olderKeys.join(', ')}. Temporal's history still does: keep ` +
          'the older keys in RELAIS_MASTER_KEY, after the current one, until the workflows started before ' +
          "the rotation have closed and passed the namespace's retention period.",
      );
    }
    if (failed) {
      say(
        `${failed} secret(s) could not be decrypted and were left as they were: add their key back to ` +
          'RELAIS_MASTER_KEY (after the current one) and run the command again.',
      );
      return 1;
    }
    return 0;
  } finally {
    await pool.end();
    await database.stop();
  }
}

function describe(place: ColumnRotation, currentKeyId: string): string {
  const moved = Object.entries(place.reencrypted);
  const total = moved.reduce((sum, [, count]) => sum + count, 0);
  const from = moved.map(([keyId, count]) => `${count} from ${keyId}`).join(', ');
  const failures = place.failed.map(
    (row) => `\n  not decrypted: ${row.id} (key ${row.keyId}): ${row.reason}`,
  );
  return (
    `${place.place}: ${total} re-encrypted${total ? ` (${from})` : ''}, ` +
    `${place.alreadyCurrent} already under ${currentKeyId}${place.failed.length ? `, ${place.failed.length} failed` : ''}` +
    failures.join('')
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Key rotation stopped: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
