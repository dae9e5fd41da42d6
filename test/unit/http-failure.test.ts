import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpFailure, reasonIn } from '../../connectors/shared/http-failure';

const answer = (status: number, body = '', headers: Record<string, string> = {}) => ({
  status,
  headers: new Headers(headers),
  body,
});

test('a target without a documented error contract: each status class gets its kind', () => {
  const classify = (status: number, headers?: Record<string, string>) =>
    httpFailure('BoCount', 'file the invoice', answer(status, '', headers));
  assert.equal(classify(401).kind, 'auth-expired');
  assert.equal(classify(403).kind, 'auth-expired');
  assert.equal(classify(400).kind, 'rejected');
  assert.equal(classify(422).kind, 'rejected');
  assert.equal(classify(500).kind, 'unavailable');
  const limited = classify(429, { 'Retry-After': '30' });
  assert.equal(limited.kind, 'rate-limited');
  assert.equal(limited.retryAfterMs, 30_000);
  const busy = classify(503, { 'Retry-After': '2' });
  assert.equal(busy.kind, 'unavailable');
  assert.equal(busy.retryAfterMs, 2_000);
  assert.equal(classify(503).retryAfterMs, undefined, 'no header: the workflow backs off');
});

test("a refusal quotes the target's own reason, from JSON or text, shortened, never an HTML page", () => {
  const refused = httpFailure(
    'Count-e',
    'file the invoice',
    answer(400, '{"message":"Unknown journal VK9"}'),
  );
  assert.equal(refused.message, 'Count-e refused to file the invoice: Unknown journal VK9');
  assert.equal(reasonIn('{"error":"invalid_request","error_description":"bad"}'), 'bad');
  assert.equal(reasonIn('  plain words \n'), 'plain words');
  assert.equal(reasonIn('<!DOCTYPE html><html>...</html>'), undefined);
  assert.equal(reasonIn('{"code":12}'), undefined);
  assert.equal(reasonIn('x'.repeat(1000))!.length, 301);
});
