import assert from 'node:assert/strict';
import { test } from 'node:test';
import { singleFlight } from '../../platform/single-flight';

test('callers of one key share one run while it is in flight; a settled run is not kept', async () => {
  const once = singleFlight<number>();
  let runs = 0;
  let finish!: (value: number) => void;
  const run = () => {
    runs += 1;
    return new Promise<number>((resolve) => (finish = resolve));
  };
  const first = once('doc/ubl', run);
  const second = once('doc/ubl', run);
  const other = once('doc/pdf', () => Promise.resolve(7));
  assert.equal(runs, 1, 'the second caller joins the first run');
  finish(42);
  assert.deepEqual(await Promise.all([first, second, other]), [42, 42, 7]);

  const again = once('doc/ubl', run);
  assert.equal(runs, 2, 'once settled, the next call runs again');
  finish(43);
  assert.equal(await again, 43);
});

test('a failed run fails every caller that joined it, and the next call tries again', async () => {
  const once = singleFlight<string>();
  let fail!: (error: Error) => void;
  const failing = () => new Promise<string>((_, reject) => (fail = reject));
  const calls = [once('k', failing), once('k', failing)];
  fail(new Error('render failed'));
  for (const call of calls) await assert.rejects(call, /render failed/);
  assert.equal(await once('k', () => Promise.resolve('ok')), 'ok');
});
