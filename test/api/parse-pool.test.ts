/*
 * ParsePool's threads: large documents are parsed on them, an idle thread ends after its idle time
 * (its heap with it) and the next large document starts another.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParsePool } from '../../api/parse-pool';
import { parseUbl } from '../../documents/parse-ubl';
import { sampleInvoice } from '../../documents/sample-invoice';
import { waitFor } from '../helpers/wait-for';

test('idle threads end after their idle time; the next large document starts one again', async () => {
  const pool = new ParsePool(2, 64, 200);
  try {
    const xml = Buffer.from(sampleInvoice({ number: 'POOL-1', lines: 1_000 }));
    assert.ok(xml.length >= 256 * 1024);
    assert.deepEqual(await pool.parse(xml), parseUbl(xml));
    assert.equal(pool.threadCount, 1);
    await waitFor('the idle thread to end', () => pool.threadCount === 0);
    const shared = Buffer.from(new SharedArrayBuffer(xml.length));
    xml.copy(shared);
    assert.deepEqual(await pool.parse(shared), parseUbl(xml));
    assert.equal(pool.threadCount, 1);
  } finally {
    await pool.close();
  }
});
