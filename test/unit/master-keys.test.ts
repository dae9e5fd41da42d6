import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../platform/config';
import { loadMasterKeys, parseMasterKeys } from '../../platform/master-keys';
import { derivePayloadKey } from '../../platform/payload-codec';

function withDataDir(run: (dir: string) => void): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relais-keys-'));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('without RELAIS_MASTER_KEY, development generates a key once, 0600, and warns each start', () => {
  withDataDir((dir) => {
    const config = loadConfig({ NODE_ENV: 'development', RELAIS_DATA_DIR: dir });
    const warnings: string[] = [];
    const first = loadMasterKeys(config, (line) => warnings.push(line));
    const file = path.join(dir, 'master.key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(readFileSync(file, 'utf8'), /^local:[A-Za-z0-9+/]{43}=\n$/);
    assert.equal(first.currentKeyId, 'local');
    const second = loadMasterKeys(config, (line) => warnings.push(line));
    assert.deepEqual(second.keys.get('local'), first.keys.get('local'), 'the same key on the next start');
    assert.equal(warnings.length, 2);
    assert.match(
      warnings[0]!,
      /generated development key in .*master\.key; set RELAIS_MASTER_KEY in production/,
    );
  });
});

test('production refuses to start without RELAIS_MASTER_KEY and writes no key file', () => {
  withDataDir((dir) => {
    const config = loadConfig({ NODE_ENV: 'production', RELAIS_DATA_DIR: dir });
    assert.throws(
      () => loadMasterKeys(config, () => undefined),
      /RELAIS_MASTER_KEY is required in production/,
    );
    assert.throws(() => statSync(path.join(dir, 'master.key')), /ENOENT/);
  });
});

test('RELAIS_MASTER_KEY: the first key is current; bad entries are refused with the reason', () => {
  const [a, b] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
  const keys = parseMasterKeys(`new:${b}, old:${a}`);
  assert.equal(keys.currentKeyId, 'new');
  assert.deepEqual([...keys.keys.keys()], ['new', 'old']);
  assert.equal(parseMasterKeys(a).currentKeyId, 'k1', 'a bare key gets an id');
  assert.throws(() => parseMasterKeys(`x:${a},x:${b}`), /the key id x appears twice/);
  assert.throws(() => parseMasterKeys(`x:${a.slice(0, 20)}`), /key x must be 32 bytes/);
  assert.throws(() => parseMasterKeys(`a.b:${a}`), /must be letters, digits, - or _/);
  assert.throws(() => parseMasterKeys(' , '), /RELAIS_MASTER_KEY is empty/);
});

test('the payload codec never encrypts with a master key itself: its keys are derived, one per master key', () => {
  const [a, b] = [randomBytes(32), randomBytes(32)];
  assert.equal(derivePayloadKey(a).length, 32);
  assert.notDeepEqual(derivePayloadKey(a), a);
  assert.deepEqual(derivePayloadKey(a), derivePayloadKey(Buffer.from(a)), 'the same key on every worker');
  assert.notDeepEqual(derivePayloadKey(a), derivePayloadKey(b));
});
